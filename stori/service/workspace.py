"""The studio's output folder: one folder per song id, one per version, and nothing served from elsewhere.

Ids are made here (``uuid4().hex``) and checked on the way back in, and file names come from a fixed
list, so text a user types never becomes part of a path.

Songs belong to whoever made them: each new song gets an unguessable access token
(``secrets.token_urlsafe``), returned once with the song; only its SHA-256 is kept (in the song's
folder, never served). Fetching a file or refining the song needs the token; a wrong token and an
unknown song get the same answer, so ids cannot be probed.

Nothing is half-visible and nothing is forgotten: a version is built in a hidden folder and renamed
into place complete (MIDI, stems, zip and, for the studio, its preview), so a kill at any moment
leaves either the whole version or none of it; the version number is claimed by that rename, so any
number of processes can save into one folder. Chat sessions live in the task store
(:mod:`stori.service.store`) and are rebuilt from the version folders after a restart; a few stay
in memory. The folder is bounded by songs (KEEP_SONGS), bytes (``STORI_STUDIO_MAX_MB``) and versions
per song (MAX_VERSIONS).
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
import uuid
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from stori.compose.chat import parse_command
from stori.compose.refine import SongSession
from stori.errors import StoriError
from stori.render.audio import AudioUnavailable, find_soundfont, render_ogg
from stori.render.bundle import read_bundle, write_bundle
from stori.render.midi import midi_to_song
from stori.service.store import Store
from stori.spec.song import Song

ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")
PREVIEW = "preview.ogg"
SERVED_FILES = ("song.mid", "stems.zip", "spec.json", "traces.json", PREVIEW)
PREVIEW_RATE = 22050  # half CD rate: plenty for a sketch (a 2-minute song is about 1.2 MB of Ogg Vorbis)
PREVIEW_MAX_S = 600  # the studio previews the first 10 minutes (a 60-minute upload would take a minute)
LONG_NOTE = f"The preview plays the first {PREVIEW_MAX_S // 60} minutes; song.mid has it all."
KEEP_SESSIONS = 64  # chat sessions held in memory; the rest are rebuilt from disk when used
KEEP_SONGS = 200  # song folders kept on disk; the least recently changed go first (a long-running Space stays small)
KEEP_MB = 2000  # ... and at most this many megabytes of them (STORI_STUDIO_MAX_MB)
MAX_VERSIONS = 100  # versions one song may have
STALE_S = 3600  # a hidden half-built folder older than this was left by a killed process


TOKEN_FILE = ".token"  # the SHA-256 of the song's access token; not in SERVED_FILES


def _no_song() -> StoriError:
    return StoriError("token", "no song with this id and token",
                      "the song_id and token returned when the song was made")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def check_id(value, field_name: str = "song_id") -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise StoriError(field_name, f"{str(value)[:40]!r} is not an id", "a 32-character id returned by the studio")
    return value


@dataclass
class Take:
    """One saved version of a song: where its files are and what to say about it."""

    song_id: str
    version: int
    song: Song
    folder: Path
    audio_note: str = ""  # why there is no preview, when there is none
    token: str = ""  # the song's access token, when the caller made or holds it
    message: str = ""  # what changed (refinement) or what was made
    extra: dict = field(default_factory=dict)

    def path(self, name: str) -> Path | None:
        p = self.folder / name
        return p if name in SERVED_FILES and p.is_file() else None

    def links(self, prefix: str = "/api/v1/files") -> dict[str, str]:
        """Download links; each carries the token, so a link works as given and only for whoever holds it.
        The preview is listed when it exists or can be made: it is rendered when first fetched."""
        query = f"?token={self.token}" if self.token else ""
        return {name: f"{prefix}/{self.song_id}/{self.version}/{name}{query}" for name in SERVED_FILES
                if self.path(name) or (name == PREVIEW and not self.audio_note and audio_available())}


def audio_available() -> bool:
    try:
        import fluidsynth  # noqa: F401  (pyfluidsynth loads libfluidsynth at import)
        find_soundfont()
    except (ImportError, OSError, AudioUnavailable):
        return False
    return True


@dataclass
class Chat:
    """A song's chat session, the take it stands on, and the stored row it was read from."""

    session: SongSession
    take: Take
    row: dict


def default_root() -> Path:
    """The studio folder: ``STORI_STUDIO_DIR``, else ``stori-studio`` in the temp folder."""
    return Path(os.environ.get("STORI_STUDIO_DIR") or Path(tempfile.gettempdir()) / "stori-studio")


def _mtime(path: Path) -> float:
    """When ``path`` last changed; 0 when another process has just removed it."""
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _bytes(folder: Path) -> int:
    """The bytes under ``folder``, counted while other processes may be writing and removing there
    (their hidden build folders come and go): what vanishes mid-count counts nothing."""
    total = 0
    for parent, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(FileNotFoundError):
                total += os.stat(os.path.join(parent, name)).st_size
    return total


