"""The studio's output folder: one folder per song id, one per version, and nothing served from elsewhere.

Ids are made here (``uuid4().hex``) and checked on the way back in, and file names come from a fixed
list, so text a user types never becomes part of a path.

Songs belong to whoever made them: each new song gets an unguessable access token
(``secrets.token_urlsafe``), returned once with the song; only its SHA-256 is kept (in the song's
folder, never served). Fetching a file or refining the song needs the token; a wrong token and an
unknown song get the same answer, so ids cannot be probed.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import shutil
import threading
import uuid
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from stori.errors import StoriError
from stori.render.audio import AudioUnavailable, render_wav
from stori.render.bundle import write_bundle
from stori.spec.song import Song

ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")
SERVED_FILES = ("song.mid", "stems.zip", "spec.json", "traces.json", "preview.wav")
PREVIEW_RATE = 22050  # half CD rate: a third of the bytes to send, plenty for a sketch
PREVIEW_MAX_S = 600  # the studio previews the first 10 minutes (a 60-minute upload would take a minute and 300 MB)
KEEP_SESSIONS = 64
KEEP_SONGS = 200  # song folders kept on disk; the oldest go first, so a long-running Space does not fill up


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
        """Download links; each carries the token, so a link works as given and only for whoever holds it."""
        query = f"?token={self.token}" if self.token else ""
        return {name: f"{prefix}/{self.song_id}/{self.version}/{name}{query}"
                for name in SERVED_FILES if self.path(name)}


class Workspace:
    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._versions: dict[str, int] = {}
        self._sessions: OrderedDict[str, object] = OrderedDict()

    def save(self, song: Song, song_id: str | None = None, render: bool = True) -> Take:
        """Write ``song`` as the next version of ``song_id`` (a new id, with a new token, when None)."""
        token = ""
        with self._lock:
            if not song_id:
                self._prune()
            new = not song_id
            song_id = check_id(song_id) if song_id else uuid.uuid4().hex
            version = self._versions.get(song_id, 0) + 1
            self._versions[song_id] = version
        if new:
            token = secrets.token_urlsafe(24)
            (self.root / song_id).mkdir(parents=True, exist_ok=True)
            (self.root / song_id / TOKEN_FILE).write_text(_digest(token))
        folder = self.root / song_id / str(version)
        try:
            write_bundle(song, folder, render=False)
            with zipfile.ZipFile(folder / "stems.zip", "w", zipfile.ZIP_DEFLATED) as z:
                for stem in sorted((folder / "stems").glob("*.mid")):
                    z.write(stem, f"stems/{stem.name}")
        except BaseException:  # nothing half-written: the version (and a new song's folder) goes
            shutil.rmtree(self.root / song_id if new else folder, ignore_errors=True)
            raise
        take = Take(song_id, version, song, folder, token=token)
        if render:
            self.render(take)
        return take

    def _prune(self) -> None:
        songs = sorted((p for p in self.root.iterdir() if p.is_dir() and ID_PATTERN.match(p.name)),
                       key=lambda p: p.stat().st_mtime)
        for old in songs[:max(0, len(songs) - KEEP_SONGS + 1)]:
            shutil.rmtree(old, ignore_errors=True)
            self._versions.pop(old.name, None)
            self._sessions.pop(old.name, None)

    @staticmethod
    def render(take: Take) -> None:
        """Add the FluidSynth preview (the first PREVIEW_MAX_S seconds); without FluidSynth the take says why
        instead."""
        try:
            render_wav(take.song, take.folder / "preview.wav", sample_rate=PREVIEW_RATE, max_seconds=PREVIEW_MAX_S)
        except AudioUnavailable as e:
            take.audio_note = f"No audio preview: {e}"
            return
        if take.song.duration_s > PREVIEW_MAX_S:
            take.audio_note = f"The preview plays the first {PREVIEW_MAX_S // 60} minutes; song.mid has it all."

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
        """The path of a served file, after checking the token and every part; raises StoriError otherwise."""
        self.check_token(song_id, token)
        if name not in SERVED_FILES:
            raise StoriError("file", f"{str(name)[:40]!r} is not served", ", ".join(SERVED_FILES))
        if not str(version).isdigit():
            raise StoriError("version", f"{str(version)[:20]!r} is not a version", "a positive integer")
        path = (self.root / song_id / str(int(version)) / name).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise StoriError("file", "no such file", "files of songs made by this studio")
        return path

    # Chat sessions live in memory, the most recent KEEP_SESSIONS of them.
    def remember(self, song_id: str, session) -> None:
        with self._lock:
            self._sessions[song_id] = session
            self._sessions.move_to_end(song_id)
            while len(self._sessions) > KEEP_SESSIONS:
                self._sessions.popitem(last=False)

    def session(self, song_id: str, token: str):
        """The chat session of a song, for the holder of its token."""
        self.check_token(song_id, token)
        with self._lock:
            if song_id not in self._sessions:
                raise StoriError("song_id", "no such song in this studio (it may have expired)",
                                 "an id from a recent generate")
            self._sessions.move_to_end(song_id)
            return self._sessions[song_id]
