"""One month's run over a folder mixing every hostile file with good ones (issue 8): the good
files load exactly as they would alone, each bad one is archived and rejected with its named
Vietnamese reason, and nothing written carries a live formula or a hyperlink."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from factories import make_header, make_workbook
from hostile_corpus import Hostile, corpus
from inbox_files import drop
from openpyxl import load_workbook
from pg_databases import postgres_databases
from sqlalchemy import select

from connectors.safe_names import readable_name
from core.limits import DEFAULT_LIMITS
from core.run import RunSummary
from core.settings import Settings
from forms.dispatch import read_any
from warehouse import models as m
from warehouse.db import make_engine, session_factory

PERIOD = "2024-03"
# readable cases, one per cell so that none supersedes another: (unit, corpus key)
READABLE = (("BL01", "formula_injection"), ("BL02", "name_rtl_override"),
            ("BL03", "macros_xlsm"), ("BL04", "xlsx_named_xls"))
# a name the file system gives back undecodable (surrogate escapes), on a non-workbook
UNDECODABLE = b"B\xe1o c\xe1o BL02.xlsx"


@dataclass
class Dropped:
    disk_name: str  # as written into the inbox
    content: bytes  # as a channel hands it over (a file over the limit: its first bytes)
    case: Hostile


def _readable(settings: Settings) -> list[Dropped]:
    dropped = []
    for unit, key in READABLE:
        [case] = [c for c in corpus(unit, PERIOD) if c.key == key]
        drop(settings, unit, case.filename, case.content)
        dropped.append(Dropped(case.filename, case.content, case))
    return dropped


def _hostile(settings: Settings) -> list[Dropped]:
    dropped = []
    for i, case in enumerate(c for c in corpus("BL01", PERIOD) if c.error):
        name = f"{i:02d}_{case.key}.xlsx"
        drop(settings, "BL01", name, case.content)
        dropped.append(Dropped(name, case.content[:DEFAULT_LIMITS.max_file_bytes + 1], case))
    drop(settings, "BL02", UNDECODABLE, b"khong phai bang tinh")
    return dropped


@dataclass
class Tricks:
    """What the channel itself is tricked with: names, links, twins, a future month."""

    secret: Path  # what a link in the inbox points at, outside it
    received: list[str]  # the files among them that must become submissions


TWIN = b"khong phai bang tinh: the same bytes from two cells"


def _tricks(settings: Settings, root: Path) -> Tricks:
    secret = root / "passwd"
    secret.write_bytes(b"root:x:0:0:root:/root:/bin/bash\n")
    drop(settings, "BL04", ".BL04_an.xlsx", b"")  # a dotted name: read like any other
    drop(settings, "BL01", "~$BL01_2024-03.xlsx", b"Excel's owner file")  # passed over
    (settings.inbox / "BL02" / "BL02_matkhau.xlsx").symlink_to(secret)  # never followed
    drop(settings, "BL03", "giong_nhau.xlsx", TWIN)
    drop(settings, "BL04", "giong_nhau.xlsx", TWIN)
    drop(settings, "BL01", "BL01_2027-06.xlsx", make_workbook(header=make_header(
        "BL01", "2027-06")))
    return Tricks(secret, [".BL04_an.xlsx", "giong_nhau.xlsx", "giong_nhau.xlsx",
                           "BL01_2027-06.xlsx"])


def _warehouse(settings: Settings) -> tuple[dict[str, m.Submission], dict[int, list[str]]]:
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:
        subs = {s.filename: s for s in session.scalars(select(m.Submission))}
        findings: dict[int, list[str]] = {}
        for f in session.scalars(select(m.Finding)):
            findings.setdefault(f.submission_id, []).append(f"{f.rule_id} {f.message}")
        archived = set(session.scalars(select(m.RawFile.sha256)))
        session.expunge_all()
    engine.dispose()
    assert {s.sha256 for s in subs.values()} <= archived
    return subs, findings


@dataclass
class MixedMonth:
    settings: Settings
    summary: RunSummary
    clean: RunSummary  # the same good files alone
    readable: list[Dropped]
    hostile: list[Dropped]
    tricks: Tricks


@pytest.fixture(scope="module")
def alone(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> RunSummary:
    """The good files' run alone, on SQLite: the same for both warehouses, so run once."""
    from flows.monthly import monthly_consolidation

    settings = Settings(data_dir=tmp_path_factory.mktemp("alone") / "var",
                        pid_hash_key="test-key")
    _readable(settings)
    return monthly_consolidation(PERIOD, settings)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def mixed_month(request: pytest.FixtureRequest, prefect_server: None,
                tmp_path_factory: pytest.TempPathFactory, alone: RunSummary
                ) -> Iterator[MixedMonth]:
    """The mixed folder's run (once per warehouse for all the checks below: a run costs
    tens of seconds), and the run of the same good files alone to compare with."""
    from flows.monthly import monthly_consolidation

    root = tmp_path_factory.mktemp(f"hostile-{request.param}")
    with ExitStack() as stack:
        url = f"sqlite:///{root / 'warehouse.sqlite'}"
        if request.param == "postgresql":
            fresh = stack.enter_context(postgres_databases(
                request.getfixturevalue("postgres_server"), "cellreports_hostile"))
            url = fresh("mixed")
        settings = Settings(data_dir=root / "var", pid_hash_key="test-key",
                            warehouse_url=url)
        clean = alone
        readable = _readable(settings)
        hostile = _hostile(settings)
        tricks = _tricks(settings, root)
        yield MixedMonth(settings, monthly_consolidation(PERIOD, settings), clean, readable,
                         hostile, tricks)


