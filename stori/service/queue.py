"""The Celery side: with ``STORI_QUEUE_URL=redis://...`` the studio and REST send each generation
task (its id; the request waits in the store) to Redis, and ``python -m stori worker`` processes on
any machine sharing ``STORI_STUDIO_DIR`` run it through :func:`stori.service.tasks.run_task`.

Tasks are acknowledged late (after they ran) with one prefetched at a time, so a worker killed mid-task
does not swallow the ones behind it; a task is claimed in the store before it runs, so a redelivered
one never runs twice (the store marks it interrupted instead).
"""
from __future__ import annotations

import os

from celery import Celery, signals

SETTINGS = dict(task_serializer="json", accept_content=["json"], task_ignore_result=True, task_acks_late=True,
                task_reject_on_worker_lost=True, worker_prefetch_multiplier=1, broker_connection_retry_on_startup=True,
                worker_hijack_root_logger=False, broker_transport_options={"visibility_timeout": 3600})


def client(url: str) -> Celery:
    """A Celery app that only sends tasks (the studio's side)."""
    app = Celery("stori", broker=url)
    app.conf.update(SETTINGS)
    return app


app = client(os.environ.get("STORI_QUEUE_URL") or "redis://127.0.0.1:6379/0")
_workspace = None


def workspace():
    """The worker process's workspace (``STORI_STUDIO_DIR``), made once."""
    global _workspace
    if _workspace is None:
        from stori.service.workspace import Workspace, default_root

        _workspace = Workspace(default_root())
    return _workspace


@app.task(name="stori.run")
def run(task_id: str) -> None:
    from stori.service.tasks import run_task

    run_task(workspace(), task_id)


@signals.worker_process_init.connect
def _warm(**_) -> None:
    """Each worker process loads the models once, before its first task."""
    import torch

    from stori.service import studio

    torch.set_num_threads(1)  # one song per process; processes, not threads, use the cores
    studio.warm_up()
    workspace().store.reap()  # a task this machine's last worker died running now says interrupted
