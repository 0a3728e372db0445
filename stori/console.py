"""What a command prints as its measured result (shared by the commands that measure)."""
from __future__ import annotations

import json


def print_result(result: dict, as_json: bool) -> None:
    """A command's measured result: one JSON object, or one ``key: value`` line per field."""
    if as_json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k}: {v}")
