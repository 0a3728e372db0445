"""``python -m stori learn-style NAME FOLDER``: learn a drummer's style from a folder of their MIDI.

Three things are learned, each where the drum path reads it (:mod:`stori.perform.drums`):

1. the **patterns**: a low-rank adapter of the generator (:mod:`stori.model.adapters`) fine-tuned on
   the files' 8-bar windows (quantized to 16ths), so the phrase the model plays is theirs;
2. the **feel**: the groove model fine-tuned on the same hits (their micro-timing against the grid
   and their velocities), so each hit is played as they play it;
3. the **style parameters** the rest of the drum path reads, measured from the notes: where kick and
   snare land in the bar (tendencies in tenths), the time-keeping piece and its rate and accents, open
   hats, ghost snares, loudness (ghost, normal, accent), hits per bar and tempos. Swing is left to the
   groove model, which learned it from their timing. The kit and the GMD style that conditions
   both models come from the nearest built-in style.

Only the drum part of each file is read (MIDI channel 10), in 4/4. The folder's files pass the limits
every upload has (:mod:`stori.render.midi_limits`), at most :data:`MAX_FILES` files and
:data:`MAX_FOLDER_BYTES` in all; the result is written whole or not at all
(:mod:`stori.style_folder`).
"""
from __future__ import annotations

import json
import os
import random
import shutil
import time
from dataclasses import asdict, replace
from pathlib import Path
from statistics import median

import numpy as np
import torch

from stori import style_folder
from stori.data.drum_kit import FAMILIES, KIT, to_kit
from stori.data.gmd import Hit, Performance, performance_sections, quantized_notes
from stori.data.part_facts import LOUD
from stori.errors import StoriError
from stori.perform.drum_patterns import SECTION_OF
from stori.perform.styles import STYLES, DrumStyle

MAX_FILES = 64
MAX_FOLDER_BYTES = 32_000_000
MIDI_SUFFIXES = (".mid", ".midi")
GHOST = 40  # a snare below this velocity is a ghost (GMD's facts use the same line)
ADAPTER_STEPS, GROOVE_EPOCHS = 150, 4
_KICKS, _SNARES = FAMILIES["kick"], FAMILIES["snare"]


def check_name(name) -> str:
    """A new style's name: safe as a folder name, and not one of the built-in styles."""
    from stori.perform.styles import _ALIASES, _key

    if not isinstance(name, str) or not style_folder.NAME.fullmatch(name):
        raise StoriError("name", f"{str(name)[:40]!r} is not a style name", style_folder.NAME_RULE)
    if _key(name) in {_key(s) for s in STYLES} | {_key(s.title) for s in STYLES.values()} | set(_ALIASES):
        raise StoriError("name", f"{name!r} is a built-in style", style_folder.NAME_RULE)
    return name


def _bad(problem: str, allowed: str = "a folder of up to 64 drum MIDI files (.mid) in 4/4") -> StoriError:
    return StoriError("folder", problem, allowed)


def midi_files(folder) -> list[Path]:
    """The MIDI files in ``folder`` and its subfolders, checked against the folder limits."""
    root = Path(str(folder)) if folder else None
    if root is None or not root.is_dir():
        raise _bad(f"{str(folder)[:80]!r} is not a folder")
    files, total = [], 0
    for dirpath, _, filenames in os.walk(root):  # links to elsewhere are not followed
        for f in sorted(filenames):
            p = Path(dirpath) / f
            if p.suffix.lower() not in MIDI_SUFFIXES or p.is_symlink() or not p.is_file():
                continue
            files.append(p)
            total += p.stat().st_size
            if len(files) > MAX_FILES:
                raise _bad(f"more than {MAX_FILES} MIDI files")
            if total > MAX_FOLDER_BYTES:
                raise _bad(f"its MIDI files hold more than {MAX_FOLDER_BYTES // 1_000_000} MB")
    if not files:
        raise _bad("has no MIDI files (.mid, .midi)")
    return sorted(files)


def read_beats(files: list[Path]) -> list[Performance]:
    """The drum part of each 4/4 file as a performance (hits on the canonical kit, ticks at PPQ 480);
    a file that is not a readable MIDI file stops it all with its name and what is wrong."""
    from stori.render.midi import midi_to_song

    beats = []
    for k, path in enumerate(files):
        try:
            song = midi_to_song(path)
        except StoriError as e:
            raise _bad(f"{path.name[:60]}: {e.problem}", e.allowed) from None
        drums = [n for t in song.tracks if t.is_drums for n in t.notes]
        if tuple(song.time_signature) != (4, 4) or not drums:
            continue
        ms = 60.0 / (song.tempo * 480)
        hits = sorted((Hit(to_kit(n.pitch), n.pitch, n.start, n.end, n.start * ms, n.velocity) for n in drums),
                      key=lambda h: (h.tick, h.pitch))
        beats.append(Performance(f"file{k}", "you", "", "", "", float(song.tempo), "beat", (4, 4), path.name,
                                 song.duration_s, "train", hits))
    if not beats:
        raise _bad(f"none of its {len(files)} MIDI files has a drum part (MIDI channel 10) in 4/4")
    return beats


