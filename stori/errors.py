"""The one error type for bad input: it names the field and what is allowed."""


class StoriError(ValueError):
    """Invalid input. ``str(err)`` is a single line: ``<field>: <problem>; allowed: <allowed>``."""

    def __init__(self, field: str, problem: str, allowed: str | None = None):
        self.field = field
        self.problem = problem
        self.allowed = allowed
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
    if not (lo <= v <= hi) or v != v:
        raise StoriError(field, f"{value!r} is out of range", f"{lo:g}..{hi:g}")
    return v
