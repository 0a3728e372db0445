"""The studio's Blocks: Compose (with the refinement chat), Drums, Humanize, and the named API endpoints."""
from __future__ import annotations

import gradio as gr
from gradio.utils import get_space

from stori.compose import DEFAULT_ENGINE, ENGINES
from stori.perform.drum_patterns import METERS as DRUM_METERS
from stori.perform.drums import PATTERN_TYPES
from stori.perform.styles import STYLES as DRUM_STYLES
from stori.render.midi_limits import MAX_MIDI_BYTES
from stori.service import studio
from stori.spec.emotion import AXES, RANGES
from stori.spec.song_spec import BEHAVIOURS, METERS, SECTION_TYPES
from stori.ui import fields, views
from stori.ui.callbacks import PART_ROLES, Callbacks

EXAMPLES = [
    "a bittersweet indie folk song about leaving home, with fingerpicked guitar, warm bass, subtle drums, "
    "and a melody that soars in the chorus",
    "late-night lo-fi hip-hop, dusty drums, jazzy electric piano, tender and a little melancholy",
    "a triumphant cinematic build with strings, 3/4, starting sparse and ending huge",
    "an anxious, driving synth-pop track in F minor at 128 bpm",
    "warm neo-soul groove, laid-back drums, rhodes and a singing bass line",
]
PLAYHEAD_JS = """() => {
  const find = (root) => {  // the preview's playing element: the waveform keeps it in a shadow root
    for (const el of root.querySelectorAll('*')) {
      if (el.tagName === 'AUDIO' && (el.currentSrc || el.src)) return el;
      const inner = el.shadowRoot && find(el.shadowRoot);
      if (inner) return inner;
    }
    return null;
  };
  setInterval(() => {  // a line on the piano roll where the preview is playing (the roll's meta gives bars/s)
    const preview = document.querySelector('#preview');
    const audio = preview && find(preview);
    const plot = document.querySelector('#piano-roll .js-plotly-plot');
    const layout = plot && plot._fullLayout;
    if (!layout || !layout.xaxis) return;
    let line = plot.querySelector('.stori-playhead');
    const rate = (layout.meta || {}).bars_per_second;
    const playing = audio && rate && (!audio.paused || audio.currentTime > 0) && !audio.loop;
    if (!playing) { if (line) line.style.display = 'none'; return; }
    if (!line) {
      line = document.createElement('div');
      line.className = 'stori-playhead';
      plot.style.position = 'relative';
      plot.appendChild(line);
    }
    const x = layout._size.l + layout.xaxis.l2p(1 + audio.currentTime * rate);
    line.style.cssText = `position:absolute;top:${layout._size.t}px;height:${layout._size.h}px;left:${x}px;` +
      'width:2px;background:#e4572e;pointer-events:none;display:block';
  }, 100);
}"""
AXIS_HELP = {"energy": "quiet ↔ loud and busy", "valence": "dark ↔ bright", "tension": "settled ↔ unresolved",
             "intimacy": "big room ↔ close and soft", "motion": "still ↔ driving"}
SONG_FEEL = {"energy": 0.5, "valence": 0.0, "tension": 0.3, "intimacy": 0.5, "motion": 0.5}
CSS = """
#stori-title h1 {margin-bottom: 0; letter-spacing: -0.02em;}
#stori-title p {margin-top: 2px; opacity: 0.75;}
#generate {min-height: 52px; font-size: 1.05rem;}
.stori-card {border-radius: 12px;}
#metrics table {display: block; width: max-content; max-width: 100%; overflow-x: auto; border: none;}
#metrics th, #metrics td {white-space: nowrap; word-break: keep-all;}
"""


def share_buttons() -> list[str]:
    """Gradio's Share (a post to the Space's Discussions) works only on a Hugging Face Space: shown there only."""
    return ["share"] if get_space() else []


def _sliders(values: dict, prefix: str) -> list[gr.Slider]:
    return [fields.Slider(*RANGES[a], value=values[a], step=0.05, label=f"{prefix}{a}", info=AXIS_HELP[a],
                          elem_id=f"{prefix.strip().replace(' ', '-')}{a}", rule=fields.in_range(a, *RANGES[a]))
            for a in AXES]


