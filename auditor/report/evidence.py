"""Evidence, hop by hop, as compact HTML (a Jinja filter: recursion in a macro is too slow
for 20,000 findings).

The top level is a definition list, lists are numbered hops, deeper mappings are inline
("key value · key value"). Every key and value is escaped and cleaned.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from auditor.report.text import clean

MAX_DEPTH = 12
MAX_ITEMS = 50


def _value(value: Any, depth: int, out: list[str]) -> None:
    if depth > MAX_DEPTH:
        out.append("<i>(nested too deep to show)</i>")
    elif isinstance(value, dict):
        for index, (key, item) in enumerate(value.items()):
            out.append(" · " if index else "")
            out.append(f"<i>{escape(clean(key, 200))}</i> ")
            _value(item, depth + 1, out)
    elif isinstance(value, list | tuple):
        out.append("<ol>")
        for item in value[:MAX_ITEMS]:
            out.append("<li>")
            _value(item, depth + 1, out)
            out.append("</li>")
        if len(value) > MAX_ITEMS:
            out.append(f"<li><i>… and {len(value) - MAX_ITEMS} more</i></li>")
        out.append("</ol>")
    elif value is None:
        out.append("<i>none</i>")
    else:
        out.append(str(escape(clean(value))))


def evidence_html(evidence: Any) -> Markup:
    out: list[str] = []
    if isinstance(evidence, dict) and evidence:
        out.append('<dl class="ev">')
        for key, item in evidence.items():
            out.append(f"<dt>{escape(clean(key, 200))}</dt><dd>")
            _value(item, 1, out)
            out.append("</dd>")
        out.append("</dl>")
    elif evidence:
        _value(evidence, 1, out)
    else:
        out.append("<i>no evidence recorded</i>")
    return Markup("".join(out))  # noqa: S704  (every piece above is escaped)
