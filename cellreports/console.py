"""What a run prints: a readable table and the paths of what it wrote."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.console import Console
from rich.table import Table

console = Console()

STATUS_STYLE = {"accepted": "green", "rejected": "bold red", "duplicate": "dim"}


def show_runs(summaries: Iterable) -> None:  # type: ignore[type-arg]
    table = Table(title="Submissions", title_justify="left")
    for column in ("Run", "Unit", "File", "Report period", "Version", "Result", "Errors",
                   "Warnings"):
        table.add_column(column, justify="right" if column in ("Errors", "Warnings") else "left")
    for summary in summaries:
        for row in summary.rows:
            style = STATUS_STYLE.get(row.status, "")
            table.add_row(summary.period, row.unit, row.filename, row.period or "—",
                          str(row.version or "—"), f"[{style}]{row.status}[/]",
                          str(row.errors), str(row.warnings))
    console.print(table)


def show_outputs(summary) -> None:  # type: ignore[no-untyped-def]
    console.print(f"[bold]{summary.period}[/]")
    console.print(f"  District report:  {_rel(summary.district_report)}")
    console.print(f"  Upward data file: {_rel(summary.export_csv)} (+ .json)")
    console.print(f"  Feedback files:   {_rel(summary.outbox)}/")
    missing = ", ".join(summary.missing_units) or "none"
    console.print(f"  Cells without an accepted report: {missing}")


def _rel(path: Path | None) -> str:
    if path is None:
        return "—"
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
