"""Run the whole evaluation for some engines and write the report folder."""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

from stori.errors import StoriError
from stori.evaluate import chapters
from stori.evaluate.corpus import load_real
from stori.evaluate.report import write_report
from stori.evaluate.specs import generate
from stori.model.conditioning import AttributeBins, measure


@dataclass(frozen=True)
class Settings:
    validity_songs: int
    planned_songs: int
    sweep_levels: int
    sweep_seeds: int
    real_pieces: int | None  # None: every test piece
    realness_songs: int
    realness_group_songs: int  # per meter and per style

    @classmethod
    def for_mode(cls, quick: bool) -> Settings:
        from stori.evaluate.realness import GROUP_SONGS

        return cls(6, 4, 3, 1, 12, 4, 1) if quick else cls(40, 20, 5, 2, None, 20, GROUP_SONGS)


def registered_engines() -> list[str]:
    from stori.compose import ENGINES

    return list(ENGINES)


def usable_engines() -> tuple[list[str], dict[str, str]]:
    """Registered engines that compose a short planned song, and why the others do not (a learned
    engine without its checkpoint, say)."""
    from stori.plan import plan_song

    spec = plan_song("a pop song", structure="verse:2")
    ok, skipped = [], {}
    for name in registered_engines():
        try:
            generate(spec, name, 0)
            ok.append(name)
        except Exception as e:  # any failure means: not evaluable here; the report says why
            skipped[name] = f"{e.__class__.__name__}: {str(e)[:120]}"
    return ok, skipped


def attribute_bins(real: dict) -> tuple[AttributeBins | None, str]:
    """The bins the control error is measured in: the learned model's own (quantiles of its training
    data) when its checkpoint is here, else the same recipe fitted on POP909's test melodies."""
    from stori.model.generator import load_generator

    try:
        return load_generator().tok.bins, "the learned model's own bins (quantiles of its training data)"
    except StoriError:
        pass
    values = [measure(s.notes["melody"], s.n_bars)
              for p in real.get("pop909", []) for s in p if s.notes.get("melody") and s.time_signature == (4, 4)]
    if not values:
        return None, "no bins: neither a model checkpoint nor POP909 data"
    return AttributeBins.fit({"melody": values}), "quantiles of POP909 test-split 4/4 melodies (8 bins)"


def run_evaluation(engines: list[str], out: Path, quick: bool = False, seed: int = 0,
                   command: str = "python -m stori evaluate", skipped: dict[str, str] | None = None) -> dict:
    """Evaluate ``engines``; write ``out/EVALUATION.md``, ``out/evaluation.json`` and PNG plots."""
    t0 = time.perf_counter()
    cfg = Settings.for_mode(quick)
    real = load_real(cfg.real_pieces, seed)
    real_structure = {name: chapters.structure_metrics(p) for name, p in real.items()}
    ranges = chapters.real_ranges(real.get("pop909", []))
    bins, bins_source = attribute_bins(real)
    results: dict = {"command": command, "quick": quick, "seed": seed, "engines": engines,
                     "skipped_engines": skipped or {}, "settings": cfg.__dict__,
                     "real_data": {k: {"pieces": len(v), "sections": sum(len(p) for p in v)} for k, v in real.items()},
                     "validity": {"real": chapters.real_validity(real)}, "control_fidelity": {},
                     "structure": {"real": real_structure}}
    songs, planned, timings = {}, {}, {}
    for engine in engines:
        t = time.perf_counter()
        results["validity"][engine], songs[engine] = chapters.validity(engine, cfg.validity_songs, seed)
        fid, swept = chapters.control_fidelity(engine, cfg.sweep_levels, cfg.sweep_seeds, ranges)
        planned[engine] = chapters.planned_songs(engine, cfg.planned_songs)
        if bins is not None:
            fid["bin_error"] = {"bins": bins_source, **chapters.bin_error(swept + planned[engine], bins)}
        results["control_fidelity"][engine] = fid
        pieces = chapters.generated_pieces(planned[engine], engine)
        results["structure"][engine] = {**chapters.structure_metrics(pieces),
                                        "spec_motif_recognisability": chapters.motif_recognisability(planned[engine])}
        timings[engine] = time.perf_counter() - t
    results["similarity"] = chapters.similarity(
        {e: chapters.generated_pieces(planned[e], e) for e in engines}, real, seed)
    results["speed"] = chapters.speed({e: songs[e] + planned[e] for e in engines}, quick)
    out.mkdir(parents=True, exist_ok=True)
    results["realness"] = realness_section(engines, cfg.realness_songs, seed, out, cfg.realness_group_songs)
    results["runtime_s"] = {"total": round(time.perf_counter() - t0, 1), **{e: round(s, 1) for e, s in timings.items()}}
    (out / "evaluation.json").write_text(json.dumps(json_ready(results), indent=2) + "\n")
    write_report(results, out)
    return results


def realness_section(engines: list[str], n_songs: int, seed: int, out: Path, group_songs: int) -> dict:
    """The realness results (:mod:`stori.evaluate.realness`, per meter and per style too, ``group_songs``
    each) and piano rolls of the flagship song and three of the realness songs per engine, written to
    ``out`` as ``pianoroll_<engine>_<name>.png``."""
    from stori.evaluate.realness import FLAGSHIP, OTHER_METERS, measure
    from stori.pipeline import generate as generate_song
    from stori.render.figures import piano_roll_png

    try:
        res, songs = measure(engines, n_songs, seed, meters=OTHER_METERS, styles=True, group_songs=group_songs)
    except StoriError as e:
        return {"unavailable": str(e)}
    res["piano_rolls"] = {}
    for engine in engines:
        prompt, song_seed = FLAGSHIP
        shown = [("flagship", prompt, song_seed, generate_song(prompt, engine=engine, seed=song_seed, trace=False))]
        shown += [(f"song{k}", r["prompt"], r["seed"], songs[engine][k])
                  for k, r in enumerate(res["requests"][:3])]
        res["piano_rolls"][engine] = []
        for name, prompt, song_seed, song in shown:
            path = piano_roll_png(song, out / f"pianoroll_{engine}_{name}.png",
                                  f"{engine}: {prompt} (seed {song_seed})")
            res["piano_rolls"][engine].append({"file": path.name, "prompt": prompt, "seed": song_seed})
    return res


def json_ready(x):
    """JSON-ready: numpy scalars to Python, NaN to null."""
    if isinstance(x, dict):
        return {str(k): json_ready(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_ready(v) for v in x]
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, float) and math.isnan(x):
        return None
    return x
