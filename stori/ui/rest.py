"""REST for musicians' tools: ``POST /api/v1/generate`` answers at once with a task id; the task runs
in the background (this process, or a queue worker: :mod:`stori.service.tasks`);
``POST /api/v1/own/{continue|accompany|vary}`` does the same for a musician's MIDI file (base64 in
the JSON body); ``GET /api/v1/tasks/{id}`` reports it (``queued``, ``running``, ``done``, ``error``, ``interrupted``
by a restart, ``expired``) and, when done, the song id, its access token and links to the files,
which ``GET /api/v1/files/{song_id}/{version}/{name}?token=...`` (or an
``Authorization: Bearer <token>`` header) serves from the workspace only.

The body is read by :func:`stori.safe_json.load_json` and every field checked by :mod:`stori.inputs`
before a task starts, so a bad request gets 422 and one line naming the field, never an echo of what
was sent; bodies over MAX_BODY_BYTES (MAX_OWN_BODY_BYTES for a MIDI file) get 413 (:class:`BodyLimit`).
"""
from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from stori import inputs
from stori.compose import DEFAULT_ENGINE, ENGINES
from stori.errors import StoriError
from stori.render import midi_limits
from stori.safe_json import load_json
from stori.service.studio import MAX_OWN_FIELD_CHARS, OWN_ACTIONS
from stori.service.tasks import KEEP_TASKS, TaskBoard
from stori.service.workspace import Workspace, check_id

MAX_BODY_BYTES = 64_000  # a generate request is a few hundred bytes
MAX_OTHER_BODY_BYTES = 3_000_000  # Gradio's routes: a 2 MB upload and its multipart wrapping
OWN_PREFIX = "/api/v1/own/"
MAX_OWN_BODY_BYTES = 4 * midi_limits.MAX_MIDI_BYTES // 3 + 8_000  # the largest MIDI file as base64, and the fields


class GenerateRequest(BaseModel):
    """The body of POST /api/v1/generate (for the API docs; the rules are :mod:`stori.inputs`)."""
    prompt: str = ""
    emotion: dict[str, float] | None = None
    tempo: float | None = None
    key: str | None = None
    structure: str | None = None
    time_signature: str | None = None
    engine: str | None = None
    seed: int = 0


class BodyLimit:
    """ASGI middleware: a request whose Content-Length is over its cap gets 413 and one line before any
    of the body is read; a body without a length (chunked) gets 411. The server reads no more than
    Content-Length, so the cap holds."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            path = scope["path"]
            cap = (MAX_OWN_BODY_BYTES if path.startswith(OWN_PREFIX) else
                   MAX_BODY_BYTES if path.startswith("/api/") else MAX_OTHER_BODY_BYTES)
            headers = dict(scope.get("headers") or [])
            length = headers.get(b"content-length", b"0")
            if b"transfer-encoding" in headers and b"content-length" not in headers:
                return await JSONResponse({"detail": "body: has no Content-Length; allowed: a body with its length"},
                                          status_code=411)(scope, receive, send)
            if not length.isdigit() or int(length) > cap:
                return await JSONResponse({"detail": f"body: too large; allowed: up to {cap} bytes"},
                                          status_code=413)(scope, receive, send)
        await self.app(scope, receive, send)


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's 422, as one line naming the field and never the value sent."""
    first = exc.errors()[0] if exc.errors() else {}
    loc = [str(x) for x in first.get("loc", ())] or ["request"]
    where = ".".join(x for x in loc[1:] if not x.isdigit()) or loc[0]
    return JSONResponse({"detail": f"{where}: {first.get('msg', 'is not valid')}"}, status_code=422)


