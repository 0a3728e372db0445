"""``python -m stori <command>``: each command lives in the package of its stage.

A command module exposes ``add_arguments(parser)`` and ``run(args) -> int``. Bad input raises
:class:`~stori.errors.StoriError`, which becomes one line on stderr and exit code 2.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from stori.errors import StoriError

COMMANDS = {
    # name: (module, one-line help)
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stori", description="Emotion-aware, section-aware MIDI composer.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module)
        importlib.import_module(module).add_arguments(p)
    return parser



def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return int(importlib.import_module(args._module).run(args) or 0)
    except StoriError as err:
        print(f"stori {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
