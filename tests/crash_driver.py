"""Load a fixed month of cell reports into a warehouse, optionally dying abruptly midway.

Run as a real subprocess by tests/integration/test_crash_safety.py::

    python tests/crash_driver.py <database_url> <work_dir> [--kill-after N]
                                 [--kill-in-upgrade-after N]

It brings the schema to head, builds six deterministic cell workbooks (the same bytes on
every run), archives them under ``<work_dir>/archive`` and loads each one in its own
session, oldest first, as flows.common.load_each does. It writes ``<work_dir>/manifest.json``
(what each file should become) before loading and prints ``statements=<n>``, the number of
SQL statements the load executed, when it finishes.

With ``--kill-after N`` the process sends itself SIGKILL right after the N-th statement of
the load: no exception, no rollback, no cleanup — the closest thing to a power cut. The
schema upgrade is counted apart (``upgrade_statements=<n>`` is printed once it is done) and
``--kill-in-upgrade-after N`` kills the process inside it instead.

Prefect and Great Expectations are deliberately not imported (they cost seconds).

``python tests/crash_driver.py --serve`` is its fork server (tests/fork_server.py): the
modules imported and the six workbooks built once, each run a child forked from it that
dies as abruptly as a freshly started driver.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
for path in (HERE.parent, HERE):  # the project root and tests/ (for factories)
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from factories import (  # noqa: E402
    make_header,
    make_roster,
    make_row,
    make_summary,
    make_workbook,
)
from fork_server import serve  # noqa: E402
from sqlalchemy import Engine, event  # noqa: E402

from core.figures import submission_figures  # noqa: E402
from core.findings import Finding  # noqa: E402
from core.form import RosterRow, SummaryLine  # noqa: E402
from forms.reader import read_cell_report  # noqa: E402
from warehouse.archive import Archive  # noqa: E402
from warehouse.db import make_engine, session_factory, upgrade  # noqa: E402
from warehouse.load import CELL_REPORT, SubmissionRecord, load_submission  # noqa: E402

KEY = b"test-key"
PERIOD = "2024-03"
BAD_DATE = Finding("R02", "DanhSach", 8, "D", "Ngày sinh không hợp lệ")
OLD_CERTIFICATE = Finding("R07", "DanhSach", 9, "N", "Giấy chứng nhận sắp hết hạn")


def _received(day: int, hour: int) -> datetime:
    return datetime(2024, 3, day, hour, tzinfo=UTC)


@cache  # the same bytes on every run: built once in the fork server
def submissions() -> list[tuple[str, datetime, bytes, list[Finding]]]:
    """(filename, received_at, workbook, findings) of the month, in no particular order.

    BL01 sends twice: its corrected second version, one person more, supersedes the first
    (and changes figures). BL03's file has an error and is rejected; BL04's is accepted with
    a warning. Rosters differ in length so that a missing or extra row shows.
    """
    bl01 = make_roster((1, 2, 3, 4, 5, 6, 7))
    corrected = [*bl01[:6], replace(bl01[6], note="đã sửa ngày quyết định"), make_row(8, 1)]
    return [
        ("BL05_2024-03.xlsx", _received(20, 16), _workbook("BL05", (1, 1, 2)), []),
        ("BL01_2024-03.xlsx", _received(18, 9), _workbook("BL01", roster=bl01), []),
        ("BL02_2024-03.xlsx", _received(18, 14), _workbook("BL02", (1, 2, 2, 3, 6)), []),
        ("BL03_2024-03.xlsx", _received(19, 8), _workbook("BL03", (1, 2, 3, 4)),
         [BAD_DATE, OLD_CERTIFICATE]),
        ("BL04_2024-03.xlsx", _received(19, 10), _workbook("BL04", (2, 3, 3, 4, 5, 6, 7, 7)),
         [OLD_CERTIFICATE]),
        ("BL01_2024-03_v2.xlsx", _received(21, 11),
         _workbook("BL01", roster=corrected, summary=make_summary(corrected)), []),
    ]


def _workbook(unit: str, stages: tuple[int, ...] = (), roster: list[RosterRow] | None = None,
              summary: dict[str, SummaryLine] | None = None) -> bytes:
    roster = roster if roster is not None else make_roster(stages)
    return make_workbook(make_header(unit, PERIOD), roster, summary)


def records(archive: Archive) -> list[SubmissionRecord]:
    """The month's files read, archived and turned into records, oldest first."""
    result = []
    for filename, received_at, content, findings in submissions():
        report = read_cell_report(content)
        result.append(SubmissionRecord(
            stored=archive.store(content), filename=filename, channel="folder",
            sender=report.header.unit_code or "", received_at=received_at, kind=CELL_REPORT,
            unit_code=report.header.unit_code, period=report.header.period, report=report,
            findings=findings))
    return sorted(result, key=lambda r: r.received_at)


def manifest(ordered: list[SubmissionRecord]) -> list[dict[str, object]]:
    """What each file should leave in the warehouse once loaded, in load order."""
    return [{"sha256": r.stored.sha256, "filename": r.filename, "unit_code": r.unit_code,
             "period": r.period, "accepted": r.accepted,
             "roster_rows": len(r.report.roster) if r.report else 0,
             "figures": len(submission_figures(r.report)) if r.report else 0,
             "findings": len(r.findings)} for r in ordered]


class Statements:
    """Counts the SQL statements executed on an engine, phase by phase (the schema upgrade,
    then the load), and SIGKILLs this process right after the statement chosen in a phase."""

    def __init__(self, engine: Engine, kill_at: dict[str, int | None]) -> None:
        self.kill_at = kill_at
        self.phase = "upgrade"
        self.counts = {"upgrade": 0, "load": 0}
        event.listen(engine, "after_cursor_execute", self.executed)

    def executed(self, *_args: object) -> None:
        self.counts[self.phase] += 1
        if self.counts[self.phase] == self.kill_at.get(self.phase):
            os.kill(os.getpid(), signal.SIGKILL)  # no exception, no rollback, no cleanup


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("work_dir", type=Path)
    parser.add_argument("--kill-after", type=int, default=None, metavar="N",
                        help="SIGKILL right after the N-th statement of the load")
    parser.add_argument("--kill-in-upgrade-after", type=int, default=None, metavar="N",
                        help="SIGKILL right after the N-th statement of the schema upgrade")
    args = parser.parse_args(argv)

    args.work_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(args.database_url)
    statements = Statements(engine, {"upgrade": args.kill_in_upgrade_after,
                                     "load": args.kill_after})
    upgrade(engine)
    print(f"upgrade_statements={statements.counts['upgrade']}", flush=True)
    ordered = records(Archive(args.work_dir / "archive"))
    (args.work_dir / "manifest.json").write_text(json.dumps(manifest(ordered), indent=1))

    statements.phase = "load"
    open_session = session_factory(engine)
    for record in ordered:  # one transaction per file, oldest first (flows.common.load_each)
        with open_session() as session:
            result = load_submission(session, record, KEY)
        print(f"{record.filename}: {result.status} v{result.version} new={result.new}")
    engine.dispose()
    print(f"statements={statements.counts['load']}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        submissions()
        child = serve()
        sys.exit(0 if child is None else main(child))
    sys.exit(main())