def test_every_hostile_file_is_archived_and_rejected_with_its_named_reason(mixed_month):
    subs, findings = _warehouse(mixed_month.settings)
    rows = {r.filename: r for r in mixed_month.summary.rows}
    hostile = mixed_month.hostile
    for dropped in hostile:
        expected = read_any(dropped.content).error
        assert type(expected) is dropped.case.error, dropped.case.key
        sub = subs[dropped.disk_name]
        assert sub.sha256 == hashlib.sha256(dropped.content).hexdigest(), dropped.case.key
        assert sub.status == "rejected" and rows[dropped.disk_name].status == "rejected"
        assert findings[sub.id] == [f"{expected.rule_id} {expected.message_vi}"], (
            dropped.case.key)
    odd = [name for name in subs if "\ufffd" in name]
    assert odd == ["B\ufffdo c\ufffdo BL02.xlsx"]
    assert subs[odd[0]].status == "rejected"
    assert len(hostile) >= 14  # every error case of the corpus was in the folder


def test_the_good_files_beside_them_load_exactly_as_they_do_alone(mixed_month):
    summary, clean = mixed_month.summary, mixed_month.clean
    subs, findings = _warehouse(mixed_month.settings)
    for (unit, key), dropped in zip(READABLE, mixed_month.readable, strict=True):
        sub = subs[readable_name(dropped.disk_name)]
        assert (sub.unit_code, sub.status) == (unit, "accepted"), key
    macro = next(s for s in subs.values() if s.unit_code == "BL03")
    # F09 beside the warnings every factory roster gets (the same people in several cells)
    assert "F09" in {f.split()[0] for f in findings[macro.id]}
    assert summary.export_csv.read_bytes() == clean.export_csv.read_bytes()
    assert sorted(summary.missing) == sorted(clean.missing) == []


def test_the_inbox_is_emptied_and_every_file_gets_its_feedback(mixed_month):
    settings, readable, hostile = mixed_month.settings, mixed_month.readable, mixed_month.hostile
    received = len(readable) + len(hostile) + 1 + len(mixed_month.tricks.received)
    # only Excel's owner file waits, listed (it goes when the workbook is closed)
    assert [p.name for p in settings.inbox.rglob("*") if p.is_file()] == [
        "~$BL01_2024-03.xlsx"]
    processed = [p for p in (settings.data_dir / "processed").rglob("*") if p.is_file()]
    assert len(processed) == received
    assert sum(p.stat().st_size > DEFAULT_LIMITS.max_file_bytes for p in processed) == 1
    feedback = sorted(p for p in settings.outbox.rglob("*.xlsx"))
    assert len(feedback) == received
    assert all(p.resolve().is_relative_to(settings.outbox.resolve()) for p in feedback)


