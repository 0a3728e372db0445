"""``python -m stori evaluate [--quick] [--engine NAME] [--out DIR]``."""
from __future__ import annotations

import shlex
import sys
from pathlib import Path

from stori.errors import StoriError


def add_arguments(parser) -> None:
    parser.add_argument("--quick", action="store_true", help="small N and subsampled real data (a few minutes)")
    parser.add_argument("--engine", action="append", metavar="NAME",
                        help="engine to evaluate (repeatable; default: every available engine)")
    parser.add_argument("--out", default="reports", metavar="DIR", help="report folder (default: reports/)")
    parser.add_argument("--seed", type=int, default=0)


def run(args) -> int:
    from stori.evaluate.harness import registered_engines, run_evaluation, usable_engines

    known = registered_engines()
    for e in args.engine or []:
        if e not in known:
            raise StoriError("engine", f"{e!r} is not an engine", ", ".join(known))
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