class Workspace:
    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.store = Store(self.root)
        self.max_bytes = int(float(os.environ.get("STORI_STUDIO_MAX_MB") or KEEP_MB) * 1e6)
        self._lock = threading.Lock()
        self._song_locks = [threading.Lock() for _ in range(64)]
        self._chats: OrderedDict[str, Chat] = OrderedDict()
        self._sweep()

    def _sweep(self) -> None:
        """Remove half-built version folders left by a killed process."""
        for tmp in self.root.glob("*/.new-*"):
            if time.time() - _mtime(tmp) > STALE_S:
                shutil.rmtree(tmp, ignore_errors=True)

    def song_lock(self, song_id: str) -> threading.Lock:
        """One edit of a song at a time in this process (the store's revision guards across processes)."""
        return self._song_locks[int(song_id[:8], 16) % len(self._song_locks)]

    def save(self, song: Song, song_id: str | None = None, render: bool = True, same_as: int | None = None) -> Take:
        """Write ``song`` as the next version of ``song_id`` (a new id, with a new token, when None).

        The version is built in a hidden folder (with its preview when ``render``: a copy of version
        ``same_as``'s when that one holds the same song, as after undo) and renamed into place whole;
        the rename claims the version number."""
        token, new = "", not song_id
        if new:
            self._prune()
            song_id, token = uuid.uuid4().hex, secrets.token_urlsafe(24)
            (self.root / song_id).mkdir(parents=True)
            (self.root / song_id / TOKEN_FILE).write_text(_digest(token))
        else:
            check_id(song_id)
        tmp = Path(tempfile.mkdtemp(prefix=".new-", dir=self.root / song_id))
        try:
            write_bundle(song, tmp, render=False)
            with zipfile.ZipFile(tmp / "stems.zip", "w", zipfile.ZIP_DEFLATED) as z:
                for stem in sorted((tmp / "stems").glob("*.mid")):
                    z.write(stem, f"stems/{stem.name}")
            take = Take(song_id, 0, song, tmp, token=token)
            earlier = self.root / song_id / str(same_as) / PREVIEW if same_as is not None else None
            if render and earlier is not None and earlier.is_file():
                shutil.copyfile(earlier, tmp / PREVIEW)
                if song.duration_s > PREVIEW_MAX_S:
                    take.audio_note = LONG_NOTE
            elif render:
                self.render(take)
            take.version = self._claim(song_id, tmp)
            take.folder = self.root / song_id / str(take.version)
        except BaseException:  # nothing half-written: the hidden folder (and a new song's folder) goes
            shutil.rmtree(self.root / song_id if new else tmp, ignore_errors=True)
            raise
        return take

    def _claim(self, song_id: str, tmp: Path) -> int:
        folder = self.root / song_id
        version = max((int(p.name) for p in folder.iterdir() if p.name.isdigit()), default=0) + 1
        while True:
            if version > MAX_VERSIONS:
                raise StoriError("song_id", f"has {MAX_VERSIONS} versions, the most a song keeps",
                                 "generate a new song (its spec.json can be composed again)")
            try:
                tmp.rename(folder / str(version))  # fails when another process took this number first
                return version
            except OSError:
                version += 1

    def _prune(self) -> None:
        """Keep fewer than KEEP_SONGS songs and at most ``max_bytes``; the least recently changed go first."""
        songs = sorted((p for p in self.root.iterdir() if p.is_dir() and ID_PATTERN.match(p.name)), key=_mtime)
        sizes = [_bytes(p) for p in songs]
        total = sum(sizes)
        for k, old in enumerate(songs):
            if len(songs) - k < KEEP_SONGS and total <= self.max_bytes:
                break
            shutil.rmtree(old, ignore_errors=True)
            total -= sizes[k]
            self.store.expire_song(old.name)
            with self._lock:
                self._chats.pop(old.name, None)

    @staticmethod
    def render(take: Take) -> None:
        """Add the FluidSynth preview (the first PREVIEW_MAX_S seconds); without FluidSynth the take says why
        instead."""
        try:
            render_ogg(take.song, take.folder / PREVIEW, sample_rate=PREVIEW_RATE, max_seconds=PREVIEW_MAX_S)
        except AudioUnavailable as e:
            take.audio_note = f"No audio preview: {e}"
            return
        if take.song.duration_s > PREVIEW_MAX_S:
            take.audio_note = LONG_NOTE

    def check_token(self, song_id, token) -> str:
        """``song_id`` if ``token`` is its access token; otherwise one answer for every other case."""
        try:
            check_id(song_id)
            kept = (self.root / song_id / TOKEN_FILE).read_text()
        except (StoriError, OSError):
            raise _no_song() from None
        if not isinstance(token, str) or not hmac.compare_digest(kept, _digest(token)):
            raise _no_song()
        return song_id

    def file(self, song_id: str, version, name: str, token: str) -> Path:
        """The path of a served file, after checking the token and every part; raises StoriError otherwise.
        A preview not rendered yet (REST songs) is rendered now, into place whole."""
        self.check_token(song_id, token)
        if name not in SERVED_FILES:
            raise StoriError("file", f"{str(name)[:40]!r} is not served", ", ".join(SERVED_FILES))
        if not str(version).isdigit():
            raise StoriError("version", f"{str(version)[:20]!r} is not a version", "a positive integer")
        folder = (self.root / song_id / str(int(version))).resolve()
        path = folder / name
        made = folder.is_relative_to(self.root) and (folder / "song.mid").is_file()
        if name == PREVIEW and made and not path.is_file():
            self._late_preview(folder)
        if not path.is_relative_to(self.root) or not path.is_file():
            raise StoriError("file", "no such file", "files of songs made by this studio")
        return path

    @staticmethod
    def _late_preview(folder: Path) -> None:
        fd, tmp = tempfile.mkstemp(prefix=".preview-", suffix=".ogg", dir=folder)
        os.close(fd)
        try:
            render_ogg(midi_to_song(folder / "song.mid"), tmp, sample_rate=PREVIEW_RATE, max_seconds=PREVIEW_MAX_S)
            os.replace(tmp, folder / PREVIEW)
        except AudioUnavailable as e:
            raise StoriError("file", f"no audio preview: {e}") from None
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def load_take(self, result: dict) -> Take:
        """The take a finished generate task describes (made by a queue worker), read from its folder."""
        song_id, version = check_id(result["song_id"]), int(result["version"])
        folder = self.root / song_id / str(version)
        return Take(song_id, version, read_bundle(folder), folder, result.get("audio_note", ""),
                    result.get("token", ""),
                    result.get("message", ""))

    # --- chat sessions: rows in the store, the most recent KEEP_SESSIONS also in memory -----------------
    def open_chat(self, take: Take, engine: str, seed: int) -> None:
        row = {"song_id": take.song_id, "engine": engine, "seed": int(seed), "versions": [take.version],
               "commands": [None],
               "position": 0, "current": take.version}
        if not self.store.save_session(row, 0):
            raise StoriError("song_id", "already has a chat", "a new song")
        self._keep(Chat(SongSession(take.song, engine=engine, seed=int(seed)), take, {**row, "rev": 1}))

    def chat(self, song_id: str, token: str) -> Chat:
        """The chat of a song, for the holder of its token: from memory if no other process changed
        it since, else rebuilt from its version folders (what a restart does)."""
        self.check_token(song_id, token)
        row = self.store.session(song_id)
        if row is None:
            raise StoriError("song_id", "has no chat in this studio (it may have expired)",
                             "an id from a recent generate")
        with self._lock:
            kept = self._chats.get(song_id)
            if kept is not None and kept.row["rev"] == row["rev"]:
                self._chats.move_to_end(song_id)
                return kept
        songs = [read_bundle(self.root / song_id / str(v)) for v in row["versions"]]
        session = SongSession(songs[0], engine=row["engine"], seed=row["seed"])
        session.versions = songs
        session.commands = [None if c is None else parse_command(c) for c in row["commands"]]
        session.index = row["position"]
        take = Take(song_id, row["current"], session.song, self.root / song_id / str(row["current"]))
        return self._keep(Chat(session, take, row))

    def commit_chat(self, chat: Chat, take: Take, new_version: bool) -> None:
        """Store where ``chat`` stands after a message (``take``: the version now current; ``new_version``:
        its song is a new version of the chat, not a move back or forth); refuses an edit that raced another."""
        s, row = chat.session, dict(chat.row)
        versions = row["versions"][:s.index] + [take.version] if new_version else row["versions"]
        row.update(versions=versions, commands=[None if c is None else c.text for c in s.commands],
                   position=s.index, current=take.version)
        if not self.store.save_session(row, chat.row["rev"]):
            with self._lock:
                self._chats.pop(chat.take.song_id, None)
            raise StoriError("message", "the song was changed by another request at the same moment",
                             "send the message again")
        chat.take, chat.row = take, {**row, "rev": chat.row["rev"] + 1}
        self._keep(chat)

    def forget(self, song_id: str) -> None:
        """Drop the in-memory copy of a chat (after a failed edit), so the next message rebuilds it from disk."""
        with self._lock:
            self._chats.pop(song_id, None)

    def _keep(self, chat: Chat) -> Chat:
        with self._lock:
            self._chats[chat.take.song_id] = chat
            self._chats.move_to_end(chat.take.song_id)
            while len(self._chats) > KEEP_SESSIONS:
                self._chats.popitem(last=False)
        return chat
