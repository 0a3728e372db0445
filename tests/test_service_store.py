"""The task and session store on its own (no server): what is evicted, what a dead owner means,
two edits racing, a chat rebuilt from disk, the studio folder bounded by bytes."""
import subprocess
import sys
import threading

import pytest

from stori.errors import StoriError
from stori.pipeline import generate
from stori.service import studio
from stori.service.store import Store
from stori.service.workspace import Workspace


def test_only_finished_tasks_are_evicted(tmp_path):
    store = Store(tmp_path)
    store.add_task("q" * 32, "generate", {}, keep=2, owned=False)
    store.add_task("r" * 32, "generate", {}, keep=2, owned=False)
    assert store.start_task("r" * 32) == ("generate", {})
    assert store.start_task("r" * 32) is None  # claimed once: a redelivered task never runs twice
    for k in range(5):
        store.add_task(f"{k}" * 32, "generate", {"seed": k}, keep=2, owned=False)
        store.start_task(f"{k}" * 32)
        store.finish_task(f"{k}" * 32, "done", {"song_id": "a" * 32})
    store.add_task("s" * 32, "generate", {}, keep=2, owned=False)
    kept = [t for t in ["q" * 32, "r" * 32, *(f"{k}" * 32 for k in range(5))] if store.task(t)]
    assert kept == ["q" * 32, "r" * 32, "3" * 32, "4" * 32]  # queued and running stay, the two newest finished stay


def test_a_task_whose_process_died_says_interrupted(tmp_path):
    store = Store(tmp_path)
    code = ("import sys; from stori.service.store import Store; s = Store(sys.argv[1]); "
            "s.add_task('a' * 32, 'generate', {}, 10, owned=True); s.add_task('b' * 32, 'generate', {}, 10, "
            "owned=True); "
            "s.start_task('b' * 32)")
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True)
    assert store.reap() == 2
    for t in ("a" * 32, "b" * 32):
        task = store.task(t)
        assert task["status"] == "interrupted" and "submit it again" in task["error"]
    store.add_task("c" * 32, "generate", {}, 10, owned=False)  # waiting in a shared queue: left for a worker
    assert store.reap() == 0 and store.task("c" * 32)["status"] == "queued"


def test_chat_survives_a_restart_and_racing_edits_refuse_the_second(tmp_path):
    ws = Workspace(tmp_path)
    take = studio.create_song(ws, "calm folk", structure="verse:2,chorus:2", engine="baseline", render=False)
    v2 = studio.refine_song(ws, take.song_id, "make the chorus more intense", take.token, render=False)
    again = Workspace(tmp_path)  # a restarted studio: nothing in memory
    undo = studio.refine_song(again, take.song_id, "undo", take.token, render=False)
    assert (undo.folder / "song.mid").read_bytes() == (take.folder / "song.mid").read_bytes() and undo.version == 3
    redo = studio.refine_song(again, take.song_id, "redo", take.token, render=False)
    assert (redo.folder / "song.mid").read_bytes() == (v2.folder / "song.mid").read_bytes()
    chat = again.chat(take.song_id, take.token)
    stale = dict(chat.row)
    studio.refine_song(ws, take.song_id, "sadder verse", take.token, render=False)  # another process edits first
    chat.row = stale
    with pytest.raises(StoriError, match="^message: the song was changed by another request"):
        again.commit_chat(chat, redo, new_version=True)


def test_the_folder_is_bounded_by_bytes(tmp_path, monkeypatch):
    monkeypatch.setenv("STORI_STUDIO_MAX_MB", "0.05")  # 50 kB: two or three small songs
    ws = Workspace(tmp_path)
    song = generate("calm", structure="verse:4", engine="baseline")
    first = ws.save(song, render=False)
    ws.store.add_task("t" * 32, "generate", {}, 10, owned=False)
    ws.store.finish_task("t" * 32, "done", {"song_id": first.song_id})
    takes = [first] + [ws.save(song, render=False) for _ in range(6)]
    left = [t for t in takes if t.folder.exists()]
    assert takes[-1] in left and 1 < len(left) < 4
    size = sum(f.stat().st_size for t in left[:-1] for f in t.folder.parent.rglob("*") if f.is_file())
    assert size <= 50_000
    task = ws.store.task("t" * 32)
    assert task["status"] == "expired" and "removed to keep the studio folder within its limits" in task["error"]


def test_counting_the_folder_survives_another_process_building_versions(tmp_path):
    """Each pool process prunes while the others build and remove their hidden folders; a file that
    vanished mid-count once failed a generate task with FileNotFoundError."""
    builder, counter = Workspace(tmp_path), Workspace(tmp_path)
    first = builder.save(generate("calm", structure="verse:1", engine="baseline"), render=False)
    errors, done = [], threading.Event()

    def build():
        try:
            for _ in range(60):
                builder.save(first.song, first.song_id, render=False)
        except Exception as e:
            errors.append(e)
        done.set()

    thread = threading.Thread(target=build)
    thread.start()
    try:
        while not done.is_set():
            counter._prune()
    finally:
        thread.join()
    assert not errors and first.folder.parent.is_dir()


def test_a_running_task_reports_each_stage_and_an_old_folder_gains_the_column(tmp_path):
    import sqlite3

    from stori.service.store import DB_NAME
    from stori.service.tasks import run_task

    with sqlite3.connect(tmp_path / DB_NAME) as db:  # a studio folder from before tasks told their stage
        db.execute("CREATE TABLE tasks (task_id TEXT PRIMARY KEY, kind TEXT NOT NULL, request TEXT NOT NULL, "
                   "status TEXT NOT NULL, result TEXT, error TEXT, owner TEXT, song_id TEXT, created REAL NOT NULL, "
                   "updated REAL NOT NULL)")
    ws = Workspace(tmp_path)
    heard = []
    set_progress = ws.store.set_progress

    def record(task_id, fraction, stage):
        set_progress(task_id, fraction, stage)
        heard.append((ws.store.task(task_id)["progress"], ws.store.task(task_id)["status"]))

    ws.store.set_progress = record
    ws.store.add_task("t" * 32, "generate", {"prompt": "calm piano", "structure": "verse:2,chorus:2",
                                             "engine": "baseline", "render": False}, 10, owned=False)
    run_task(ws, "t" * 32)
    stages = [p["stage"] for p, _ in heard]
    assert [s.split()[0] for s in stages] == ["planning", "composing", "composing:", "composing:", "performing:",
                                              "writing"]
    assert "composing 2 sections (4 bars) with the baseline engine" in stages
    assert stages[2:4] == ["composing: verse done, 1 of 2 sections", "composing: chorus done, 2 of 2 sections"]
    assert all(status == "running" for _, status in heard)
    fractions = [p["fraction"] for p, _ in heard]
    assert fractions == sorted(fractions) and fractions[-1] < 1
    done = ws.store.task("t" * 32)
    assert done["status"] == "done" and "progress" not in done  # a finished task says so, not its last stage
