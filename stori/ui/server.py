"""One process: FastAPI with the REST routes and the Gradio studio mounted at ``/``."""
from __future__ import annotations

import os
import secrets
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path

import gradio as gr
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from gradio.utils import get_space
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Mount

from stori.render.midi_limits import MAX_MIDI_BYTES
from stori.service import studio
from stori.service.tasks import TaskBoard
from stori.service.workspace import Workspace, default_root
from stori.ui import rest
from stori.ui.callbacks import Callbacks
from stori.ui.layout import CSS, build_blocks

CONCURRENCY = 2  # songs composed at once: one per core of a small machine (see studio.SLOTS)
QUEUE_SIZE = 64
CLEAN_CACHE = (3600, 3600)  # every hour, Gradio deletes the page copies it was handed more than an hour ago
# System fonts only: the page needs nothing from the network (a Space or a laptop offline look the same).
THEME = gr.themes.Soft(primary_hue="orange", secondary_hue="slate",
                       font=["ui-sans-serif", "system-ui", "Segoe UI", "Helvetica Neue", "Arial", "sans-serif"],
                       font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"])


def create_app(root: str | Path | None = None) -> FastAPI:
    """Build the app; the default engine is warmed (its model loaded) once, here, before serving.
    With ``STORI_QUEUE_URL`` set, new songs (studio and REST) are composed by the queue's workers.

    Gradio serves no folder of the studio (``blocked_paths``): pages get copies in its upload folder
    (:func:`stori.ui.callbacks.publish`). Gradio checks that a file sent to an endpoint was uploaded
    only once its Blocks count as launched, which ``mount_gradio_app`` does not set; it is set here,
    and the humanize callback checks again itself (:func:`stori.ui.callbacks.uploaded`).
    """
    ws = Workspace(root or default_root())
    board = TaskBoard(ws, os.environ.get("STORI_QUEUE_URL") or None, workers=CONCURRENCY)
    studio.warm_up()  # refine, drums and humanize run here even when a queue composes the songs
    board.ready()
    demo = build_blocks(Callbacks(ws, board)).queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    demo.delete_cache = CLEAN_CACHE

    @asynccontextmanager
    async def lifespan(_app):
        yield
        board.shutdown()  # SIGTERM: running tasks finish (or are marked), queued ones are marked interrupted

    app = FastAPI(title="Stori", description="Emotion-aware, section-aware MIDI composer", lifespan=lifespan)
    app.include_router(rest.router(ws, board))
    app.add_exception_handler(RequestValidationError, rest.validation_error)
    app = gr.mount_gradio_app(app, demo, path="/", blocked_paths=[str(ws.root)], max_file_size=MAX_MIDI_BYTES,
                              theme=THEME, css=CSS, footer_links=["api"])
    demo.has_launched = True
    for mounted in app.routes:  # Gradio's own routes answer a malformed call in one line too, without echoing it
        if isinstance(mounted, Mount) and isinstance(mounted.app, FastAPI):
            mounted.app.add_exception_handler(RequestValidationError, rest.validation_error)
            mounted.app.add_exception_handler(StarletteHTTPException, rest.unreadable_body)
    app.add_middleware(rest.BodyLimit)
    return app


SHARE_ENV = "STORI_SHARE"


def sharing(flag: bool | None = None) -> bool:
    """``--share`` (``flag``), else ``STORI_SHARE`` set to 1/true/yes."""
    return flag if flag is not None else os.environ.get(SHARE_ENV, "").strip().lower() in ("1", "true", "yes")


def share_link(host: str, port: int) -> str:
    """Open Gradio's share tunnel (gradio.live, via its FRP client) to ``host:port``: the whole app,
    REST routes included, at a public https address for up to a week. Needs the network."""
    from gradio import networking

    local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    url = networking.setup_tunnel(local, port, secrets.token_urlsafe(32), None, None)
    return "https://" + url.split("://", 1)[-1]


def serve(root: str | Path | None = None, share: bool | None = None) -> None:
    """Run the studio on ``GRADIO_SERVER_NAME``:``GRADIO_SERVER_PORT`` (default 127.0.0.1:7860); with
    ``share`` (``--share`` or ``STORI_SHARE=1``) also at a Gradio share link. Without the network the
    link cannot be made: the studio says so in one line and keeps serving locally."""
    import uvicorn

    host = os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1")
    port = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    server = uvicorn.Server(uvicorn.Config(create_app(root), host=host, port=port, log_level="warning"))
    if sharing(share):
        threading.Thread(target=_share_when_up, args=(server, host, port), daemon=True).start()
    server.run()  # in the main thread, so SIGTERM still lets running tasks finish


def _share_when_up(server, host: str, port: int) -> None:
    while not server.started and not server.should_exit:
        time.sleep(0.1)
    if get_space():
        print("share: a Hugging Face Space is public already; no share link made", flush=True)
        return
    try:
        print(f"Stori studio shared at {share_link(host, port)} (and http://{host}:{port})", flush=True)
    except Exception as e:  # no network, or the share server refused: the local studio still serves
        print(f"share: no share link ({e.__class__.__name__}: {str(e)[:120]}); it needs the network. "
              f"Serving at http://{host}:{port} only", flush=True)
