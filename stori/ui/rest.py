"""REST for musicians' tools: ``POST /api/v1/generate`` answers at once with a task id; the task runs
in the background; ``GET /api/v1/tasks/{id}`` reports it and, when done, links to the files, which
``GET /api/v1/files/{song_id}/{version}/{name}`` serves from the workspace only.
"""
from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from stori.errors import StoriError
from stori.ui import studio
from stori.ui.callbacks import describe
from stori.ui.workspace import Workspace, check_id

KEEP_TASKS = 512


class GenerateRequest(BaseModel):
    prompt: str = Field("", max_length=2000)
    emotion: dict[str, float] | None = None
    tempo: float | None = None
    key: str | None = Field(None, max_length=40)
    structure: str | None = Field(None, max_length=400)
    time_signature: str | None = Field(None, max_length=8)
    engine: str | None = Field(None, max_length=40)
    seed: int = Field(0, ge=0, le=2**31 - 1)


class TaskBoard:
    """Background tasks with a status each; the oldest finished ones are forgotten past KEEP_TASKS."""

    def __init__(self, workers: int = 2):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stori-task")
        self._tasks: OrderedDict[str, dict] = OrderedDict()
        self._lock = threading.Lock()

    def submit(self, job) -> dict:
        task_id = uuid.uuid4().hex
        task = {"task_id": task_id, "status": "queued"}
        with self._lock:
            self._tasks[task_id] = task
            while len(self._tasks) > KEEP_TASKS:
                self._tasks.popitem(last=False)
        self._pool.submit(self._run, task, job)
        return dict(task)

    @staticmethod
    def _run(task: dict, job) -> None:
        task["status"] = "running"
        try:
            task["result"] = job()
            task["status"] = "done"
        except StoriError as e:
            task.update(status="error", error=str(e))
        except Exception as e:  # a bug must still end the task, not leave it running forever
            task.update(status="error", error=f"internal error ({e.__class__.__name__})")

    def get(self, task_id: str) -> dict | None:
        with self._lock:
            task = self._tasks.get(task_id)
            return dict(task) if task else None


def router(ws: Workspace, board: TaskBoard | None = None) -> APIRouter:
    board = board or TaskBoard()
    api = APIRouter(prefix="/api/v1", tags=["stori"])

    @api.post("/generate", status_code=202)
    def generate(req: GenerateRequest) -> dict:
        """Start composing; poll the returned ``status_url``."""
        def job():
            take = studio.create_song(ws, req.prompt, emotion=req.emotion, tempo=req.tempo, key=req.key,
                                      structure=req.structure, time_signature=req.time_signature, engine=req.engine,
                                      seed=req.seed)
            return describe(take)
        task = board.submit(job)
        return {**task, "status_url": f"/api/v1/tasks/{task['task_id']}"}

    @api.get("/tasks/{task_id}")
    def task(task_id: str) -> dict:
        try:
            check_id(task_id, "task_id")
        except StoriError as e:
            raise HTTPException(400, str(e)) from None
        found = board.get(task_id)
        if found is None:
            raise HTTPException(404, "task_id: no such task (it may have expired)")
        return found

    @api.get("/files/{song_id}/{version}/{name}")
    def file(song_id: str, version: str, name: str) -> FileResponse:
        try:
            path = ws.file(song_id, version, name)
        except StoriError as e:
            raise HTTPException(404, str(e)) from None
        return FileResponse(path, filename=name)

    return api
