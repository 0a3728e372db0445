"""Studio inputs that check what they receive with the rules of :mod:`stori.inputs`.

Gradio's own checks answer "Value 1e9 is greater than maximum value 32." or a raw Python error
without saying which field; these components (the same widgets on the page: ``is_template``) run
the field's rule instead, so the page, gradio_client and a raw HTTP call all get the CLI's one line.
"""
from __future__ import annotations

import inspect

import gradio as gr

from stori import inputs
from stori.errors import StoriError, check_range
from stori.render.midi_limits import MAX_MIDI_BYTES

UPLOAD_ALLOWED = f"a .mid file up to {MAX_MIDI_BYTES // 1_000_000} MB uploaded to the studio"


class Blocks(gr.Blocks):
    """gr.Blocks whose own refusals of a malformed input are one line naming the input too.

    Before any component sees a value, Gradio checks file payloads (that the path was uploaded, that
    the FileData is well formed, that a URL is public) and raises its own errors, some of them
    multi-line pydantic reports. Here every such refusal becomes a StoriError-style line; a file
    refusal says the same whatever the path, so paths cannot be probed.
    """

    async def preprocess_data(self, block_fn, inputs, state, explicit_call=False):
        try:
            return await super().preprocess_data(block_fn, inputs, state, explicit_call)
        except gr.Error:
            raise
        except Exception:
            if any(isinstance(b, gr.File) for b in block_fn.inputs):
                err = StoriError("midi", "is not a file uploaded to the studio", UPLOAD_ALLOWED)
            else:
                err = StoriError("inputs", "a value is not of its field's type", ", ".join(_parameters(block_fn.fn)))
            raise gr.Error(str(err), title="Stori") from None


def _checked(base):
    class Checked(base):
        is_template = True  # drawn by the page as ``base``
        rule = staticmethod(lambda value: value)

        def preprocess(self, payload):
            try:
                return self.rule(payload)
            except StoriError as e:
                raise gr.Error(str(e), title="Stori") from None

    Checked.__name__ = Checked.__qualname__ = f"Checked{base.__name__}"

    def make(*args, rule, **kwargs):
        """``base(*args, **kwargs)`` whose value is checked by ``rule`` (value -> value or StoriError)."""
        component = Checked(*args, **kwargs)
        component.rule = rule
        return component
    return make


Number = _checked(gr.Number)
Slider = _checked(gr.Slider)
Dropdown = _checked(gr.Dropdown)
Radio = _checked(gr.Radio)


def _parameters(fn) -> list[str]:
    """The names of an endpoint's fields: its function's parameters (Gradio's progress tracker aside)."""
    try:
        return [name for name in inspect.signature(fn).parameters if name != "progress"]
    except (TypeError, ValueError):
        return ["the endpoint's documented inputs"]


def in_range(field: str, lo: float, hi: float, integer: bool = False):
    def rule(value):
        v = check_range(field, value, lo, hi)
        if integer and not v.is_integer():
            raise StoriError(field, f"{value!r} is not a whole number", f"an integer {lo:g}..{hi:g}")
        return int(v) if integer else v
    return rule


def one_of(field: str, choices):
    values = [c[1] if isinstance(c, tuple) else c for c in choices]

    def rule(value):
        if isinstance(value, (list, dict)) or value not in values:
            raise StoriError(field, f"{str(value)[:40]!r} is not a choice",
                             ", ".join(repr(v) if v == "" else str(v) for v in values))
        return value
    return rule


def seed(value):
    return 0 if value is None else inputs.seed(value)


def tempo_or_words(value):
    """0 or empty: the tempo comes from the words."""
    return None if value in (None, 0) else inputs.tempo(value)
