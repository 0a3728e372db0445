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
from stori.model.tokens import StoriTokenizer
from stori.model.train import learned_mask, stream_losses
from stori.model.transformer import ModelConfig, Transformer


def load(path: str) -> tuple[Transformer, StoriTokenizer]:
    ck = torch.load(path, map_location="cpu", weights_only=True)
    model = Transformer(ModelConfig(**ck["model_config"]))
    model.load_state_dict({k: v.float() for k, v in ck["model"].items()})
    tok = StoriTokenizer.from_dict(ck["tokenizer"])
    return model.eval(), tok


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoints", nargs="+")
    p.add_argument("--max-windows", type=int, default=1500, help="validation windows scored (spread evenly)")
    args = p.parse_args()
    models = {path: load(path) for path in args.checkpoints}
    sections = load_sections("valid", ("pop909", "gmd"))
    wins = [w for s in sections for w in windows(s, meters=((4, 4),))]
    step = max(1, len(wins) // args.max_windows)
    wins = wins[::step][:args.max_windows]
    measured = [measure(w.notes, w.n_bars, w.chords, w.sample.time_signature) for w in wins]
    encoded = {path: [encode_window(tok, w, m) for w, m in zip(wins, measured)] for path, (_, tok) in models.items()}
    fits = [all(len(encoded[path][i]) <= models[path][0].cfg.context + 1 for path in models) for i in range(len(wins))]
    keep = [i for i, ok in enumerate(fits) if ok]
    print(f"{len(wins)} validation windows (POP909 and GMD, 4/4), {len(keep)} fit every context; "
          f"{sum(len(wins[i].notes) for i in keep)} notes")
    rows: dict[str, dict[str, float]] = defaultdict(dict)
    for path, (model, tok) in models.items():
        seqs = [encoded[path][i] for i in keep]
        losses = stream_losses(model, seqs, tok.pad, model.cfg.context, learned_mask(tok), torch.device("cpu"), 8192)
        by_role: dict[str, list[int]] = defaultdict(list)
        for k, i in enumerate(keep):
            by_role[wins[i].role].append(k)
        for role, ks in sorted(by_role.items()):
            notes = sum(len(wins[keep[k]].notes) for k in ks)
            rows[role][path] = float(losses[ks, 0].sum() / notes)
        rows["all"][path] = float(losses[:, 0].sum() / sum(len(wins[i].notes) for i in keep))
        rows["all (nats/token)"][path] = float(losses[:, 0].sum() / losses[:, 1].sum())
    names = list(models)
    print(f"{'role':<18}" + "".join(f"{n[-34:]:>36}" for n in names))
    for role, got in rows.items():
        print(f"{role:<18}" + "".join(f"{got[n]:>36.3f}" for n in names))
    if len(names) == 2:
        worse = [r for r, got in rows.items() if r not in ("all", "all (nats/token)") and got[names[1]] > got[names[0]]]
        print("second no worse than first on every role" if not worse else f"second worse on: {', '.join(worse)}")


if __name__ == "__main__":
    main()
