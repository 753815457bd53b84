"""The Jinja environment shared by the HTML report, Slack and email templates."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache
from importlib import resources

import jinja2
from markupsafe import Markup

from auditor.report.evidence import evidence_html
from auditor.report.text import clean, one_line


def anchor(*parts: str) -> str:
    """A short, stable HTML id for a resource (ARNs are too long and full of colons)."""
    return "r-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]


def timestamp(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    word = singular if count == 1 else plural_form or f"{singular}s"
    return f"{count} {word}"


@cache
def asset(name: str) -> Markup:
    """A CSS or JS file of ``templates/``, inlined as is (it is ours, not user input)."""
    return Markup(resources.files("templates").joinpath(name).read_text(encoding="utf-8"))  # noqa: S704


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("templates", ""),
        # On for every HTML template; Slack JSON uses tojson and email text is plain.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(clean=clean, one_line=one_line, timestamp=timestamp, evidence=evidence_html)
    env.globals.update(anchor=anchor, plural=plural, asset=asset)
    return env
