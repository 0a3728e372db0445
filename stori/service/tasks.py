"""Generation tasks: submitted by REST (and by the studio when a queue is set), run by a pool in this
process (the embedded default) or by Celery workers over Redis (``STORI_QUEUE_URL``, see
:mod:`stori.service.queue`), their state in the workspace's :class:`~stori.service.store.Store`.

Either way a task runs through :func:`run_task`, so a worker on another machine does exactly what
the studio would. A restart never answers a bare 404: finished tasks are on disk, and tasks whose
process died say ``interrupted``. Shutdown lets running tasks finish (up to GRACE_S), then marks
what is left.
"""
from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from stori.errors import StoriError
from stori.service.store import FINISHED

KEEP_TASKS = 512  # finished tasks remembered; queued and running ones are never evicted
GRACE_S = 120  # how long shutdown waits for running tasks
POLL_S = 0.2


def _generate(ws, request: dict) -> dict:
    from stori.spec.song_spec import SongSpec
    from stori.ui import studio
    from stori.ui.callbacks import describe

    request = dict(request)
    spec = request.pop("spec", None)
    return describe(studio.create_song(ws, spec=SongSpec.from_dict(spec) if spec else None, **request))


JOBS = {"generate": _generate}


def run_task(ws, task_id: str) -> None:
    """Run a queued task (once: a task already claimed, finished or interrupted is left alone)."""
    claimed = ws.store.start_task(task_id)
    if claimed is None:
        return
    kind, request = claimed
    try:
        ws.store.finish_task(task_id, "done", JOBS[kind](ws, request))
    except StoriError as e:
        ws.store.finish_task(task_id, "error", error=str(e))
    except Exception as e:  # a bug must still end the task, not leave it running forever
        ws.store.finish_task(task_id, "error", error=f"internal error ({e.__class__.__name__})")


class TaskBoard:
    """Submit, look up and wait for tasks; embedded pool of ``workers`` threads, or a Celery queue."""

    def __init__(self, ws, queue_url: str | None = None, workers: int = 2):
        self.ws = ws
        self.queue = None
        self._pool = None
        if queue_url:
            from stori.service.queue import client

            self.queue = client(queue_url)
        else:
            self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stori-task")
        ws.store.reap()  # tasks of a process that died (a kill, a crash) say so

    def submit(self, kind: str, request: dict) -> dict:
        if kind not in JOBS:
            raise StoriError("kind", f"{kind[:20]!r} is not a task", ", ".join(JOBS))
        task_id = uuid.uuid4().hex
        self.ws.store.add_task(task_id, kind, request, KEEP_TASKS, owned=self.queue is None)
        if self.queue is not None:
            self.queue.send_task("stori.run", args=[task_id], task_id=task_id)
        else:
            self._pool.submit(run_task, self.ws, task_id)
        return {"task_id": task_id, "status": "queued"}

    def get(self, task_id: str) -> dict | None:
        return self.ws.store.task(task_id)

    def wait(self, task_id: str, timeout: float | None = None) -> dict:
        """The task once finished (or as it stands after ``timeout`` seconds)."""
        end = None if timeout is None else time.monotonic() + timeout
        while True:
            task = self.get(task_id)
            if task is None or task["status"] in FINISHED or (end is not None and time.monotonic() > end):
                return task
            time.sleep(POLL_S)

    def shutdown(self, grace: float = GRACE_S) -> None:
        """Stop taking work: queued tasks of this process are marked interrupted, running ones get
        ``grace`` seconds to finish and are marked interrupted after that."""
        if self._pool is None:
            return
        closing = threading.Thread(target=self._pool.shutdown, kwargs={"wait": True, "cancel_futures": True}, daemon=True)
        closing.start()
        self.ws.store.interrupt(self.ws.store.mine("queued"), "queued")
        closing.join(grace)
        self.ws.store.interrupt(self.ws.store.mine("running"), "running")
