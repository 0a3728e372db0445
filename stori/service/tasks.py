"""Generation tasks: submitted by REST and by the studio page, run by a pool of processes the studio
starts (the embedded default) or by Celery workers over Redis (``STORI_QUEUE_URL``, see
:mod:`stori.service.queue`), their state in the workspace's :class:`~stori.service.store.Store`.

Either way a task runs through :func:`run_task`, so a worker on another machine does exactly what
the studio would. A restart never answers a bare 404: finished tasks are on disk, and tasks whose
process died say ``interrupted``. Shutdown lets running tasks finish (up to GRACE_S), then marks
what is left.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor

from stori.errors import StoriError
from stori.service.store import FINISHED

KEEP_TASKS = 512  # finished tasks remembered; queued and running ones are never evicted
GRACE_S = 120  # how long shutdown waits for running tasks
POLL_S = 0.2


def _generate(ws, request: dict, on_step) -> dict:
    from stori.service import studio
    from stori.spec.song_spec import SongSpec

    request = dict(request)
    spec = request.pop("spec", None)
    return studio.describe(studio.create_song(ws, spec=SongSpec.from_dict(spec) if spec else None, on_step=on_step,
                                              **request))


def _own(ws, request: dict, on_step) -> dict:
    import base64

    from stori.service import studio

    request = dict(request)
    midi = base64.b64decode(request.pop("midi"))
    on_step(0.1, f"{request.get('action', 'continue')}: hearing your MIDI and composing")
    _, take = studio.own_midi(ws, midi, **request)
    return studio.describe(take)


JOBS = {"generate": _generate, "own": _own}


def run_task(ws, task_id: str) -> None:
    """Run a queued task (once: a task already claimed, finished or interrupted is left alone)."""
    claimed = ws.store.start_task(task_id)
    if claimed is None:
        return
    kind, request = claimed
    try:
        ws.store.finish_task(task_id, "done", JOBS[kind](ws, request, lambda fraction, text: ws.store.set_progress(
            task_id, fraction, text)))
    except StoriError as e:
        ws.store.finish_task(task_id, "error", error=str(e))
    except Exception as e:  # a bug must still end the task, not leave it running forever
        logging.getLogger(__name__).exception("task %s (%s) failed", task_id, kind)
        ws.store.finish_task(task_id, "error", error=f"internal error ({e.__class__.__name__})")


_pool_ws = None  # a pool process's workspace
_pool_parent = 0  # ... and the studio process it works for


def _pool_start(root: str) -> None:
    """Each embedded pool process: one song at a time on one core, models loaded once."""
    global _pool_ws, _pool_parent
    import torch

    from stori.service import studio
    from stori.service.workspace import Workspace

    torch.set_num_threads(1)
    studio.warm_up()
    _pool_ws, _pool_parent = Workspace(root), os.getppid()
    threading.Thread(target=_follow_parent, daemon=True).start()


def _follow_parent() -> None:
    """A pool process ends when the studio is gone (kill -9 gives it no chance to say so); its
    running task, if any, is then reported interrupted by the next studio."""
    while os.getppid() == _pool_parent:
        time.sleep(1)
    os._exit(0)


def _pool_pid() -> int:
    time.sleep(0.2)  # long enough for a second idle process to take the next one
    return os.getpid()


def _pool_run(task_id: str) -> None:
    run_task(_pool_ws, task_id)


class TaskBoard:
    """Submit, look up and wait for tasks: an embedded pool of ``workers`` processes (processes, so
    two songs really use two cores), or a Celery queue."""

    def __init__(self, ws, queue_url: str | None = None, workers: int = 2):
        self.ws, self.workers = ws, workers
        self.queue = None
        self._pool = None
        if queue_url:
            from stori.service.queue import client

            self.queue = client(queue_url)
        else:
            self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_pool_start, initargs=(str(ws.root),))
        ws.store.reap()  # tasks of a process that died (a kill, a crash) say so

    def ready(self, timeout: float = 600) -> None:
        """Wait until every embedded pool process has started and loaded its models (so the studio
        answers only once it can compose at full speed)."""
        if self._pool is None:
            return
        seen, end = set(), time.monotonic() + timeout
        while len(seen) < self.workers and time.monotonic() < end:
            seen |= {f.result() for f in [self._pool.submit(_pool_pid) for _ in range(self.workers)]}

    def submit(self, kind: str, request: dict) -> dict:
        if kind not in JOBS:
            raise StoriError("kind", f"{kind[:20]!r} is not a task", ", ".join(JOBS))
        task_id = uuid.uuid4().hex
        self.ws.store.add_task(task_id, kind, request, KEEP_TASKS, owned=self.queue is None)
        if self.queue is not None:
            self.queue.send_task("stori.run", args=[task_id], task_id=task_id)
        else:
            self._pool.submit(_pool_run, task_id)
        return {"task_id": task_id, "status": "queued"}

    def get(self, task_id: str) -> dict | None:
        return self.ws.store.task(task_id)

    def wait(self, task_id: str, timeout: float | None = None, on_step=None) -> dict:
        """The task once finished (or as it stands after ``timeout`` seconds); ``on_step(fraction, text)``
        hears each new stage the task reports while it runs."""
        end = None if timeout is None else time.monotonic() + timeout
        said = None
        while True:
            task = self.get(task_id)
            if task is None or task["status"] in FINISHED or (end is not None and time.monotonic() > end):
                return task
            progress = task.get("progress")
            if on_step and progress and progress != said:
                said = progress
                on_step(progress["fraction"], progress["stage"])
            time.sleep(POLL_S)

    def shutdown(self, grace: float = GRACE_S) -> None:
        """Stop taking work: queued tasks of this process are marked interrupted, running ones get
        ``grace`` seconds to finish and are marked interrupted after that."""
        if self._pool is None:
            return
        closing = threading.Thread(target=self._pool.shutdown, kwargs={"wait": True, "cancel_futures": True},
                                   daemon=True)
        closing.start()
        self.ws.store.interrupt(self.ws.store.mine("queued"), "queued")
        closing.join(grace)
        self.ws.store.interrupt(self.ws.store.mine("running"), "running")
