"""Where ``scan -o`` and ``report -o`` write: one rule for both, checked before any work.

One format: ``-o`` is the file (``-`` is stdout). No ``--format``: the suffix of ``-o`` names
it (``.html``, ``.json``, ``.csv``, ``.ocsf.json``), JSON when there is none. Several formats:
siblings of ``-o`` with their own suffixes (``out/scan.html`` + ``out/scan.json``).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from auditor.cli.errors import UsageError
from auditor.report.formats import ReportFormat, format_of

STDOUT = "-"
DEFAULT_STEM = "auditor-report"
WRITE_BUFFER = 1 << 20  # the document is written a finding at a time: large chunks to disk


def plan_outputs(formats: Sequence[ReportFormat], output: str | None) -> dict[ReportFormat, str]:
    """Format → target (a path or ``-``). Without ``-o``: JSON to stdout, others to
    ``auditor-report<suffix>`` in the current directory."""
    chosen = list(dict.fromkeys(formats))
    if output is None:
        return {
            fmt: STDOUT if fmt is ReportFormat.JSON else DEFAULT_STEM + fmt.suffix for fmt in chosen
        }
    if output == STDOUT:
        if len(chosen) > 1:
            raise UsageError("-o - (stdout) takes a single --format")
        return {chosen[0] if chosen else ReportFormat.JSON: STDOUT}
    path = Path(output)
    if not chosen:
        return {format_of(path) or ReportFormat.JSON: output}
    if len(chosen) == 1:
        return {chosen[0]: output}
    stem = path.name.split(".")[0] or DEFAULT_STEM
    return {fmt: str(path.with_name(stem + fmt.suffix)) for fmt in chosen}


def check_writable(targets: Sequence[str]) -> None:
    """Fail in one line now, before any AWS call, if a target cannot be written later.

    The directory is created if missing and a probe file is written and removed in it, which
    also catches read-only file systems (``os.access`` cannot, and lies for root).
    """
    for target in targets:
        if target == STDOUT:
            continue
        path = Path(target)
        if path.is_dir():
            raise UsageError(f"cannot write {path}: it is a directory")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".auditor-probe-"):
                pass
            if path.exists() and not os.access(path, os.W_OK):
                raise PermissionError(13, "Permission denied")
        except OSError as error:
            raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


Rendered = str | Callable[[TextIO], None]  # the text, or a function writing it to a stream


def write_outputs(
    rendered: Mapping[ReportFormat, Rendered], targets: dict[ReportFormat, str]
) -> list[str]:
    """Write each rendered format to its target; the paths written, in order. A format given
    as a function streams into the file (the JSON document: never one string in memory)."""
    written = []
    for fmt, target in targets.items():
        output = rendered[fmt]
        if target == STDOUT:
            _write(output, sys.stdout)
            continue
        path = Path(target)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8", buffering=WRITE_BUFFER) as stream:
                _write(output, stream)
        except OSError as error:
            raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
        written.append(str(path))
    return written


def _write(output: Rendered, stream: TextIO) -> None:
    if isinstance(output, str):
        stream.write(output)
    else:
        output(stream)
