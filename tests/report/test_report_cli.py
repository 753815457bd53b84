"""`auditor report` through Typer: formats, output paths and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from auditor.cli import report_cmd
from auditor.cli.errors import UsageError
from auditor.store.database import Store
from tests.report.report_factories import seed_week


@pytest.fixture
def app(store: Store, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    with store.session() as session:
        seed_week(session, hostile=False)
    monkeypatch.setattr(report_cmd, "open_store", lambda url: store)
    application = typer.Typer()
    report_cmd.register(application)

    @application.callback()
    def root() -> None:
        """Makes `report` a subcommand, as in the real CLI."""

    return application


def test_report_cli_writes_every_format_beside_the_output_name(
    app: typer.Typer, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "weekly.html"
    result = CliRunner().invoke(
        app, ["report", "-o", str(target), "-f", "html", "-f", "json", "-f", "csv", "-f", "ocsf"]
    )

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.parent.iterdir()) == [
        "weekly.csv",
        "weekly.html",
        "weekly.json",
        "weekly.ocsf.json",
    ]
    document = json.loads((target.parent / "weekly.json").read_text())
    assert document["schema_version"] == 1
    assert sorted(s["account_id"] for s in document["scans"]) == ["111111111111", "222222222222"]
    assert (target.parent / "weekly.html").read_text().startswith("<!DOCTYPE html>")


def test_report_cli_json_to_stdout_for_one_account(app: typer.Typer) -> None:
    result = CliRunner().invoke(
        app, ["report", "-o", "-", "-f", "json", "--account", "222222222222"]
    )

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["scan"]["account_id"] == "222222222222"
    assert {f["account_id"] for f in document["findings"]} == {"222222222222"}


def test_report_cli_unknown_scan_is_a_usage_error(app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--scan", "nope", "-o", str(tmp_path / "r")])

    assert isinstance(result.exception, UsageError)
    assert str(result.exception) == "no scan with id 'nope' in the store"
    assert not (tmp_path / "r").exists()


def test_report_cli_stdout_takes_one_format(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["report", "-o", "-", "-f", "json", "-f", "csv"])

    assert isinstance(result.exception, UsageError)
