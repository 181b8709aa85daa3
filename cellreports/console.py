"""What a run prints: a readable table and the paths of what it wrote."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console()
if not console.is_terminal:  # logs and CI: do not squeeze the table into 80 columns
    console = Console(width=110)

STATUS_STYLE = {"accepted": "green", "rejected": "bold red", "failed": "bold red",
                "pending": "yellow"}


def show_runs(summaries: Iterable) -> None:  # type: ignore[type-arg]
    """One line per received file: unit, month, version, accepted or rejected, counts."""
    table = Table(title="Received files", title_justify="left", pad_edge=False)
    table.add_column("Month", no_wrap=True)
    table.add_column("Unit", no_wrap=True)
    table.add_column("File", overflow="fold", min_width=18)
    table.add_column("Ver.", justify="right")
    table.add_column("Result", no_wrap=True)
    table.add_column("Errors", justify="right")
    table.add_column("Warn.", justify="right")
    for summary in summaries:
        for row in sorted(summary.rows, key=lambda r: (r.unit, r.filename)):
            style = STATUS_STYLE.get(row.status, "dim")
            # names and codes come from received files: "[/]" in one must print, not crash
            table.add_row(escape(row.period or summary.period), escape(row.unit or "—"),
                          escape(row.filename),
                          str(row.version or "—"), f"[{style}]{row.status}[/]",
                          str(row.errors), str(row.warnings))
        table.add_section()
    console.print(table)


def show_outputs(summary) -> None:  # type: ignore[no-untyped-def]
    console.print(f"[bold]{summary.period}[/]")
    console.print(f"  District report:  {_rel(summary.district_report)}")
    console.print(f"  Upward data file: {_rel(summary.export_csv)} (+ .json)")
    console.print(f"  Feedback files:   {_rel(summary.outbox)}/")
    console.print(f"  Data Docs:        {_rel(summary.data_docs)}")
    missing = escape(", ".join(summary.missing_units)) or "none"
    console.print(f"  Cells without an accepted report: {missing}")
    if getattr(summary, "rebuilt", None):
        console.print(f"  Earlier months rebuilt (late or corrected files): "
                      f"{', '.join(summary.rebuilt)}")
    for unit, period, version, filename in getattr(summary, "pending", []):
        console.print(f"  [yellow]Pending correction[/] for approved {period}: {escape(unit)} "
                      f"version {version} ({escape(filename)}) — applied after `cellreports reopen "
                      f"--period {period}`")


def _rel(path: Path | None) -> str:
    if path is None:
        return "—"
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
