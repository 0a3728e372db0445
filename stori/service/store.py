"""Task and chat-session state in SQLite, in the studio folder (``stori.db``), so a restart forgets
nothing and every process sharing the folder (the studio, any number of queue workers) sees the same.

A task is ``queued`` -> ``running`` (with its stage: ``progress``) -> ``done`` | ``error``, or
``interrupted`` when the process that ran it died (or a restart dropped it from the in-process queue);
only finished tasks are evicted.
A running task (and one queued in a process, not in a shared queue) names its owner
(``host:pid:random``), so a process on the same host can tell that the owner is gone. A session row
lists which saved version folder holds each version of the chat (undo saves a copy, so the two
numberings differ), where the chat stands, and a revision number that makes two simultaneous edits
of one song refuse the second instead of losing the first.
"""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

DB_NAME = "stori.db"
FINISHED = ("done", "error", "interrupted", "expired")
_INSTANCES: dict[int, str] = {}

SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    task_id TEXT PRIMARY KEY, kind TEXT NOT NULL, request TEXT NOT NULL, status TEXT NOT NULL,
    result TEXT, error TEXT, owner TEXT, song_id TEXT, created REAL NOT NULL, updated REAL NOT NULL);
CREATE INDEX IF NOT EXISTS tasks_status ON tasks (status, updated);
CREATE TABLE IF NOT EXISTS sessions (
    song_id TEXT PRIMARY KEY, engine TEXT NOT NULL, seed INTEGER NOT NULL, versions TEXT NOT NULL,
    commands TEXT NOT NULL, position INTEGER NOT NULL, current INTEGER NOT NULL, rev INTEGER NOT NULL,
    updated REAL NOT NULL);
