"""``python -m stori bench [--json]``: how long a musician waits, after a warm-up run, for an 8-bar
four-track section (drums, bass, harmony, melody) and for the whole default song. Each is timed
through the full pipeline (compose section by section, the critic's pass, the performance) with
the learned engine, and with the rule-based baseline beside it; the learned engine's own time for
the song is reported too, and the default song planned in 3/4 (which the meter-aware model plays)."""
from __future__ import annotations

import os
import platform
import resource
import statistics
import time

import numpy as np
import torch

from stori.console import print_result


def add_arguments(p) -> None:
    p.add_argument("--runs", type=int, default=7, help="timed runs of the section (default 7)")
    p.add_argument("--song-runs", type=int, default=3, help="timed runs of the whole song (default 3)")
    p.add_argument("--model", help="checkpoint (default: the shipped one, or $STORI_MODEL)")
    p.add_argument("--threads", type=int, help="CPU threads for decoding (default $STORI_THREADS or 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _section_spec(spec):
    """The default song's first 8-bar section with its four tracks, as a one-section spec."""
    from dataclasses import replace

    s = next(s for s in spec.sections if s.bars == 8)
    roles = ("drums", "bass", "harmony", "melody")
    return replace(spec, sections=[s], tracks=[t for t in spec.tracks if t.role in roles])


def _timed(fn, runs: int) -> list[float]:
    out = []
    for seed in range(1, runs + 1):
        t = time.perf_counter()
        fn(seed)
        out.append(time.perf_counter() - t)
    return out


def time_pipeline(runs: int = 7, song_runs: int = 3) -> dict:
    """Time the section ``runs`` times and the song ``song_runs`` times (after a warm-up) on the
    generator of ``$STORI_MODEL`` (default the shipped one); raises StoriError without a checkpoint."""
    from stori.compose.learned import compose_learned
    from stori.model.generator import load_generator
    from stori.pipeline import generate
    from stori.plan.planner import plan_song

    gen = load_generator()
    song_spec = plan_song("")
    section_spec = _section_spec(song_spec)
    generate(spec=section_spec, engine="learned", seed=0)  # warm-up
    before = dict(gen.total)
    section_s = _timed(lambda seed: generate(spec=section_spec, engine="learned", seed=seed, trace=False), runs)
    song_s = _timed(lambda seed: generate(spec=song_spec, engine="learned", seed=seed, trace=False), song_runs)
    engine_s = _timed(lambda seed: compose_learned(song_spec, seed=seed), song_runs)
    base_section_s = _timed(lambda seed: generate(spec=section_spec, engine="baseline", seed=seed, trace=False), runs)
    base_song_s = _timed(lambda seed: generate(spec=song_spec, engine="baseline", seed=seed, trace=False), song_runs)
    waltz_spec = plan_song("", time_signature="3/4")
    generate(spec=waltz_spec, engine="learned", seed=0)  # warm-up: the meter-aware model loads
    waltz_s = _timed(lambda seed: generate(spec=waltz_spec, engine="learned", seed=seed, trace=False), song_runs)
    tokens, seconds = gen.total["tokens"] - before["tokens"], gen.total["seconds"] - before["seconds"]
    threads = os.environ.get("STORI_THREADS", "1")
    return {
        "device": str(gen.device) + (f" ({torch.cuda.get_device_name(gen.device)})" if gen.device.type == "cuda"
                                     else f" ({platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                                          f"decoding on {threads} thread(s))"),
        "section_median_s": round(statistics.median(section_s), 3),
        "section_p90_s": round(float(np.percentile(section_s, 90)), 3),
        "song_median_s": round(statistics.median(song_s), 3),
        "song_engine_only_median_s": round(statistics.median(engine_s), 3),
        "baseline_section_median_s": round(statistics.median(base_section_s), 3),
        "baseline_song_median_s": round(statistics.median(base_song_s), 3),
        "song_in_3_4_median_s": round(statistics.median(waltz_s), 3),
        "song_bars": sum(s.bars for s in song_spec.sections),
        "song_in_3_4_bars": sum(s.bars for s in waltz_spec.sections),
        "song_tracks": len(song_spec.tracks),
        "tokens_per_s": round(tokens / seconds, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "runs": {"section": len(section_s), "song": len(song_s)},
    }


def run(args) -> int:
    if args.model:
        os.environ["STORI_MODEL"] = args.model
    if args.threads:
        os.environ["STORI_THREADS"] = str(args.threads)
    print_result(time_pipeline(args.runs, args.song_runs), args.json)
    return 0
