"""Exporters: certificates to Coq and Lean source files (jinja2 templates in templates/)."""

from functools import lru_cache
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=2)
def template_env(keep_trailing_newline: bool = False) -> jinja2.Environment:
    """The exporters' jinja2 environment: our templates, undefined names are errors, no escaping."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined,
                              autoescape=False, keep_trailing_newline=keep_trailing_newline)

