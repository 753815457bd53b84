"""Every folder of tests/ holding Python files is a package, so each helper module is imported
once, by its dotted name (``tests.report.report_factories``), never also by its bare name
from a folder put on ``sys.path`` (two module objects, two copies of its state)."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_every_folder_with_python_files_is_a_package() -> None:
    folders = {path.parent for path in TESTS.rglob("*.py")}
    missing = sorted(str(f.relative_to(TESTS)) for f in folders if not (f / "__init__.py").exists())
    assert missing == []


def test_no_test_changes_sys_path_but_to_reach_scripts() -> None:
    # scripts/ is not a package: tests/test_lock_files.py puts it on the path to import dev.py.
    allowed = {"test_lock_files.py"}
    found = [
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("*.py")
        if path != Path(__file__).resolve() and str(path.relative_to(TESTS)) not in allowed
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r"sys\.path(\.insert|\.append|\.extend|\[)", line)
    ]
    assert found == []
