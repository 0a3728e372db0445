"""``python -m stori bench [--json]``: how fast the learned engine composes, after a warm-up run:
an 8-bar four-track section (drums, bass, harmony, melody) and the whole default song."""
from __future__ import annotations

import json
import platform
import resource
import statistics
import time

import numpy as np
import torch


def add_arguments(p) -> None:
    p.add_argument("--runs", type=int, default=7, help="timed runs of the section (default 7)")
    p.add_argument("--song-runs", type=int, default=3, help="timed runs of the whole song (default 3)")
    p.add_argument("--model", help="checkpoint (default: the shipped one)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    p.add_argument("--threads", type=int, help="CPU threads for decoding (default $STORI_THREADS or 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _section_spec(spec):
    """The default song's first 8-bar section with its four tracks, as a one-section spec."""
    from dataclasses import replace

    s = next(s for s in spec.sections if s.bars == 8)
    roles = ("drums", "bass", "harmony", "melody")
    return replace(spec, sections=[s], tracks=[t for t in spec.tracks if t.role in roles])


def run(args) -> int:
    from stori.model.engine import compose_learned
    from stori.model.generator import load_generator
    from stori.plan.planner import plan_song

    gen = load_generator(args.model, args.device)
    if args.threads:
        import os
        os.environ["STORI_THREADS"] = str(args.threads)
    song_spec = plan_song("")
    section_spec = _section_spec(song_spec)
    compose_learned(section_spec, seed=0, generator=gen)  # warm-up
    section_s, tokens, gen_s = [], 0, 0.0
    for seed in range(1, args.runs + 1):
        t = time.perf_counter()
        compose_learned(section_spec, seed=seed, generator=gen)
        section_s.append(time.perf_counter() - t)
        tokens += gen.last_stats["tokens"]
        gen_s += gen.last_stats["seconds"]
    song_s = []
    for seed in range(1, args.song_runs + 1):
        t = time.perf_counter()
        compose_learned(song_spec, seed=seed, generator=gen)
        song_s.append(time.perf_counter() - t)
        tokens += gen.last_stats["tokens"]
        gen_s += gen.last_stats["seconds"]
    result = {
        "device": str(gen.device) + (f" ({torch.cuda.get_device_name(gen.device)})" if gen.device.type == "cuda"
                                     else f" ({platform.processor() or platform.machine()}, {torch.get_num_threads()} torch threads, decoding on {args.threads or 'STORI_THREADS or 1'})"),
        "section_median_s": round(statistics.median(section_s), 3),
        "section_p90_s": round(float(np.percentile(section_s, 90)), 3),
        "song_median_s": round(statistics.median(song_s), 3),
        "song_bars": sum(s.bars for s in song_spec.sections),
        "song_tracks": len(song_spec.tracks),
        "tokens_per_s": round(tokens / gen_s, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "runs": {"section": len(section_s), "song": len(song_s)},
    }
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k}: {v}")
    return 0
