"""Making user-controlled text (tags, names, error messages) safe to show in any channel.

Escaping for HTML is Jinja's autoescape; this module handles what escaping does not: bidi
control characters that reorder what the reader sees, other control characters, and
strings so long that they drown the report.
"""

from __future__ import annotations

import re

# Bidi embeddings, overrides and isolates, and the implicit marks: shown, never obeyed.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# C0 and C1 controls except tab and newline.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

DEFAULT_LIMIT = 2_000


def _visible(match: re.Match[str]) -> str:
    return f"[U+{ord(match.group()):04X}]"


def clean(value: object, limit: int = DEFAULT_LIMIT) -> str:
    """``value`` as text with control characters made visible and length capped."""
    text = str(value)
    # Printable ASCII (most identifiers and messages) has nothing to neutralise.
    if not (text.isascii() and text.isprintable()):
        text = _CONTROL.sub(_visible, _BIDI.sub(_visible, text))
    if len(text) > limit:
        return f"{text[:limit]}… ({len(text) - limit} more characters)"
    return text


def one_line(value: object, limit: int = DEFAULT_LIMIT) -> str:
    """Like :func:`clean`, on one line."""
    return clean(" ".join(str(value).split()), limit)