def _digits(shares: np.ndarray) -> str:
    """Shares 0..1 as tendency digits: "9" only for a place played (nearly) always."""
    return "".join("9" if s >= 0.85 else str(min(8, int(round(s * 9)))) for s in shares)


def measure_style(name: str, beats: list[Performance]) -> DrumStyle:
    """The style parameters of ``beats`` (rules in the module docstring)."""
    bars: dict[tuple[int, int], list] = {}
    for k, b in enumerate(beats):
        for n in quantized_notes(b):
            bars.setdefault((k, n.start // 1920), []).append(n)
    rows = list(bars.values())
    count = len(rows)

    def shares(pieces, loud: bool = True) -> np.ndarray:
        out = np.zeros(16)
        for notes in rows:
            steps = {n.start % 1920 // 120 for n in notes if n.pitch in pieces and (n.velocity >= LOUD or not loud)}
            out[list(steps)] += 1
        return out / count

    hats, rides = (sum(1 for r in rows for n in r if n.pitch in p) for p in ({KIT["closed_hat"], KIT["open_hat"]},
                                                                            {KIT["ride"], KIT["ride_bell"]}))
    hat_piece = "ride" if rides > hats else "closed_hat"
    keeper = {KIT["ride"], KIT["ride_bell"]} if hat_piece == "ride" else {KIT["closed_hat"], KIT["open_hat"]}
    keep = shares(keeper, loud=False)
    subdivision = 16 if keep[1::2].mean() > 0.3 else 8 if keep[2::4].mean() > 0.3 else 4
    vel = np.zeros(16)
    for s in range(16):
        v = [n.velocity for r in rows for n in r if n.pitch in keeper and n.start % 1920 // 120 == s]
        vel[s] = np.mean(v) if v else 0.0
    accents = "".join(str(min(9, int(round(9 * v / max(vel.max(), 1))))) for v in vel)
    snares = [n.velocity for r in rows for n in r if n.pitch in _SNARES]
    ghosts = [v for v in snares if v < GHOST]
    loud = [n.velocity for r in rows for n in r if n.pitch in _KICKS | _SNARES and n.velocity >= LOUD]
    timekeeping = [n.velocity for r in rows for n in r if n.pitch in keeper]
    per_bar = [len(r) for r in rows]
    opens = sum(1 for r in rows for n in r if n.pitch == KIT["open_hat"] and n.start % 480 == 240)  # off-beat 8ths
    kick, snare = _digits(shares(_KICKS)), _digits(shares(_SNARES))
    like = nearest_style(kick, snare, subdivision)
    tempos = [b.bpm for b in beats]
    return replace(
        like, name=name, title=name,
        about=f"Learned from {len(beats)} MIDI files ({count} bars): their patterns (a generator adapter), their "
              f"feel (the groove model fine-tuned on their timing and velocities) and the parameters measured "
              f"here; kit and GMD style of the nearest built-in style, {like.title}.",
        tempo_range=(int(max(40, min(tempos) - 10)), int(min(240, max(tempos) + 10))),
        default_tempo=int(round(median(tempos))), swing=50.0, swing_unit=16, hat_piece=hat_piece,
        hat_subdivision=subdivision, kick=kick, snare=snare, snare_piece="snare", hat_accents=accents,
        roll_prob=0.0, open_hat_prob=round(min(1.0, opens / max(1, 4 * count)), 3), open_hat_steps=(),
        ghost_rate=round(min(0.6, len(ghosts) / count / 4.4), 3),
        velocity=(int(median(ghosts)) if ghosts else like.velocity[0],
                  int(median(timekeeping)) if timekeeping else like.velocity[1],
                  int(median(loud)) if loud else like.velocity[2]),
        feel_ms={}, feel_jitter_ms=0.0,
        density=(float(np.percentile(per_bar, 10)), float(np.percentile(per_bar, 90))),
        target_density=float(median(per_bar)), pedal_hat_steps=())


def nearest_style(kick: str, snare: str, subdivision: int) -> DrumStyle:
    """The built-in style whose kick and snare tendencies and time-keeping rate are closest."""
    def distance(st: DrumStyle) -> float:
        d = sum(abs(int(a) - int(b)) for a, b in zip(st.kick + st.snare, kick + snare))
        return d + 4 * abs(np.log2(st.hat_subdivision / subdivision))
    return min(STYLES.values(), key=distance)


def adapter_streams(beats: list[Performance], st: DrumStyle, seed: int = 0) -> list[np.ndarray]:
    """The beats' 8-bar windows as token streams for the adapter, each under a section name the drum
    path asks for drawn at random (the style plays its patterns in any section) and the style's GMD
    style."""
    from stori.model.conditioning import measure
    from stori.model.dataset import encode_window, windows
    from stori.model.generator import load_generator

    tok = load_generator().tok
    rng = random.Random(seed)
    sections = sorted(set(SECTION_OF.values()) - {"fill"})
    out = []
    for b in beats:
        for sample in performance_sections(replace(b, style=st.gmd_style), bars=8):
            for w in windows(sample):
                w.sample = replace(sample, section_type=rng.choice(sections))
                out.append(encode_window(tok, w, measure(w.notes, w.n_bars, w.chords)))
    rng.shuffle(out)
    return out


def fine_tune_groove(beats: list[Performance], st: DrumStyle, epochs: int = GROOVE_EPOCHS, lr: float = 5e-4,
                     seed: int = 0, log=None):
    """The shipped groove model fine-tuned on the beats' hits (conditioned on the style's GMD style)."""
    import copy

    from stori.perform import groove_model as gm
    from stori.perform.groove_data import performance_parts
    from stori.perform.groove_features import windows
    from stori.perform.groove_train import _batches, _loss, evaluate

    torch.manual_seed(seed)
    rng = random.Random(seed)
    parts = performance_parts(beats, st.gmd_style)
    model = copy.deepcopy(gm.load())
    before = evaluate(model, parts)
    items = [(p, idx) for p in parts for idx in windows(p.feat, hop_bars=1)]
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    for epoch in range(epochs):
        model.train()
        for chunk in _batches(items, 32, rng):
            loss = _loss(model, chunk)[0]
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        if log:
            log(f"groove epoch {epoch + 1}/{epochs}: loss {loss.item():.3f}")
    after = evaluate(model.eval(), parts)
    return model, {"before": before, "after": after}


def learn_style(name: str, folder=None, files: list[Path] | None = None, steps: int = ADAPTER_STEPS,
                groove_epochs: int = GROOVE_EPOCHS, seed: int = 0, log=print) -> DrumStyle:
    """Learn style ``name`` from ``folder`` (or the given ``files``) and register it in the style
    folder; returns it. The shipped models are read, never written."""
    from stori.model.adapters import fine_tune
    from stori.perform import groove_model as gm

    name = check_name(name)
    t0, cpu0 = time.monotonic(), time.process_time()
    beats = read_beats(files if files is not None else midi_files(folder))
    st = measure_style(name, beats)
    like = nearest_style(st.kick, st.snare, st.hat_subdivision)
    log(f"{len(beats)} drum parts read; nearest built-in style {like.name!r} (GMD style {st.gmd_style}, kit {st.kit}); "
        f"{st.target_density:g} hits a bar, time kept by the {st.hat_piece} in {st.hat_subdivision}ths")
    streams = adapter_streams(beats, st, seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(min(2, threads))
    try:
        adapter, history = fine_tune(streams, steps=steps, seed=seed, log=log)
        groove, groove_fit = fine_tune_groove(beats, st, groove_epochs, seed=seed, log=log)
    finally:
        torch.set_num_threads(threads)
    root = style_folder.style_dir()
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{name}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        torch.save(adapter, tmp / style_folder.ADAPTER)
        gm.save(groove, tmp / style_folder.GROOVE, {"fit": groove_fit, "epochs": groove_epochs})
        params = {k: v for k, v in asdict(st).items() if k != "folder"}
        info = {"name": name, "style": params, "files": [b.midi_filename for b in beats],
                "adapter": {"steps": steps, "streams": len(streams), "history": history},
                "groove": groove_fit, "minutes": round((time.monotonic() - t0) / 60, 2),
                "cpu_minutes": round((time.process_time() - cpu0) / 60, 2)}
        (tmp / style_folder.MANIFEST).write_text(json.dumps(info, indent=1))
        dest = root / name
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log(f"style {name!r} learned in {(time.monotonic() - t0) / 60:.1f} min ({(time.process_time() - cpu0) / 60:.1f} "
        f"min of CPU): {dest}")
    return replace(st, folder=str(dest))


def add_arguments(p) -> None:
    p.add_argument("name", help=f"the style's name ({style_folder.NAME_RULE})")
    p.add_argument("folder", help="a folder of your drum MIDI files (.mid), in 4/4, up to 64 files")
    p.add_argument("--steps", type=int, default=ADAPTER_STEPS, help="adapter training steps (10..5000)")
    p.add_argument("--seed", type=int, default=0)


def run(args) -> int:
    from stori import inputs
    from stori.errors import check_range

    steps = int(check_range("steps", args.steps, 10, 5000))
    st = learn_style(args.name, args.folder, steps=steps, seed=inputs.seed(args.seed))
    print(f"use it: python -m stori drums --style {st.name} --bars 8 --out {st.name}.mid; or a prompt "
          f"'... in the style of {st.name}'")
    return 0
