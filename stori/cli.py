"""``python -m stori <command>``: each command lives in the package of its stage (``generate``, which runs
them all, beside the pipeline).

A command module exposes ``add_arguments(parser)`` and ``run(args) -> int``. Bad input raises
:class:`~stori.errors.StoriError`, which becomes one line on stderr and exit code 2.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from stori.errors import StoriError

COMMANDS = {
    "generate": ("stori.generate_command", "plan, compose and perform a song into a bundle folder"),
    "refine": ("stori.compose.refine_command", "change a song bundle by a chat command and print the musical diff"),
    "render": ("stori.render.command", "render a MIDI file to an audio preview (Ogg Vorbis or WAV) with FluidSynth"),
    "worker": ("stori.service.worker",
               "a Celery worker composing the songs the studio queues (STORI_QUEUE_URL, STORI_STUDIO_DIR)"),
    "drums": ("stori.perform.drums_command",
              "a producer-style drum part (J Dilla, trap, boom bap, ... jazz) to a MIDI file"),
    "humanize": ("stori.perform.humanize",
                 "humanize a MIDI file: drums by the GMD groove model, pitched parts lightly"),
    "evaluate": ("stori.evaluate.cli",
                 "measure engines against real music, their controls and the clock; write a report"),
    "realness": ("stori.evaluate.realness",
                 "generated songs' drum and part facts and a classifier test beside GMD and POP909"),
    "keys": ("stori.evaluate.keys",
             "how often the key estimated from generated notes (Krumhansl-Schmuckler) is the planned key"),
    "genres": ("stori.evaluate.genres",
               "what each genre plans (tempo, meters, drums, instruments, chords), most asked-for first"),
    "text-bench": ("stori.evaluate.text_bench",
                   "score generated MIDI against what 62 prompts state: tempo bin, key, meter, instruments, 'no X'"),
    "bench": ("stori.evaluate.bench",
              "time the pipeline (learned engine, baseline beside it): an 8-bar four-track section and the "
              "default song"),
    "fidelity": ("stori.model.fidelity",
                 "control fidelity and validity of the learned generator on test-split requests"),
    "train": ("stori.model.train", "train the learned generator from a JSON config (resumable, --max-minutes)"),
    "learn-style": ("stori.perform.style_learn",
                    "learn a drummer's style from a folder of their MIDI; drums, songs and chat can then name it"),
    "style-eval": ("stori.evaluate.style_eval",
                   "learn a style from 10 files of one GMD drummer; a drummer classifier rates its drums vs without"),
    "groove-train": ("stori.perform.groove_train",
                     "train the groove (humanization) model on GMD (--config JSON, --max-minutes)"),
    "groove-eval": ("stori.perform.groove_eval",
                    "groove model vs no-humanization and random jitter on GMD test: timing and velocity MAE"),
    "groove-feel": ("stori.perform.feel",
                    "per-style feel table: swing, snare offset, backbeat jitter, ghost notes (GMD vs groove model)"),
    "drums-report": ("stori.perform.drums_report",
                     "per drum style: measured swing, density, hat subdivision, snare offset, ghost share"),
    "continue": ("stori.own.continue_command",
                 "continue your MIDI file by N bars in its key, tempo, meter, instruments and chords"),
    "accompany": ("stori.own.accompany_command",
                  "drums, bass and harmony composed around your melody (chords heard or given), as a bundle"),
    "vary": ("stori.own.vary_command", "compose chosen bars of chosen tracks of your MIDI file anew"),
    "own-eval": ("stori.own.evaluation",
                 "continue and accompany held-out POP909 songs cut after bar 12: kept notes, seams, chord accuracy"),
    "data-report": ("stori.data.report",
                    "counts, hours, attribute distributions and verse-vs-chorus differences of the training data"),
}


class _OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (exit code 2), like every other bad input."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only ``command``'s module is imported, so one command never slows or breaks another."""
    parser = _OneLineParser(prog="stori", description="Emotion-aware, section-aware MIDI composer.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_OneLineParser)
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module)
        if name == command:
            importlib.import_module(module).add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(next((a for a in argv if not a.startswith("-")), None))
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
