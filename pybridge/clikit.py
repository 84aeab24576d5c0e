"""Shared pieces of the command line (exit codes, one-line output, progress bars) for `cli.py` and
the families' own commands (`families/<name>/commands.py`)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

EXIT_OK, EXIT_INVALID, EXIT_INPUT = 0, 1, 2


class UsageError(Exception):
    """Bad command-line usage: one line on stderr, exit 2."""


def progress_factory(enabled: bool) -> Callable[[str, int], Callable[[int], None]] | None:
    """A tqdm progress-bar factory on an interactive stderr, else None (no bars in pipes and CI logs)."""
    if not enabled or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    def make(desc: str, total: int) -> Callable[[int], None]:
        bar = tqdm(total=total, desc=desc, file=sys.stderr, leave=False, unit_scale=True)

        def update(k: int) -> None:
            bar.update(k)
            if bar.n >= total:
                bar.close()

        return update

    return make


def emit(args: argparse.Namespace, obj: dict[str, Any], text: str) -> None:
    """Print `obj` as one JSON object with --json, else `text`."""
    print(json.dumps(obj, sort_keys=True) if getattr(args, "json", False) else text)
