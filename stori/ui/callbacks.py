"""The Gradio side of the studio: turn a Take into what each component shows, and errors into messages.

A StoriError becomes ``gr.Error`` (a toast in the browser, an ``AppError`` in gradio_client) with
the library's one-line message; the app keeps serving.

Files cross the Gradio door only two ways: an upload is read only if it lies in Gradio's upload
folder once links are resolved (:func:`uploaded`), and a studio file is handed to the page as a
copy in that folder under a random name (:func:`publish`), so the studio folder itself is never
served by Gradio and a song's files stay behind its token.
"""
from __future__ import annotations

import secrets
import shutil
from functools import wraps
from pathlib import Path

import gradio as gr
from gradio.utils import get_upload_folder

from stori import inputs
from stori.compose import DEFAULT_ENGINE, ENGINES
from stori.errors import StoriError
from stori.render.figures import emotion_arc, piano_roll
from stori.render.summary import metrics_markdown
from stori.safe_json import load_json
from stori.service import studio
from stori.service.tasks import TaskBoard
from stori.service.workspace import PREVIEW, Take, Workspace
from stori.spec.emotion import AXES
from stori.spec.song_spec import SongSpec
from stori.ui import views
from stori.ui.fields import UPLOAD_ALLOWED

DOWNLOADS = ("song.mid", "stems.zip", "spec.json", "traces.json")
WELCOME = ("Your song is ready. Tell me what to change — *make the bridge more intense*, "
           "*the second chorus brighter*, *busier drums* — or ask *why is the chorus higher?* "
           "Type **undo** or **redo** to move between versions.")


def friendly(fn):
    """Run ``fn``; a StoriError becomes a gr.Error carrying its one-line message."""
    @wraps(fn)
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StoriError as e:
            raise gr.Error(str(e), title="Stori") from None
    return run


def uploaded(path) -> Path:
    """The file Gradio received as an upload at ``path``; anything else (a server path, a link out
    of the upload folder, a traversal, a URL) gets one answer, whether or not it exists."""
    refused = StoriError("midi", "is not a file uploaded to the studio", UPLOAD_ALLOWED)
    if not isinstance(path, (str, Path)) or not str(path):
        raise refused
    folder = Path(get_upload_folder()).resolve()
    try:
        real = Path(path).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        raise refused from None
    if not real.is_relative_to(folder) or not real.is_file():
        raise refused
    return real


def publish(path: Path | None) -> str | None:
    """A copy of a studio file in Gradio's upload folder under a random name: what the page is given."""
    if path is None:
        return None
    folder = Path(get_upload_folder()) / "stori" / secrets.token_hex(16)
    folder.mkdir(parents=True)
    return str(shutil.copy(path, folder / path.name))


def _audio(take: Take):
    return publish(take.path(PREVIEW))


SONG_VIEWS = ("audio", "piano roll", "emotion arc", "timeline", "section table", "section choices", "traces",
              "traces json", "metrics", "downloads")
"""What the studio shows of a song, in the order of the outputs :func:`_song_views` fills."""


def _song_views(take: Take) -> tuple:
    """The SONG_VIEWS of a take."""
    song, spec = take.song, take.song.spec
    note = f"\n\n> {take.audio_note}" if take.audio_note else ""
    return (_audio(take), piano_roll(song), emotion_arc(spec), views.timeline(spec),
            views.section_rows(spec), gr.update(choices=[s.id for s in spec.sections], value=spec.sections[0].id),
            views.traces_markdown(song.traces), song.traces, metrics_markdown(song) + note,
            [publish(take.path(n)) for n in DOWNLOADS if take.path(n)])


