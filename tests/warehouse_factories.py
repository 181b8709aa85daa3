"""Loading factory-made workbooks straight into a warehouse (no flow): for the warehouse
tests of versions, approval, history and lineage."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from factories import make_header, make_roster, make_summary, make_workbook

from core.findings import Finding
from core.kinds import CELL_REPORT
from forms.reader import read_cell_report
from warehouse.archive import Archive
from warehouse.load import LoadResult, SubmissionRecord, load_submission

KEY = b"test-key"


def cell_workbook(unit: str = "BL01", period: str = "2024-03",
                  stages: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7), **overrides: int) -> bytes:
    roster = make_roster(stages)
    return make_workbook(header=make_header(unit, period), roster=roster,
                         summary=make_summary(roster, period, **overrides))


def load(sessions, archive_root: Path, content: bytes, *, day: int = 21,  # type: ignore[no-untyped-def]
         findings: tuple[Finding, ...] = (), month: int = 3) -> LoadResult:
    """Archive, read and load one workbook as received on ``day`` of 2024-``month``."""
    stored = Archive(archive_root).store(content)
    report = read_cell_report(content)
    record = SubmissionRecord(
        stored=stored, filename=f"{report.header.unit_code}_{report.header.period}.xlsx",
        channel="folder", sender=report.header.unit_code or "",
        received_at=datetime(2024, month, day, 9, tzinfo=UTC), kind=CELL_REPORT,
        unit_code=report.header.unit_code, period=report.header.period, report=report,
        findings=list(findings))
    with sessions() as session:
        return load_submission(session, record, KEY)
