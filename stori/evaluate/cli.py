"""``python -m stori evaluate [--quick] [--engine NAME] [--out DIR]``; ``--sweep`` runs only the
control sweeps and prints them."""
from __future__ import annotations

import shlex
import sys
from pathlib import Path

from stori.errors import StoriError, check_range


def add_arguments(parser) -> None:
    parser.add_argument("--quick", action="store_true", help="small N and subsampled real data (a few minutes)")
    parser.add_argument("--engine", action="append", metavar="NAME",
                        help="engine to evaluate (repeatable; default: every available engine)")
    parser.add_argument("--out", default="reports", metavar="DIR", help="report folder (default: reports/)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sweep", action="append", metavar="AXIS", nargs="?", const="all",
                        help="only the control sweeps (of AXIS, repeatable; bare: every axis), printed, no report")
    parser.add_argument("--levels", type=int, default=5, help="levels per sweep with --sweep (default 5)")
    parser.add_argument("--seeds", type=int, default=2, help="songs per level with --sweep (default 2)")


def run(args) -> int:
    from stori.evaluate.harness import registered_engines, run_evaluation, usable_engines

    known = registered_engines()
    for e in args.engine or []:
        if e not in known:
            raise StoriError("engine", f"{e!r} is not an engine", ", ".join(known))
    if args.sweep:
        return _sweep(args, args.engine or known)
    engines, skipped = (args.engine, {}) if args.engine else usable_engines()
    if not engines:
        raise StoriError("engine",
                         "no engine can compose here (" + "; ".join(f"{k}: {v}" for k, v in skipped.items()) + ")",
                         ", ".join(known))
    command = "python -m stori " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["evaluate"] \
        else f"python -m stori evaluate{' --quick' if args.quick else ''} --out {shlex.quote(args.out)}"
    res = run_evaluation(engines, Path(args.out), quick=args.quick, seed=args.seed, command=command, skipped=skipped)
    print(f"wrote {Path(args.out) / 'EVALUATION.md'} in {res['runtime_s']['total']:.0f} s")
    return 0


def _sweep(args, engines: list[str]) -> int:
    """Print each engine's control sweeps: the feature, the sign wanted, Spearman rho, the mean per level."""
    from stori.evaluate.chapters import AXIS_FEATURES, control_fidelity

    axes = list(AXIS_FEATURES) if "all" in args.sweep else args.sweep
    for a in axes:
        if a not in AXIS_FEATURES:
            raise StoriError("sweep", f"{a!r} is not an emotion axis", ", ".join(AXIS_FEATURES))
    levels, seeds = int(check_range("levels", args.levels, 2, 9)), int(check_range("seeds", args.seeds, 1, 20))
    for engine in engines:
        fid, _ = control_fidelity(engine, levels, seeds, {}, axes)
        print(f"{engine} ({levels} levels x {seeds} seeds)")
        for axis, a in fid.items():
            for f, d in a["features"].items():
                ok = "ok " if d["spearman"] * d["expected_sign"] >= 0.9 else "LOW"
                means = " ".join(f"{m:.3g}" for m in d["means"])
                sign = "+" if d["expected_sign"] > 0 else "-"
                print(f"  {ok} {axis:<9}{f:<20}{sign} rho {d['spearman']:+.2f}  {means}")
    return 0