def build_blocks(cb: Callbacks) -> gr.Blocks:
    with fields.Blocks(title="Stori studio", analytics_enabled=False) as demo:
        song_id = gr.State("")
        song_token = gr.State("")  # the song's access token: kept on the server, never shown
        spec_state = gr.State(None)
        gr.Markdown("# Stori studio\nSay what the song should feel like; get an editable multi-track MIDI song, "
                    "then talk to it until you keep it.", elem_id="stori-title")
        with gr.Tabs():
            with gr.Tab("Compose", id="compose"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        prompt = gr.Textbox(label="Describe your song (Enter generates)", lines=1, max_lines=4,
                                            max_length=2000, elem_id="prompt",
                                            placeholder="a bittersweet indie folk song about leaving home…")
                        gr.Examples(EXAMPLES, inputs=prompt, label="Try one")
                        with gr.Accordion("Key, tempo, meter, form, engine", open=False):
                            with gr.Row():
                                tempo = fields.Number(label="Tempo (BPM; 0 = from the words)", value=0, minimum=0,
                                                      maximum=240, rule=fields.tempo_or_words)
                                key = gr.Textbox(label="Key (empty = from the words)", placeholder="A minor",
                                                 max_length=20)
                                meters = [""] + [f"{n}/{d}" for n, d in METERS]
                                meter = fields.Dropdown(meters, value="", label="Meter",
                                                        rule=fields.one_of("time_signature", meters))
                            with gr.Row():
                                structure = gr.Textbox(label="Form (empty = from the genre)", max_length=300,
                                                       placeholder="intro:4,verse:8,chorus:8,outro:4")
                                engine = fields.Dropdown(list(ENGINES), value=DEFAULT_ENGINE, label="Engine",
                                                         elem_id="engine", rule=fields.one_of("engine", ENGINES))
                                seed = fields.Number(label="Seed", value=0, precision=0, minimum=0, rule=fields.seed)
                        generate_btn = gr.Button("Generate", variant="primary", elem_id="generate")
                    with gr.Column(scale=2):
                        gr.Markdown("#### Song feel")
                        feel_from_words = gr.Checkbox(True, label="Feel from the words (move a slider to take over)")
                        feel = _sliders(SONG_FEEL, "")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        audio = gr.Audio(label="Preview", type="filepath", interactive=False, elem_id="preview",
                                         buttons=["download", *share_buttons()])
                        with gr.Row(equal_height=True):
                            parts = gr.CheckboxGroup([], label="Parts to hear (untick to mute)", elem_id="parts",
                                                     scale=3)
                            with gr.Column(scale=1, min_width=160):
                                loop_section = gr.Checkbox(False, label="Loop the selected section",
                                                           elem_id="loop-section")
                                hear_btn = gr.Button("Hear", size="sm", elem_id="hear")
                        roll = gr.Plot(label="Piano roll", elem_id="piano-roll")
                    with gr.Column(scale=2):
                        chatbot = gr.Chatbot(label="Refine by chat", height=540, elem_id="chat",
                                             buttons=[*share_buttons(), "copy", "copy_all"],
                                             placeholder="Generate a song, then tell me what to change.")
                        with gr.Row():
                            say = gr.Textbox(show_label=False, placeholder="make the bridge more intense", scale=4,
                                             max_length=studio.MAX_CHAT_CHARS, elem_id="say")
                            send = gr.Button("Send", scale=1, elem_id="send")
                        with gr.Row():
                            undo = gr.Button("↶ Undo", size="sm")
                            redo = gr.Button("↷ Redo", size="sm")
                metrics = gr.Markdown(elem_id="metrics")
                gr.Markdown("#### Form: click a section to edit it")
                form = gr.HTML(views.timeline(None), css_template=views.FORM_CSS, js_on_load=views.FORM_JS,
                               elem_id="timeline")
                with gr.Accordion("Selected section", open=False, elem_id="section-panel") as section_panel:
                    with gr.Row():
                        section = gr.Dropdown([], label="Section", elem_id="section", scale=2)
                        section_bars = fields.Number(label="Bars", value=8, precision=0, minimum=1, maximum=64,
                                                     elem_id="section-bars", rule=fields.in_range("bars", 1, 64, True))
                        behaviours = [fields.Dropdown([("as planned", "")] + list(BEHAVIOURS[r]), value="", label=r,
                                                      rule=fields.one_of(r, [""] + list(BEHAVIOURS[r])), scale=1)
                                      for r in PART_ROLES]
                    with gr.Row():
                        section_feel = _sliders(SONG_FEEL, "section ")
                    section_btn = gr.Button("Regenerate section", variant="primary", elem_id="regenerate-section")
                with gr.Accordion("All sections as a table", open=False):
                    table = gr.Dataframe(headers=views.TABLE_HEADERS,
                                         datatype=["str", "str", "number", "str", *["number"] * 5],
                                         type="array", interactive=True, elem_id="sections-table",
                                         label=f"Sections (types: {', '.join(SECTION_TYPES)})")
                    apply_btn = gr.Button("Apply table edits (only the sections they change are composed again)",
                                          elem_id="apply-table")
                with gr.Row():
                    with gr.Column():
                        arc = gr.Plot(label="Emotion arc")
                    with gr.Column():
                        downloads = gr.File(label="Downloads", file_count="multiple", interactive=False,
                                            elem_id="downloads")
                with gr.Accordion("Why it sounds like this (intent traces)", open=False):
                    traces_md = gr.Markdown()
                    traces_json = gr.JSON(label="traces.json")

            with gr.Tab("Drums", id="drums"):
                with gr.Row():
                    with gr.Column():
                        styles = [(s.title, s.name) for s in DRUM_STYLES.values()]
                        d_style = fields.Dropdown(styles, value="boom_bap", label="Producer style",
                                                  rule=fields.one_of("style", styles))
                        d_about = gr.Markdown(DRUM_STYLES["boom_bap"].about)
                        d_pattern = fields.Radio(list(PATTERN_TYPES), value="verse", label="Pattern",
                                                 rule=fields.one_of("pattern_type", PATTERN_TYPES))
                        with gr.Row():
                            d_bars = fields.Slider(1, 32, value=4, step=1, label="Bars",
                                                   rule=fields.in_range("bars", 1, 32, integer=True))
                            d_tempo = fields.Slider(40, 240, value=90, step=1, label="Tempo (BPM)",
                                                    rule=fields.in_range("tempo", 40, 240))
                        with gr.Row():
                            d_meter = fields.Dropdown(list(DRUM_METERS), value="4/4", label="Meter",
                                                      rule=fields.one_of("time_signature", DRUM_METERS))
                            d_human = gr.Checkbox(value=True, label="Humanize")
                            d_seed = fields.Number(value=0, precision=0, minimum=0, label="Seed", rule=fields.seed)
                        d_btn = gr.Button("Make drums", variant="primary")
                    with gr.Column():
                        d_audio = gr.Audio(label="Preview", type="filepath", interactive=False,
                                           buttons=["download", *share_buttons()])
                        d_file = gr.File(label="drums.mid", interactive=False)
                        d_info = gr.Markdown()
                d_roll = gr.Plot(label="Drum roll")

            with gr.Tab("Humanize", id="humanize"):
                with gr.Row():
                    with gr.Column():
                        h_upload = gr.File(label=f"Your MIDI file (.mid, up to {MAX_MIDI_BYTES // 1_000_000} MB)",
                                           file_types=[".mid", ".midi"], type="filepath", elem_id="upload")
                        feels = [("any", "")] + list(studio.humanize_styles())
                        h_style = fields.Dropdown(feels, value="", label="Drum feel",
                                                  rule=fields.one_of("style", feels))
                        h_amount = fields.Slider(0, 1, value=0.7, step=0.05, label="Amount",
                                                 rule=fields.in_range("amount", 0, 1))
                        h_btn = gr.Button("Humanize", variant="primary")
                    with gr.Column():
                        h_audio = gr.Audio(label="Preview", type="filepath", interactive=False,
                                           buttons=["download", *share_buttons()])
                        h_file = gr.File(label="humanized.mid", interactive=False)
                        h_info = gr.Markdown()
                with gr.Row():
                    h_changes = gr.Plot(label="What changed: timing (ms) and velocity of each note")
                    h_after = gr.Plot(label="After")

            with gr.Tab("Your MIDI", id="own"):
                with gr.Row():
                    with gr.Column():
                        o_upload = gr.File(label=f"Your MIDI file (.mid, up to {MAX_MIDI_BYTES // 1_000_000} MB)",
                                           file_types=[".mid", ".midi"], type="filepath", elem_id="own-upload")
                        o_action = fields.Radio(list(studio.OWN_ACTIONS), value="continue", label="What to do",
                                                elem_id="own-action", rule=fields.one_of("action", studio.OWN_ACTIONS))
                        o_bars = fields.Slider(1, 64, value=8, step=1, label="Continue: new bars",
                                               rule=fields.in_range("bars", 1, 64, integer=True))
                        o_retrieve = gr.Checkbox(False, label="Continue: ground it in the real song that best "
                                                 "continues yours (POP909)")
                        with gr.Row():
                            o_range = gr.Textbox(label="Vary: bars", placeholder="5-6", max_length=20)
                            o_tracks = gr.Textbox(label="Vary: tracks (roles or numbers)", placeholder="bass,2",
                                                  max_length=100)
                        o_chords = gr.Textbox(label="Accompany: chords (empty = heard in the melody)",
                                              placeholder="C | G | Am | F", max_length=studio.MAX_OWN_FIELD_CHARS)
                        o_seed = fields.Number(value=0, precision=0, minimum=0, label="Seed", rule=fields.seed)
                        o_btn = gr.Button("Go", variant="primary", elem_id="own-go")
                    with gr.Column():
                        o_audio = gr.Audio(label="Preview", type="filepath", interactive=False, elem_id="own-preview",
                                           buttons=["download", *share_buttons()])
                        o_file = gr.File(label="song.mid", interactive=False, elem_id="own-file")
                        o_info = gr.Markdown(elem_id="own-info")
                with gr.Row():
                    o_before = gr.Plot(label="Yours")
                    o_after = gr.Plot(label="With Stori")

        views_out = [audio, roll, arc, form, table, section, traces_md, traces_json, metrics, downloads, parts]
        compose_out = [song_id, song_token, spec_state, *views_out, chatbot, *feel]
        compose_in = [prompt, feel_from_words, *feel, tempo, key, meter, structure, engine, seed]
        gr.on([slider.input for slider in feel], lambda: False, None, feel_from_words, api_name="feel_set",
              api_visibility="private", queue=False)
        # one progress indicator per action, where the musician is looking (not one on every output)
        gr.on([generate_btn.click, prompt.submit], cb.compose, compose_in, compose_out, api_name="compose",
              api_visibility="undocumented", show_progress_on=audio)
        form.click(cb.click_form, None, [section, section_panel], api_name="form_select", api_visibility="private",
                   queue=False)
        section_in = [spec_state, table, section]
        section.change(cb.pick_section, section_in, [section_bars, *behaviours, *section_feel],
                       api_visibility="private", queue=False)
        gr.on([section.change, table.input], cb.redraw, section_in, form, api_visibility="private", queue=False)
        edit_out = [chatbot, spec_state, *views_out]
        section_btn.click(cb.regenerate_section, [chatbot, song_id, song_token, *section_in, section_bars,
                                                  *behaviours, *section_feel], edit_out,
                          api_name="regenerate_section", api_visibility="private", show_progress_on=form)
        apply_btn.click(cb.apply_table, [chatbot, song_id, song_token, *section_in], edit_out,
                        api_name="apply_table", api_visibility="private", show_progress_on=form)

        hear_btn.click(cb.hear, [song_id, song_token, parts, section, loop_section], audio, api_name="hear",
                       api_visibility="private", show_progress_on=audio)

        chat_out = [chatbot, say, spec_state, *views_out]
        gr.on([say.submit, send.click], cb.chat, [say, chatbot, song_id, song_token], chat_out, api_name="chat",
              api_visibility="undocumented", show_progress_on=chatbot)
        for button, word in ((undo, "undo"), (redo, "redo")):
            button.click(lambda history, sid, token, w=word: cb.chat(w, history, sid, token),
                         [chatbot, song_id, song_token],
                         chat_out, api_name=word, api_visibility="private", show_progress_on=chatbot)

        d_style.change(lambda name: DRUM_STYLES[name].about, d_style, d_about, api_name="drum_style_about",
                       api_visibility="private", queue=False)
        d_btn.click(cb.drums, [d_style, d_bars, d_meter, d_tempo, d_human, d_pattern, d_seed],
                    [d_file, d_audio, d_roll, d_info], api_name="drums")
        h_out = [h_file, h_audio, h_changes, h_after, h_info]
        h_btn.click(lambda: (None,) * len(h_out), None, h_out, api_name="humanize_clear", api_visibility="private",
                    queue=False).then(  # an error leaves no earlier result on the page
            cb.humanize, [h_upload, h_style, h_amount], h_out, api_name="humanize")
        o_btn.click(cb.own, [o_upload, o_action, o_bars, o_range, o_tracks, o_chords, o_seed, o_retrieve],
                    [o_file, o_audio, o_before, o_after, o_info], api_name="own_midi")
        gr.api(cb.api_generate, api_name="generate")
        gr.api(cb.api_refine, api_name="refine")
    return demo
