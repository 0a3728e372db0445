"""The one error type for bad input: it names the field and what is allowed."""


MAX_PROBLEM_CHARS = 200  # a problem quoting what was sent is cut here: a message never echoes a large input


def _one_line(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


class StoriError(ValueError):
    """Invalid input. ``str(err)`` is a single line: ``<field>: <problem>; allowed: <allowed>``
    (whitespace folded, the problem cut at MAX_PROBLEM_CHARS)."""

    def __init__(self, field: str, problem: str, allowed: str | None = None):
        self.field = _one_line(field, 80)
        self.problem = _one_line(problem, MAX_PROBLEM_CHARS)
        self.allowed = allowed
        field, problem = self.field, self.problem
        msg = f"{field}: {problem}"
        if allowed:
            msg += f"; allowed: {allowed}"
        super().__init__(msg)


def check_range(field: str, value, lo: float, hi: float) -> float:
    """Return ``value`` as float if ``lo <= value <= hi``, else raise a StoriError naming ``field``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise StoriError(field, f"{value!r} is not a number", f"{lo:g}..{hi:g}") from None
    except OverflowError:
        raise StoriError(field, "is too large", f"{lo:g}..{hi:g}") from None
    if not (lo <= v <= hi) or v != v:
        raise StoriError(field, f"{value!r} is out of range", f"{lo:g}..{hi:g}")
    return v
