"""What one run of the walk did, as plain data: the rows of its received files and its
summary. The console, the artifacts (reports/artifacts.py) and the demo read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core.findings import Finding
from core.month import UnitStatus


@dataclass(frozen=True)
class Skipped:
    """Something in a channel that was not taken as a submission, and why: listed in the
    run summary so that nothing waits unseen."""

    name: str  # as found (readable), relative to the channel's root
    reason: str  # in English, for the officer's run summary
    moved_to: Path | None = None  # where it was set aside, if it was moved


@dataclass
class RunRow:
    """One received file in the run summary."""

    unit: str
    filename: str
    period: str | None
    status: str  # accepted | rejected | duplicate | unchanged (…) | twin of … | failed
    errors: int = 0
    warnings: int = 0
    version: int | None = None
    feedback: Path | str | None = None


@dataclass
class RunSummary:
    """One month's run at one level (the district's or commune's, or the province's)."""

    period: str
    unit: str = ""  # the consolidating unit: the district (commune) or the province
    level: str = "district"
    rows: list[RunRow] = field(default_factory=list)
    report: Path | None = None  # the level's workbook
    export_csv: Path | None = None  # its upward data file (and the JSON twin)
    export_json: Path | None = None
    outbox: Path | None = None
    data_docs: Path | None = None
    missing: list[str] = field(default_factory=list)  # expected units without valid data
    statuses: tuple[UnitStatus, ...] = ()  # every expected unit this month
    findings: list[Finding] = field(default_factory=list)  # of the files of this run
    # earlier months whose reports were rebuilt: a late or corrected file changed them
    rebuilt: list[str] = field(default_factory=list)
    # corrections waiting for an approved month to be reopened: (unit, month, version, file)
    pending: list[tuple[str, str, int | None, str]] = field(default_factory=list)
    # what the channels passed over (lock files, symbolic links moved aside), with why
    skipped: list[Skipped] = field(default_factory=list)
