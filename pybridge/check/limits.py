"""Trusted: resource bounds every check states before it starts (issue 10).

Each family's checker computes, from the shapes and the hints alone, the work it is about to do (inputs
to enumerate, table cells, blocks: one unit is roughly one exact arithmetic step on a small integer) and
the bit size of the largest integer it will form, and calls `require(...)` before doing any of it. Over
the limit the check stops with InputError (exit 2) and one line naming what is too big; the limits come
from `pybridge check --max-work/--max-bits` (or `verify(..., limits=Limits(...))`).
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass

from pybridge.check.errors import InputError

DEFAULT_MAX_WORK = 2 * 10**10  # the largest shipped/bench certificates are below this (see the issue 10 note)
DEFAULT_MAX_BITS = 1 << 16  # bits of the largest integer a check may form


@dataclass(frozen=True)
class Limits:
    max_work: int = DEFAULT_MAX_WORK
    max_bits: int = DEFAULT_MAX_BITS


_CURRENT: contextvars.ContextVar[Limits] = contextvars.ContextVar("pybridge_check_limits", default=Limits())


def current() -> Limits:
    return _CURRENT.get()


def use(limits: Limits | None) -> contextvars.Token:
    """Install `limits` for the checks that follow (returns the token to reset them)."""
    return _CURRENT.set(limits or Limits())


def reset(token: contextvars.Token) -> None:
    _CURRENT.reset(token)


def require(what: str, work: int = 0, bits: int = 0) -> None:
    """Refuse (InputError, one line) before starting a check whose stated work or integer size is over the limits."""
    lim = current()
    if work > lim.max_work:
        raise InputError(f"{what}: about {work:.3g} work units, over the limit {lim.max_work:.3g} (raise --max-work)")
    if bits > lim.max_bits:
        raise InputError(f"{what}: integers of about {bits} bits, over the limit {lim.max_bits} (raise --max-bits)")
