"""What a run prints: a readable table and the paths of what it wrote."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from connectors.safe_names import readable_name

console = Console()
if not console.is_terminal:  # logs and CI: do not squeeze the table into 80 columns
    console = Console(width=110)

# printable's limits for the longer kinds of received text: a server's error message, a
# list of units (a name gets 255 characters, as it is stored)
ERROR_LIMIT = 500
LIST_LIMIT = 2000
# line and field separators: a space each, so that words stay apart once controls are gone
_BREAKS = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")


def printable(value: object, limit: int = 255) -> str:
    """Text received from outside (a person's, file's or unit's name, a server's error) as
    the terminal shows it: with readable_name's rules — no control or bidi characters (an
    ESC sequence in a workbook would recolour or retitle the terminal, U+202E reverse a
    name), NFC, at most ``limit`` characters — line breaks as spaces, and Rich markup
    escaped ("[/]" in a name prints, it does not style or crash). Every CLI output of
    received text goes through here."""
    text = _BREAKS.sub(" ", str(value))
    return escape(readable_name(text, limit)) if text.strip() else ""


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
            # names and codes come from received files
            table.add_row(printable(row.period or summary.period), printable(row.unit or "—"),
                          printable(row.filename),
                          str(row.version or "—"), f"[{style}]{row.status}[/]",
                          str(row.errors), str(row.warnings))
        table.add_section()
    console.print(table)
    for summary in summaries:
        for skipped in getattr(summary, "skipped", []):
            aside = f" → {printable(skipped.moved_to)}" if skipped.moved_to else ""
            console.print(f"[yellow]Not read:[/] {printable(skipped.name)} — "
                          f"{printable(skipped.reason)}{aside}")


def show_outputs(summary) -> None:  # type: ignore[no-untyped-def]
    console.print(f"[bold]{summary.period}[/]")
    console.print(f"  District report:  {_rel(summary.report)}")
    if summary.report is not None:
        from reports.word_report import word_report_name

        word = summary.report.with_name(word_report_name(summary.unit, summary.period))
        console.print(f"  Word report:      {_rel(word)} (a draft to edit and sign)")
    console.print(f"  Upward data file: {_rel(summary.export_csv)} (+ .json)")
    console.print(f"  Feedback files:   {_rel(summary.outbox)}/")
    console.print(f"  Data Docs:        {_rel(summary.data_docs)}")
    missing = printable(", ".join(summary.missing), LIST_LIMIT) or "none"
    console.print(f"  Cells without an accepted report: {missing}")
    if getattr(summary, "rebuilt", None):
        console.print(f"  Earlier months rebuilt (late or corrected files): "
                      f"{printable(', '.join(summary.rebuilt), LIST_LIMIT)}")
    for unit, period, version, filename in getattr(summary, "pending", []):
        console.print(f"  [yellow]Pending correction[/] for approved {printable(period)}: "
                      f"{printable(unit)} version {version} ({printable(filename)}) — applied "
                      f"after `cellreports reopen --period {printable(period)}`")


def _rel(path: Path | None) -> str:
    if path is None:
        return "—"
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