class Callbacks:
    def __init__(self, ws: Workspace, board: TaskBoard | None = None):
        self.ws, self.board = ws, board

    def _create(self, on_step=None, **kw) -> Take:
        """A new song, composed by the task board (its process pool or the queue's workers, so the page
        and REST share the same cores) and read back; without a board, composed here."""
        if self.board is None:
            return friendly(studio.create_song)(self.ws, on_step=on_step, **kw)
        spec = kw.pop("spec", None)
        fields = friendly(lambda: inputs.generate_args(
            prompt_text=kw.get("prompt"), emotion_values=kw.get("emotion"), tempo_bpm=kw.get("tempo"),
            key_name=kw.get("key"),
            form=kw.get("structure"), meter=kw.get("time_signature"), engine_name=kw.get("engine") or DEFAULT_ENGINE,
            seed_value=kw.get("seed", 0), engines=ENGINES))()  # refused here, before a task is made
        if on_step:
            on_step(0.1, "composing")
        task = self.board.wait(self.board.submit("generate",
                                                 {**fields, "spec": spec.to_dict() if spec else None})["task_id"])
        if task["status"] != "done":
            raise gr.Error(task.get("error") or f"the task is {task['status']}", title="Stori")
        return self.ws.load_take(task["result"])

    # --- Compose -----------------------------------------------------------------------------
    def compose(self, prompt, feel_from_words, energy, valence, tension, intimacy, motion, tempo, key, meter, structure,
                engine, seed, progress=gr.Progress()):
        feel = None if feel_from_words else dict(zip(AXES, (energy, valence, tension, intimacy, motion)))
        take = self._create(
            prompt=prompt, emotion=feel, tempo=tempo or None, key=_blank_none(key), structure=_blank_none(structure),
            time_signature=meter or None, engine=engine, seed=seed or 0, on_step=lambda f, text: progress(f, desc=text))
        return self._fresh(take)

    def recompose(self, spec_dict, rows, engine, seed, progress=gr.Progress()):
        """Compose again from the edited section table (the plan otherwise kept)."""
        if not spec_dict:
            raise gr.Error("Generate a song first; the table edits its sections.", title="Stori")
        spec = friendly(lambda: views.spec_from_rows(SongSpec.from_dict(spec_dict), _rows(rows)))()
        take = self._create(spec=spec, engine=engine, seed=seed or 0, on_step=lambda f, text: progress(f, desc=text))
        return self._fresh(take)

    def _fresh(self, take: Take):
        chat = [{"role": "assistant", "content": f"{take.message}\n\n{WELCOME}"}]
        spec = take.song.spec
        return (take.song_id, take.token, spec.to_dict(), *_song_views(take), chat,
                *(round(getattr(spec.global_emotion, a), 2) for a in AXES))

    # --- the selected section ------------------------------------------------------------------
    @staticmethod
    def pick_section(rows, section_id):
        for row in _rows(rows):
            if row and str(row[0]) == section_id:
                return tuple(float(row[4 + i]) for i in range(len(AXES)))
        return tuple(gr.update() for _ in AXES)

    @staticmethod
    def set_section(spec_dict, rows, section_id, *values):
        """Write the section sliders into the table row (regenerate to hear it) and redraw the timeline."""
        rows = [list(r) for r in _rows(rows)]
        for row in rows:
            if row and str(row[0]) == section_id:
                row[4:4 + len(AXES)] = [round(float(v), 3) for v in values]
        return rows, Callbacks.redraw(spec_dict, rows, section_id)

    @staticmethod
    def redraw(spec_dict, rows, section_id=None):
        if not spec_dict:
            return views.timeline(None)
        try:
            spec = views.spec_from_rows(SongSpec.from_dict(spec_dict), _rows(rows))
        except StoriError:  # a half-edited cell: keep the last good picture
            spec = SongSpec.from_dict(spec_dict)
        return views.timeline(spec, section_id)

    # --- Chat ----------------------------------------------------------------------------------
    def chat(self, message, history, song_id, token):
        history = list(history or [])
        message = (message or "").strip()
        unchanged = tuple(gr.update() for _ in ("spec", *SONG_VIEWS))
        if not message:
            return (history, "", *unchanged)
        history.append({"role": "user", "content": message})
        if not song_id:
            history.append({"role": "assistant", "content": "Generate a song first, then tell me what to change."})
            return (history, "", *unchanged)
        try:
            take = studio.refine_song(self.ws, song_id, message, token)
        except StoriError as e:
            history.append({"role": "assistant", "content": f"I could not do that: {e}"})
            return (history, "", *unchanged)
        history.append({"role": "assistant", "content": take.message or "Done."})
        return (history, "", take.song.spec.to_dict(), *_song_views(take))

    # --- Drums and Humanize ----------------------------------------------------------------------
    def drums(self, style, bars, meter, tempo, humanize, pattern_type, seed):
        take = friendly(studio.make_drums)(self.ws, style, bars, meter, tempo, bool(humanize), pattern_type, seed)
        return publish(take.path("song.mid")), _audio(take), piano_roll(take.song), take.message + _note(take)

    def humanize(self, upload, style, amount):
        if not upload:
            raise gr.Error(f"midi: no file uploaded; allowed: {UPLOAD_ALLOWED}", title="Stori")
        before, take = friendly(lambda: studio.humanize_midi(self.ws, uploaded(upload), style, amount))()
        return (publish(take.path("song.mid")), _audio(take), piano_roll(before, "before"),
                piano_roll(take.song, "after"),
                take.message + _note(take))

    def own(self, upload, action, bars, bar_range, tracks, chords, seed, retrieve=False):
        """Your MIDI: continue, accompany or vary an upload (:func:`stori.service.studio.own_midi`)."""
        if not upload:
            raise gr.Error(f"midi: no file uploaded; allowed: {UPLOAD_ALLOWED}", title="Stori")
        before, take = friendly(lambda: studio.own_midi(self.ws, uploaded(upload), action, bars, bar_range, tracks,
                                                        chords, seed=seed, retrieve=bool(retrieve)))()
        return (publish(take.path("song.mid")), _audio(take), piano_roll(before, "yours"), piano_roll(take.song),
                take.message + _note(take))

    # --- JSON endpoints (api_name generate / refine) ------------------------------------------------
    def api_generate(self, prompt: str = "", emotion: str = "", tempo: float = 0, key: str = "", structure: str = "",
                     time_signature: str = "", engine: str = "", seed: int = 0) -> dict:
        """Plan and compose a song. ``emotion`` is JSON such as {"energy": 0.7, "valence": -0.2}; empty
        text fields and a tempo of 0 mean "from the words". Returns the song id, its access token (needed
        to refine it and fetch its files), a summary and links to song.mid, stems.zip, spec.json,
        traces.json, preview.ogg."""
        feel = friendly(_json_object)(emotion, "emotion")
        return studio.describe(self._create(prompt=prompt, emotion=feel, tempo=tempo or None, key=_blank_none(key),
                                     structure=_blank_none(structure), time_signature=_blank_none(time_signature),
                                     engine=engine or None, seed=seed or 0))

    def api_refine(self, song_id: str, message: str, token: str = "") -> dict:
        """Refine a song by chat (e.g. "make the bridge more intense", "why is the chorus higher?", "undo");
        ``token`` is the one generate returned. Returns the reply (the musical diff or the answer), the
        changed sections and links to the new version."""
        return studio.describe(friendly(studio.refine_song)(self.ws, song_id, message, token))


def _blank_none(value):
    """The studio's convention: an empty text field means "not given"."""
    return None if value is None or (isinstance(value, str) and not value) else value


def _json_object(text, field_name: str) -> dict | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if not isinstance(text, str):
        raise StoriError(field_name, f"is a {type(text).__name__}", 'JSON text of an object such as {"energy": 0.7}')
    value = load_json(inputs.text(text, field_name, 4000, "JSON text up to 4000 characters"), field_name,
                             'an object such as {"energy": 0.7}')
    if not isinstance(value, dict):
        raise StoriError(field_name, "is not a JSON object", 'an object such as {"energy": 0.7}')
    return value


def _rows(rows) -> list[list]:
    """Dataframe value (list of lists, or a pandas frame) -> list of lists."""
    if rows is None:
        return []
    if hasattr(rows, "values") and hasattr(rows, "columns"):
        return rows.values.tolist()
    if isinstance(rows, dict):  # {"headers", "data"}
        return list(rows.get("data", []))
    return [list(r) for r in rows]


def _note(take: Take) -> str:
    return f"\n\n> {take.audio_note}" if take.audio_note else ""
