"""The field rules of stori.inputs, as the CLI applies them: one line naming the field, exit 2, nothing written."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stori import inputs
from stori.errors import StoriError
from stori.safe_json import load_json
from tests.conftest import EXAMPLE_SPEC

ROOT = Path(__file__).resolve().parents[1]


def _spec(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _cases(tmp_path: Path) -> list[tuple[list[str], str]]:
    example = json.loads(EXAMPLE_SPEC.read_text())
    up = json.loads(EXAMPLE_SPEC.read_text())
    up["motifs"][0]["interval_pattern"] = "up"
    bars = EXAMPLE_SPEC.read_text().replace('"bars": 4', '"bars": ' + "9" * 5000, 1)
    example["motifs"][0]["rhythm_pattern"] = [1, "x"]
    return [
        (["--seed", str(2**70)], "seed: a huge number is out of range; allowed: an integer 0..2147483647"),
        (["--seed", "-1"], "seed: -1 is out of range"),
        (["--key", ""], "key: is empty"),
        (["--key", "   "], "key: is empty"),
        (["--key", "H major"], "key: "),
        (["--tempo", "nan"], "tempo: nan is out of range; allowed: 40..240"),
        (["--energy", "1e400"], "emotion.energy: inf is out of range"),
        (["--structure", ",".join(["verse:64"] * 11)], "structure: 11 sections, 704 bars"),
        (["--structure", "verse:" + "9" * 5000], "structure: "),
        (["--time-signature", "0/0"], "time_signature: "),
        (["--spec", _spec(tmp_path, "up.json", json.dumps(up))], "motifs[0].interval_pattern: 'up'"),
        (["--spec", _spec(tmp_path, "rhythm.json", json.dumps(example))],
         "motifs[0].rhythm_pattern[1]: 'x' is not a duration"),
        (["--spec", _spec(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)], "spec: nests deeper than 32 levels"),
        (["--spec", _spec(tmp_path, "bars.json", bars)], "spec: has a number of 5000 characters"),
        (["--spec", _spec(tmp_path, "nan.json", '{"tempo": NaN}')], "spec: has NaN"),
    ]


def test_cli_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path):
    for args, words in _cases(tmp_path):
        out = tmp_path / "out"
        r = subprocess.run([sys.executable, "-m", "stori", "generate", "--prompt", "x", "--engine", "baseline",
                            "--out", str(out), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert r.returncode == 2, (args[:1], r.stderr[-300:])
        assert r.stderr.count("\n") == 1 and words in r.stderr, (args[:1], r.stderr)
        assert not out.exists()


def test_seed_rule_is_the_same_everywhere():
    assert inputs.seed(0) == 0 and inputs.seed(2**31 - 1) == 2**31 - 1
    assert inputs.seed(7.0) == 7 and inputs.seed("12") == 12
    for bad in (-1, 2**31, 2**70, True, None, 1.5, "x", [1], {"a": 1}):
        with pytest.raises(StoriError, match=r"^seed: .*; allowed: an integer 0\.\.2147483647$"):
            inputs.seed(bad)


def test_json_loader_bounds_depth_and_numbers():
    assert load_json('{"a": [1, 2.5, "é"]}', "f", "x") == {"a": [1, 2.5, "é"]}
    for text, words in (("[" * 33 + "]" * 33, "nests deeper"), ("[" * 200_000, "nests deeper"),
                        ("1" * 41, "a number of 41"),
                        ("1e999", "out of range"), ("Infinity", "has Infinity"), ("{", "not valid JSON"),
                        (b"\xff", "UTF-8")):
        with pytest.raises(StoriError, match=f"^f: .*{words}"):
            load_json(text, "f", "x")


def test_unicode_and_control_characters_in_prompts():
    assert inputs.prompt("it’s 🎵 שלום\u200b") == "it’s 🎵 שלום\u200b"
    assert inputs.prompt("a\x00b\x1bc\nd") == "abc\nd"
    with pytest.raises(StoriError, match="^prompt: has 2001 characters"):
        inputs.prompt("x" * 2001)


def test_a_prompt_asking_for_an_absurd_length_is_planned_not_crashed():
    from stori.plan import plan_song

    spec = plan_song("a " + "9" * 400 + " bars song")
    assert all(s.bars <= 64 for s in spec.sections)
