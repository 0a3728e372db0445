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
from stori.render.figures import emotion_arc, humanize_changes, piano_roll
from stori.render.midi import midi_to_song
from stori.render.summary import metrics_markdown
from stori.safe_json import load_json
from stori.service import studio
from stori.service.tasks import TaskBoard
from stori.service.workspace import PREVIEW, Take, Workspace
from stori.spec.emotion import AXES, EmotionVector
from stori.spec.song_spec import SongSpec
from stori.ui import views
from stori.ui.fields import UPLOAD_ALLOWED

DOWNLOADS = ("song.mid", "stems.zip", "spec.json", "traces.json")
PART_ROLES = ("drums", "bass", "harmony", "melody")  # the section table's columns
"""The parts whose behaviour the section panel sets."""
WELCOME = ("Your song is ready. Tell me what to change — *make the bridge more intense*, "
           "*sparser drums in the verse*, *use a synth pad instead of the piano*, *add a guitar solo after the "
           "bridge*, *transpose up 2* — or ask *why is the chorus higher?* "
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


def page_path(name: str) -> Path:
    """A new path in Gradio's upload folder, under a random folder: where a file for the page goes."""
    folder = Path(get_upload_folder()) / "stori" / secrets.token_hex(16)
    folder.mkdir(parents=True)
    return folder / name


def publish(path: Path | None) -> str | None:
    """A copy of a studio file in Gradio's upload folder under a random name: what the page is given."""
    if path is None:
        return None
    return str(shutil.copy(path, page_path(path.name)))


def _audio(take: Take):
    return publish(take.path(PREVIEW))


SONG_VIEWS = ("audio", "piano roll", "emotion arc", "timeline", "section table", "section choices", "traces",
              "traces json", "metrics", "downloads", "parts")
"""What the studio shows of a song, in the order of the outputs :func:`_song_views` fills."""


def _song_views(take: Take, selected: str | None = None) -> tuple:
    """The SONG_VIEWS of a take; the ``selected`` section stays selected when the song still has it."""
    song, spec = take.song, take.song.spec
    note = f"\n\n> {take.audio_note}" if take.audio_note else ""
    ids = [s.id for s in spec.sections]
    selected = selected if selected in ids else ids[0]
    return (_audio(take), piano_roll(song), emotion_arc(spec), views.timeline(spec, selected),
            views.section_rows(spec), gr.update(choices=ids, value=selected),
            views.traces_markdown(song.traces), song.traces, metrics_markdown(song) + note,
            gr.update(value=[publish(take.path(n)) for n in DOWNLOADS if take.path(n)],
                      label=f"Downloads: version {take.version}"),  # the number the chat and the folder use
            gr.update(choices=[(t.name, t.role) for t in song.tracks], value=[t.role for t in song.tracks]))


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
            on_step(0.0, "queued")
        task = self.board.wait(self.board.submit("generate",
                                                 {**fields, "spec": spec.to_dict() if spec else None})["task_id"],
                               on_step=on_step)  # the stages the worker reports, as it reaches them
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

    def _fresh(self, take: Take):
        chat = [{"role": "assistant", "content": f"{take.message}\n\n{WELCOME}"}]
        spec = take.song.spec
        return (take.song_id, take.token, spec.to_dict(), *_song_views(take), chat,
                *(round(getattr(spec.global_emotion, a), 2) for a in AXES))

    # --- the selected section ------------------------------------------------------------------
    @staticmethod
    def click_form(evt: gr.EventData):
        """A click on a block of the Form selects its section and opens its panel."""
        return gr.update(value=str(getattr(evt, "_data", {}).get("section", ""))[:80] or None), gr.update(open=True)

    @staticmethod
    def pick_section(spec_dict, rows, section_id):
        """The selected section's bars, behaviours and feel (from the table, which may hold edits)."""
        keep = tuple(gr.update() for _ in range(1 + len(PART_ROLES) + len(AXES)))
        if not spec_dict:
            return keep
        plan = {s.id: s for s in SongSpec.from_dict(spec_dict).sections}
        for row in _rows(rows):
            if row and str(row[0]) == section_id:
                behaviours = plan[section_id].track_behaviours if section_id in plan else {}
                return (row[2], *(behaviours.get(r, "") for r in PART_ROLES),
                        *(float(row[4 + i]) for i in range(len(AXES))))
        return keep

    def regenerate_section(self, history, song_id, token, spec_dict, rows, section_id, bars, *values,
                           progress=gr.Progress()):
        """A new take of the selected section with its panel's bars, behaviours and feel (and any table
        edits), as the song's next version; the other sections keep their notes."""
        behaviours, feel = values[:len(PART_ROLES)], values[len(PART_ROLES):]
        progress(0.1, desc=f"composing {str(section_id)[:40]} and rendering the preview")
        spec = self._table_spec(song_id, spec_dict, rows)
        if section_id not in [s.id for s in spec.sections]:
            raise gr.Error(f"section: {str(section_id)[:40]!r} is not in this song; allowed: "
                           f"{', '.join(s.id for s in spec.sections)}", title="Stori")
        spec = spec.copy()
        s = spec.section(section_id)
        s.bars = bars
        s.emotion = EmotionVector.from_dict(views.shown_emotion(s.emotion.to_dict(), feel))
        s.track_behaviours.update({r: b for r, b in zip(PART_ROLES, behaviours) if b})
        spec = friendly(SongSpec.from_dict)(spec.to_dict())  # the panel's values, checked as the spec checks them
        take = friendly(studio.edit_song)(self.ws, song_id, token, spec, (section_id,))
        return self._edited(history, take, section_id)

    def apply_table(self, history, song_id, token, spec_dict, rows, section_id, progress=gr.Progress()):
        """The table's edits as the song's next version: only the sections they change are composed again."""
        spec = self._table_spec(song_id, spec_dict, rows)
        progress(0.1, desc="composing the changed sections and rendering the preview")
        return self._edited(history, friendly(studio.edit_song)(self.ws, song_id, token, spec), section_id)

    @staticmethod
    def _table_spec(song_id, spec_dict, rows) -> SongSpec:
        if not song_id or not spec_dict:
            raise gr.Error("Generate a song first; then edit its sections.", title="Stori")
        return friendly(lambda: views.spec_from_rows(SongSpec.from_dict(spec_dict), _rows(rows)))()

    @staticmethod
    def _edited(history, take: Take, section_id):
        history = [*(history or []), {"role": "assistant", "content": take.message or "Done."}]
        return (history, take.song.spec.to_dict(), *_song_views(take, section_id))

    @staticmethod
    def redraw(spec_dict, rows, section_id=None):
        if not spec_dict:
            return views.timeline(None)
        try:
            spec = views.spec_from_rows(SongSpec.from_dict(spec_dict), _rows(rows))
        except StoriError:  # a half-edited cell: keep the last good picture
            spec = SongSpec.from_dict(spec_dict)
        return views.timeline(spec, section_id)

    # --- hearing parts ---------------------------------------------------------------------------
    def hear(self, song_id, token, roles, section_id, loop):
        """The preview with only the ticked parts (the rest muted), of the selected section on a loop
        when asked; all parts of the whole song is the song's own preview."""
        if not song_id:
            raise gr.Error("Generate a song first; then choose the parts to hear.", title="Stori")
        song = friendly(self.ws.chat)(song_id, token).take
        if not loop and set(roles or []) == {t.role for t in song.song.tracks}:
            return gr.update(value=_audio(song), loop=False, autoplay=True)
        path = friendly(studio.hear_parts)(self.ws, song_id, token, roles, section_id if loop else None,
                                           page_path("parts.ogg"))
        return gr.update(value=str(path), loop=bool(loop), autoplay=True)

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
        return (publish(take.path("song.mid")), _audio(take), humanize_changes(before, take.song),
                piano_roll(take.song, "after"), take.message + _note(take))

    def own(self, upload, action, bars, bar_range, tracks, chords, seed, retrieve=False):
        """Your MIDI: continue, accompany or vary an upload (:func:`stori.service.studio.own_midi`)."""
        if not upload:
            raise gr.Error(f"midi: no file uploaded; allowed: {UPLOAD_ALLOWED}", title="Stori")
        before, take = friendly(lambda: studio.own_midi(self.ws, uploaded(upload), action, bars, bar_range, tracks,
                                                        chords, seed=seed, retrieve=bool(retrieve)))()
        return (publish(take.path("song.mid")), _audio(take), piano_roll(before, "yours"), piano_roll(take.song),
                take.message + _note(take))

    def own_roll(self, upload):
        """The uploaded file's roll, and the bar sliders set to its length (first and last bar)."""
        if not upload:
            return None, gr.Slider(maximum=64, value=1), gr.Slider(maximum=64, value=1), ""
        song = friendly(lambda: midi_to_song(uploaded(upload)))()
        n = max(1, -(-song.end_tick // song.ticks_per_bar))
        return (piano_roll(song, "yours", (1, 1)), gr.Slider(maximum=n, value=1), gr.Slider(maximum=n, value=1),
                "1-1")

    def own_bars(self, upload, first, last):
        """Bars ``first``..``last`` chosen on the sliders beside the roll: shaded there, and written as
        the range to vary."""
        first, last = sorted((int(first or 1), int(last or 1)))
        if not upload:
            return None, f"{first}-{last}"
        song = friendly(lambda: midi_to_song(uploaded(upload)))()
        return piano_roll(song, "yours", (first, last)), f"{first}-{last}"

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
