"""Slack mrkdwn for user-controlled text: no mentions, no links, no formatting.

Slack reads ``<...>`` as a mention (``<!channel>``) or a link (``<http://x|click>``), so ``&``,
``<`` and ``>`` are escaped; formatting (``*bold*``) is neutralised by showing user text as
inline code, where Slack applies none.
"""

from __future__ import annotations

from auditor.report.text import one_line

# Inline code cannot contain a backtick; this look-alike keeps the text readable.
_BACKTICK_LOOKALIKE = "\u02cb"


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code(value: object, limit: int = 200) -> str:
    """``value`` as inline code, safe whatever it contains."""
    text = one_line(value, limit).replace("`", _BACKTICK_LOOKALIKE)
    return f"`{escape(text)}`" if text else "` `"


# Formatting characters in plain (not code) text, replaced by look-alikes Slack leaves alone.
_FORMATTING = str.maketrans({"*": "\u2217", "~": "\u223c", "`": _BACKTICK_LOOKALIKE})


def plain(value: object, limit: int = 500) -> str:
    """``value`` as ordinary text: escaped, one line, no bold, strike or code marks."""
    return escape(one_line(value, limit).translate(_FORMATTING))
