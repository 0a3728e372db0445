"""``python -m stori worker``: a Celery worker that composes the songs the studio and REST queue
(``STORI_QUEUE_URL``), writing them into the shared ``STORI_STUDIO_DIR``."""
from __future__ import annotations

import argparse
import os
import socket

from stori.errors import StoriError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--concurrency", type=int, default=max(1, min(2, os.cpu_count() or 1)),
                   help="songs composed at once, one process each (default: 1 per core, at most 2)")


def run(args) -> int:
    url = os.environ.get("STORI_QUEUE_URL", "")
    if not url.startswith(("redis://", "rediss://")):
        raise StoriError("STORI_QUEUE_URL", "is not set to a Redis URL", "e.g. redis://127.0.0.1:6379/0")
    if not 1 <= args.concurrency <= 64:
        raise StoriError("concurrency", "is out of range", "1..64")
    from stori.service.queue import app

    app.conf.broker_url = url
    app.worker_main(["worker", "--loglevel", "WARNING", "--pool", "prefork", "--concurrency", str(args.concurrency),
                     "--hostname", f"stori-{os.getpid()}@{socket.gethostname()}", "--without-gossip",
                     "--without-mingle",
                     "--without-heartbeat"])
    return 0