"""


def instance() -> str:
    """This process as an owner: ``host:pid:random`` (made per pid, so forked workers differ)."""
    pid = os.getpid()
    if pid not in _INSTANCES:
        _INSTANCES[pid] = f"{socket.gethostname()}:{pid}:{uuid.uuid4().hex[:8]}"
    return _INSTANCES[pid]


def _alive(owner: str | None) -> bool:
    """Is the process named by ``owner`` still running? Unknowable for another host: assumed so."""
    try:
        host, pid, _ = (owner or "").split(":")
        pid = int(pid)
    except ValueError:
        return False
    if owner == instance():
        return True
    if host != socket.gethostname():
        return True
    if pid == os.getpid():  # our pid, another instance: a restart that reused the pid (a container's pid 1)
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Store:
    def __init__(self, root: str | Path):
        self.path = Path(root) / DB_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            if "progress" not in {row["name"] for row in db.execute("PRAGMA table_info(tasks)")}:
                db.execute("ALTER TABLE tasks ADD COLUMN progress TEXT")  # a folder made before tasks told it

    @contextmanager
    def _db(self):
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            yield db
        finally:
            db.close()

    # --- tasks ---------------------------------------------------------------------------------
    def add_task(self, task_id: str, kind: str, request: dict, keep: int, owned: bool) -> None:
        """A new queued task; ``owned``: queued in this process (not in a shared queue), so it dies with it."""
        now = time.time()
        with self._db() as db:
            db.execute("INSERT INTO tasks (task_id, kind, request, status, owner, created, updated) VALUES (?, ?, ?, "
                       "'queued', ?, ?, ?)",
                       (task_id, kind, json.dumps(request), instance() if owned else None, now, now))
            db.execute("DELETE FROM tasks WHERE task_id IN (SELECT task_id FROM tasks WHERE status IN "
                       f"({_marks(FINISHED)}) "
                       "ORDER BY updated DESC LIMIT -1 OFFSET ?)", (*FINISHED, keep))

    def start_task(self, task_id: str) -> tuple[str, dict] | None:
        """Claim a queued task for this process: (kind, request), or None if it is not queued (already
        run, or interrupted), so a task redelivered by the queue never runs twice."""
        with self._db() as db:
            claimed = db.execute("UPDATE tasks SET status = 'running', owner = ?, updated = ? WHERE task_id = ? AND "
                                 "status = 'queued'",
                                 (instance(), time.time(), task_id)).rowcount
            row = db.execute("SELECT kind, request FROM tasks WHERE task_id = ?", (task_id,)).fetchone()
        return (row["kind"], json.loads(row["request"])) if claimed and row else None

    def finish_task(self, task_id: str, status: str, result: dict | None = None, error: str | None = None) -> None:
        with self._db() as db:
            db.execute("UPDATE tasks SET status = ?, result = ?, error = ?, song_id = ?, updated = ? WHERE task_id = ?",
                       (status, json.dumps(result) if result is not None else None, error,
                        (result or {}).get("song_id"), time.time(), task_id))

    def set_progress(self, task_id: str, fraction: float, stage: str) -> None:
        """What a running task is doing now (``fraction`` of its time done, ``stage`` in words)."""
        with self._db() as db:
            db.execute("UPDATE tasks SET progress = ?, updated = ? WHERE task_id = ? AND status = 'running'",
                       (json.dumps({"fraction": round(float(fraction), 3), "stage": str(stage)[:200]}), time.time(),
                        task_id))

    def task(self, task_id: str) -> dict | None:
        """A task as the API shows it; a running task whose process is gone is marked interrupted first."""
        with self._db() as db:
            row = db.execute("SELECT * FROM tasks WHERE task_id = ?", (task_id,)).fetchone()
        if row is None:
            return None
        if row["status"] in ("queued", "running") and row["owner"] and not _alive(row["owner"]):
            self.interrupt([task_id], row["status"])
            return self.task(task_id)
        out = {"task_id": row["task_id"], "status": row["status"]}
        if row["status"] == "running" and row["progress"]:
            out["progress"] = json.loads(row["progress"])
        if row["result"]:
            out["result"] = json.loads(row["result"])
        if row["error"]:
            out["error"] = row["error"]
        return out

    def owner(self, task_id: str) -> str | None:
        """The process that ran (or runs) a task, ``host:pid:random``."""
        with self._db() as db:
            row = db.execute("SELECT owner FROM tasks WHERE task_id = ?", (task_id,)).fetchone()
        return row[0] if row else None

    def interrupt(self, task_ids: list[str], status: str) -> int:
        """Mark tasks (still in ``status``) as interrupted, saying what to do."""
        with self._db() as db:
            return sum(db.execute("UPDATE tasks SET status = 'interrupted', error = ?, updated = ? WHERE task_id = ? "
                                  "AND status = ?",
                                  ("interrupted: the studio stopped before this task finished; submit it again",
                                   time.time(), t, status)).rowcount for t in task_ids)

    def mine(self, status: str) -> list[str]:
        """Tasks of this process in ``status``."""
        with self._db() as db:
            return [r[0] for r in db.execute("SELECT task_id FROM tasks WHERE status = ? AND owner = ?",
                                             (status, instance()))]

    def reap(self) -> int:
        """Interrupt every queued or running task whose process is gone (on this host); a task queued
        in a shared queue has no owner and waits for a worker."""
        with self._db() as db:
            rows = db.execute("SELECT task_id, status, owner FROM tasks WHERE status IN ('queued', 'running') "
                              "AND owner IS NOT NULL").fetchall()
        return sum(self.interrupt([r["task_id"]], r["status"]) for r in rows if not _alive(r["owner"]))

    def expire_song(self, song_id: str) -> None:
        """A song removed to keep the folder within bounds: its tasks say so, its session goes."""
        with self._db() as db:
            db.execute("UPDATE tasks SET status = 'expired', result = NULL, error = ?, updated = ? WHERE song_id = ?",
                       ("expired: the song was removed to keep the studio folder within its limits", time.time(),
                        song_id))
            db.execute("DELETE FROM sessions WHERE song_id = ?", (song_id,))

    # --- chat sessions -------------------------------------------------------------------------
    def session(self, song_id: str) -> dict | None:
        with self._db() as db:
            row = db.execute("SELECT * FROM sessions WHERE song_id = ?", (song_id,)).fetchone()
        if row is None:
            return None
        return {"song_id": row["song_id"], "engine": row["engine"], "seed": row["seed"],
                "versions": json.loads(row["versions"]),
                "commands": json.loads(row["commands"]), "position": row["position"], "current": row["current"],
                "rev": row["rev"]}

    def save_session(self, row: dict, rev: int) -> bool:
        """Write ``row`` if the stored revision is still ``rev`` (0: a new session); False if another
        edit got there first."""
        values = (row["engine"], row["seed"], json.dumps(row["versions"]), json.dumps(row["commands"]), row["position"],
                  row["current"], rev + 1, time.time(), row["song_id"])
        with self._db() as db:
            if rev == 0:
                try:
                    db.execute("INSERT INTO sessions (engine, seed, versions, commands, position, current, rev, "
                               "updated, song_id) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
                    return True
                except sqlite3.IntegrityError:
                    return False
            return db.execute("UPDATE sessions SET engine = ?, seed = ?, versions = ?, commands = ?, position = ?, "
                              "current = ?, "
                              "rev = ?, updated = ? WHERE song_id = ? AND rev = ?", (*values, rev)).rowcount == 1


def _marks(values) -> str:
    return ", ".join("?" for _ in values)
