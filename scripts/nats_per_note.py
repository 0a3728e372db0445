"""Two checkpoints scored on the same notes: nats per note, per role, on POP909's and GMD's
validation sections in 4/4 (issue 13: "validation loss per role no worse than today's shipped model").

Two vocabularies cut time differently (v1: 4 positions a beat; v2: 12 a beat and a time signature
after every bar), so a loss per token does not compare across them. Each validation window is
encoded by each checkpoint's own tokenizer; the summed cross-entropy of its learned tokens is
divided by the window's note count, which is the same for both. Windows that either vocabulary
cannot hold in its context are left out of both, and counted.

    .venv/bin/python scripts/nats_per_note.py assets/models/stori-generator.pt cache/runs/v2_cpu/export.pt
"""
import argparse
from collections import defaultdict

import torch

from stori.model.conditioning import measure
from stori.model.dataset import encode_window, load_sections, windows
from stori.model.generator import load_generator
from stori.model.train import learned_mask, spread, stream_losses


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoints", nargs="+")
    p.add_argument("--max-windows", type=int, default=1500, help="validation windows scored (spread evenly)")
    args = p.parse_args()
    gens = {path: load_generator(path, "cpu") for path in args.checkpoints}
    sections = load_sections("valid", ("pop909", "gmd"))
    wins = [w for s in sections for w in windows(s, meters=((4, 4),))]
    wins = [wins[i] for i in spread(len(wins), args.max_windows)]  # every set, not the first one's windows only
    measured = [measure(w.notes, w.n_bars, w.chords, w.sample.time_signature) for w in wins]
    encoded = {path: [encode_window(g.tok, w, m) for w, m in zip(wins, measured)] for path, g in gens.items()}
    fits = [all(len(encoded[path][i]) <= g.model.cfg.context + 1 for path, g in gens.items()) for i in range(len(wins))]
    keep = [i for i, ok in enumerate(fits) if ok]
    print(f"{len(wins)} validation windows (POP909 and GMD, 4/4), {len(keep)} fit every context; "
          f"{sum(len(wins[i].notes) for i in keep)} notes")
    rows: dict[str, dict[str, float]] = defaultdict(dict)
    for path, g in gens.items():
        seqs = [encoded[path][i] for i in keep]
        losses = stream_losses(g.model, seqs, g.tok.pad, g.model.cfg.context, learned_mask(g.tok), torch.device("cpu"),
                               8192)
        by_role: dict[str, list[int]] = defaultdict(list)
        for k, i in enumerate(keep):
            by_role[wins[i].role].append(k)
        for role, ks in sorted(by_role.items()):
            notes = sum(len(wins[keep[k]].notes) for k in ks)
            rows[role][path] = float(losses[ks, 0].sum() / notes)
        rows["all"][path] = float(losses[:, 0].sum() / sum(len(wins[i].notes) for i in keep))
        rows["all (nats/token)"][path] = float(losses[:, 0].sum() / losses[:, 1].sum())
    names = list(gens)
    print(f"{'role':<18}" + "".join(f"{n[-34:]:>36}" for n in names))
    for role, got in rows.items():
        print(f"{role:<18}" + "".join(f"{got[n]:>36.3f}" for n in names))
    if len(names) == 2:
        worse = [r for r, got in rows.items() if r not in ("all", "all (nats/token)") and got[names[1]] > got[names[0]]]
        print("second no worse than first on every role" if not worse else f"second worse on: {', '.join(worse)}")


if __name__ == "__main__":
    main()