def test_nothing_written_carries_a_live_formula_or_a_hyperlink(mixed_month):
    settings, summary = mixed_month.settings, mixed_month.summary
    written = sorted(settings.outbox.rglob("*.xlsx")) + sorted(
        settings.reports.rglob("*.xlsx"))
    assert len(written) > 20
    for path in written:
        workbook = load_workbook(path)
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, sheet.title, cell.coordinate)
                    _no_link_out(cell, path, sheet.title, workbook.sheetnames)
    for line in csv.reader(io.StringIO(summary.export_csv.read_text(encoding="utf-8"))):
        assert not any(field.startswith(("=", "+", "@")) for field in line), line


def _no_link_out(cell, path: Path, sheet: str, sheets: list[str]) -> None:  # type: ignore[no-untyped-def]
    """No hyperlink, but our own in the findings table: a jump to a cell of a sheet of the
    same workbook (a location, no target); never one of the sender's, never outward."""
    link = cell.hyperlink
    if link is None:
        return
    where = (path.name, sheet, cell.coordinate, link.target, link.location)
    assert sheet == "KetQuaKiemTra" and not link.target and link.location, where
    assert link.location.split("!")[0].strip("'") in sheets, where


def test_the_macro_workbook_comes_back_annotated_without_its_macros(mixed_month):
    [feedback] = [p for p in (mixed_month.settings.outbox / "BL03").glob("*.xlsx")
                  if not p.name.startswith("giong_nhau")]
    with zipfile.ZipFile(feedback) as archive:
        names = archive.namelist()
    assert "xl/vbaProject.bin" not in names
    assert {"ThongTin", "DanhSach"} <= set(load_workbook(feedback).sheetnames)
    [(_unit, key)] = [r for r in READABLE if r[0] == "BL03"]
    [case] = [c for c in corpus("BL03", PERIOD) if c.key == key]
    with zipfile.ZipFile(io.BytesIO(case.content)) as archive:
        assert "xl/vbaProject.bin" in archive.namelist()  # the input really had them


def test_the_channel_tricks_are_answered_listed_or_set_aside(mixed_month):
    """A dotted name is read; Excel's owner file and a link are listed, the link moved aside
    and never followed; the same bytes from two cells are two submissions, each answered;
    a report for a future month is refused (F10), not filed."""
    settings, tricks = mixed_month.settings, mixed_month.tricks
    subs, findings = _warehouse(settings)
    by_sender = {(s.sender, s.filename): s for s in subs.values()}
    twins = [s for s in _all_submissions(settings) if s.filename == "giong_nhau.xlsx"]
    assert sorted(s.sender for s in twins) == ["BL03", "BL04"]
    assert all(Path(s.feedback_path).is_file() for s in twins)
    assert by_sender[("BL04", ".BL04_an.xlsx")].status == "rejected"
    future = by_sender[("BL01", "BL01_2027-06.xlsx")]
    assert future.status == "rejected"
    assert "F10" in {f.split()[0] for f in findings[future.id]}
    skipped = {s.name: s for s in mixed_month.summary.skipped}
    assert set(skipped) == {"BL01/~$BL01_2024-03.xlsx", "BL02/BL02_matkhau.xlsx"}
    moved = skipped["BL02/BL02_matkhau.xlsx"].moved_to
    assert moved is not None and moved.is_symlink()
    archived = [p.read_bytes() for p in settings.archive.rglob("*") if p.is_file()]
    assert tricks.secret.read_bytes() not in archived


def _all_submissions(settings: Settings) -> list[m.Submission]:
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:
        found = list(session.scalars(select(m.Submission)))
        session.expunge_all()
    engine.dispose()
    return found
