"""Exporters: certificates to Coq and Lean source files (jinja2 templates in templates/)."""

import re
from functools import lru_cache
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"


_IDENT = re.compile(r"[A-Za-z0-9_.]{1,64}")


def ident(value: object) -> str:
    """Template filter for every name a template renders: only a plain identifier or identifier suffix (letters, digits, `_`,
    `.`) passes, so no comment, quote or command can reach a proof file or generated program through it."""
    if not isinstance(value, str) or not _IDENT.fullmatch(value):
        raise ValueError(f"refusing to render {value!r} into a generated file: not a plain identifier")
    return value


@lru_cache(maxsize=2)
def template_env(keep_trailing_newline: bool = False) -> jinja2.Environment:
    """The exporters' jinja2 environment: our templates, undefined names are errors, no escaping; names go
    through the `ident` filter."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined,
                             autoescape=False, keep_trailing_newline=keep_trailing_newline)
    env.filters["ident"] = ident
    return env