async def unreadable_body(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """FastAPI's 400 for a body its JSON parser gave up on (nesting past Python's recursion limit), in one line."""
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        detail = "body: is not JSON that can be read; allowed: a JSON object nested a few levels"
        return JSONResponse({"detail": detail}, status_code=400)
    return await http_exception_handler(request, exc)


def generate_fields(body: bytes) -> dict:
    """A generate request body -> keyword arguments of ``studio.create_song``, every field checked."""
    data = load_json(body, "body", "a JSON object with " + ", ".join(GenerateRequest.model_fields))
    if not isinstance(data, dict):
        raise StoriError("body", f"is a JSON {type(data).__name__}",
                         "a JSON object with " + ", ".join(GenerateRequest.model_fields))
    unknown = sorted(set(data) - set(GenerateRequest.model_fields))
    if unknown:
        raise StoriError("body", f"unknown field {unknown[0][:40]!r}", ", ".join(GenerateRequest.model_fields))
    return inputs.generate_args(prompt_text=data.get("prompt", ""), emotion_values=data.get("emotion"),
                                tempo_bpm=data.get("tempo"), key_name=data.get("key"), form=data.get("structure"),
                                meter=data.get("time_signature"), engine_name=data.get("engine") or DEFAULT_ENGINE,
                                seed_value=data.get("seed", 0), engines=ENGINES)


class OwnRequest(BaseModel):
    """The body of POST /api/v1/own/{action} (the rules are :func:`own_fields`)."""
    midi: str  # the MIDI file, base64
    bars: int = 8  # continue: new bars
    bar_range: str = ""  # vary: "5-6"
    tracks: str = ""  # vary: "bass,2"
    chords: str = ""  # accompany: "C | G | Am F" (empty: heard in the melody)
    prompt: str = ""  # accompany: the band in words
    retrieve: bool = False  # continue: ground it in the real song that best continues the file
    seed: int = 0


def own_fields(action: str, body: bytes) -> dict:
    """An own-MIDI request -> keyword arguments of ``studio.own_midi`` (the file still base64), every
    field checked and the file's header and chunks walked before a task starts."""
    if action not in OWN_ACTIONS:
        raise StoriError("action", f"{action[:40]!r} is not an action", ", ".join(OWN_ACTIONS))
    names = ", ".join(OwnRequest.model_fields)
    data = load_json(body, "body", "a JSON object with " + names)
    if not isinstance(data, dict):
        raise StoriError("body", f"is a JSON {type(data).__name__}", "a JSON object with " + names)
    unknown = sorted(set(data) - set(OwnRequest.model_fields))
    if unknown:
        raise StoriError("body", f"unknown field {unknown[0][:40]!r}", names)
    midi = data.get("midi")
    try:
        raw = base64.b64decode(midi, validate=True) if isinstance(midi, str) else None
    except (binascii.Error, ValueError):
        raw = None
    if not raw:
        raise StoriError("midi", "is missing or not base64", "the MIDI file's bytes as base64 text")
    midi_limits.check_bytes(raw)
    fields = {name: inputs.text(data.get(name, ""), name, MAX_OWN_FIELD_CHARS, f"text up to {MAX_OWN_FIELD_CHARS} "
                                "characters") for name in ("bar_range", "tracks", "chords")}
    bars = data.get("bars", 8)
    if isinstance(bars, bool) or not isinstance(bars, int) or not 1 <= bars <= 64:
        raise StoriError("bars", f"{str(bars)[:20]!r} is not a bar count", "an integer 1..64")
    retrieve = data.get("retrieve", False)
    if not isinstance(retrieve, bool):
        raise StoriError("retrieve", "is not true or false", "true or false")
    return {"action": action, "midi": midi, "bars": bars, "prompt": inputs.prompt(data.get("prompt", "")),
            "seed": inputs.seed(data.get("seed", 0)), "retrieve": retrieve, **fields}


def router(ws: Workspace, board: TaskBoard) -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["stori"])

    @api.post("/generate", status_code=202, openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": GenerateRequest.model_json_schema()}}}})
    async def generate(request: Request) -> dict:
        """Start composing; poll the returned ``status_url``. The finished task holds the song's token."""
        try:
            fields = generate_fields(await request.body())
        except StoriError as e:
            raise HTTPException(422, str(e)) from None
        task = board.submit("generate", {**fields, "render": False})  # the preview is rendered when first fetched
        return {**task, "status_url": f"/api/v1/tasks/{task['task_id']}"}

    @api.post("/own/{action}", status_code=202, openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": OwnRequest.model_json_schema()}}}})
    async def own(action: str, request: Request) -> dict:
        """Continue, accompany or vary a MIDI file; poll the returned ``status_url``. The finished task
        holds the new song's token and links (song.mid, stems, spec.json, traces.json, preview)."""
        try:
            fields = own_fields(action, await request.body())
        except StoriError as e:
            raise HTTPException(422, str(e)) from None
        task = board.submit("own", {**fields, "render": False})
        return {**task, "status_url": f"/api/v1/tasks/{task['task_id']}"}

    @api.get("/tasks/{task_id}")
    def task(task_id: str) -> dict:
        try:
            check_id(task_id, "task_id")
        except StoriError as e:
            raise HTTPException(400, str(e)) from None
        found = board.get(task_id)
        if found is None:
            raise HTTPException(404, f"task_id: no such task (a finished task is kept until {KEEP_TASKS} newer ones "
                                     "finish)")
        return found

    @api.get("/files/{song_id}/{version}/{name}")
    def file(song_id: str, version: str, name: str, request: Request, token: str = "") -> FileResponse:
        """A file of a song, for the holder of its token (``?token=`` or ``Authorization: Bearer``)."""
        bearer = request.headers.get("authorization", "")
        token = token or (bearer[7:] if bearer.lower().startswith("bearer ") else "")
        try:
            path = ws.file(song_id, version, name, token)
        except StoriError as e:
            raise HTTPException(404, str(e)) from None
        return FileResponse(path, filename=name)

    @api.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"], include_in_schema=False)
    def elsewhere(path: str) -> None:
        """Any other /api/ path: one line listing the routes (not the studio page's "Not Found")."""
        raise HTTPException(404, "path: no such route; allowed: POST /api/v1/generate, POST /api/v1/own/{action}, "
                                 "GET /api/v1/tasks/{task_id}, GET /api/v1/files/{song_id}/{version}/{name}")

    return api
