"""Personal data of candidates stays in the district: names, dates of birth and
identification numbers (CCCD) read from the cells' workbooks reach no upward file, no
provincial output and no district sheet except the internal CanQuanTam; the warehouse keeps
identification numbers only as keyed hashes; a cell's feedback names only its own people.

One real ``cellreports demo`` run (subprocess) serves every test. The people are collected
independently from the input workbooks the run archived, not from any output.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from forms.errors import ReadError
from forms.reader import read_cell_report
from forms.register_reader import read_course_register
from reports.district import SHEETS as DISTRICT_SHEETS
from reports.district_attention import SHEET_ATTENTION

INTERNAL_SHEETS = {SHEET_ATTENTION}
DEMO_CELLS = ("BL01", "BL02", "BL03", "BL04")
DEMO_PERIODS = ("2024-01", "2024-02", "2024-03")
TEXT_SUFFIXES = {".csv", ".json", ".html", ".htm", ".txt", ".md", ".xml", ".log"}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# ---------------------------------------------------------------- the people, from the inputs


@dataclass(frozen=True)
class Person:
    name: str
    birth_date: date | None
    pid: str | None
    birth_text: str | None = None  # an unreadable date of birth, as typed (the planted error)


@dataclass
class People:
    """Everyone the demo's input workbooks list, and which sender listed them."""

    by_sender: dict[str, set[Person]] = field(default_factory=dict)
    cell_reports: int = 0
    registers: int = 0

    def add(self, sender: str, person: Person) -> None:
        self.by_sender.setdefault(sender, set()).add(person)

    @property
    def everyone(self) -> set[Person]:
        return set().union(*self.by_sender.values())


def _collect_people(data_dir: Path) -> People:
    """Every archived input: the cells' reports and the course register (names, dates of
    birth and identification numbers as the workbooks hold them)."""
    people = People()
    for path in sorted((data_dir / "archive" / "objects").rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        content = path.read_bytes()
        if not content.startswith(b"PK"):  # the upward CSV files share the archive
            continue
        try:
            report = read_cell_report(content)
        except ReadError:
            report = None
        if report is not None:
            people.cell_reports += 1
            sender = report.header.unit_code or "?"
            for row in report.roster:
                if row.full_name:
                    people.add(sender, Person(_nfc(row.full_name), row.birth_date, row.pid,
                                              row.invalid.get("birth_date")))
            continue
        try:
            register = read_course_register(content)
        except ReadError:
            continue
        people.registers += 1
        for entry in register.rows:
            if entry.full_name:
                people.add("BLTT", Person(_nfc(entry.full_name), entry.birth_date, entry.pid))
    return people


# ---------------------------------------------------------------- what a text or cell reveals


@dataclass(frozen=True)
class Hit:
    kind: str  # name | pid | birth date
    value: str
    where: str


class Needles:
    """Finds names (whole words, the longest first so that "Kră Jăn Ka Điệp" is not also
    "Ka Điệp"), identification numbers (not inside a longer number) and dates of birth
    (dd/mm/yyyy, yyyy-mm-dd, or a date cell)."""

    def __init__(self, people: Iterable[Person]):
        people = list(people)
        self.names = {p.name for p in people}
        self.pids = {p.pid for p in people if p.pid}
        self.dates = {p.birth_date for p in people if p.birth_date}
        date_texts = {p.birth_text for p in people if p.birth_text}
        for day in self.dates:
            date_texts |= {f"{day:%d/%m/%Y}", day.isoformat()}
        self.date_texts = date_texts
        self._names = _word_pattern(self.names)
        self._pids = re.compile(r"(?<!\d)(" + "|".join(sorted(map(re.escape, self.pids)))
                                + r")(?!\d)") if self.pids else None
        self._dates = re.compile(r"(?<![\d/-])(" + "|".join(
            sorted(map(re.escape, date_texts), key=len, reverse=True)) + r")(?![\d/-])"
        ) if date_texts else None

    def in_text(self, text: str, where: str) -> list[Hit]:
        text = _nfc(text)
        hits = [Hit("name", m.group(1), where) for m in self._names.finditer(text)] \
            if self._names else []
        if self._pids:
            hits += [Hit("pid", m.group(1), where) for m in self._pids.finditer(text)]
        if self._dates:
            hits += [Hit("birth date", m.group(1), where) for m in self._dates.finditer(text)]
        return hits

    def blank_names(self, text: str) -> str:
        return self._names.sub("\0", _nfc(text)) if self._names else _nfc(text)

    def in_value(self, value: object, where: str) -> list[Hit]:
        if isinstance(value, datetime | date):
            day = value.date() if isinstance(value, datetime) else value
            return [Hit("birth date", day.isoformat(), where)] if day in self.dates else []
        if isinstance(value, int | float) and not isinstance(value, bool):
            digits = str(int(value)) if float(value).is_integer() else ""
            return [Hit("pid", p, where) for p in self.pids if digits and p.lstrip("0")
                    == digits]
        if isinstance(value, str):
            return self.in_text(value, where)
        if isinstance(value, bytes):
            return self.in_text(value.decode("utf-8", "ignore"), where)
        return []


def _word_pattern(words: set[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    alternatives = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    return re.compile(r"(?<![\w'’])(" + alternatives + r")(?![\w'’])")


def _sheet_values(path: Path) -> Iterator[tuple[str, object, str]]:
    """(sheet, value, where) for every cell value, comment, header and footer of every
    sheet, as openpyxl reads them (dates as dates)."""
    workbook = load_workbook(path, data_only=False, rich_text=False)
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                where = f"{path.name}!{ws.title}!{cell.coordinate}"
                if cell.value is not None:
                    yield ws.title, cell.value, where
                if cell.comment is not None:
                    yield ws.title, cell.comment.text, where + " (comment)"
        for part in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter,
                     ws.firstHeader, ws.firstFooter):
            for side in (part.left, part.center, part.right):
                if side.text:
                    yield ws.title, side.text, f"{path.name}!{ws.title} (header/footer)"
    workbook.close()


def _xlsx_parts(path: Path) -> Iterator[tuple[str, str]]:
    """The text of every XML part of an .xlsx: shared strings, charts, properties…"""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels", ".vml")):
                yield name, archive.read(name).decode("utf-8", "ignore")


def _scan_file(path: Path, needles: Needles) -> list[Hit]:
    """Everything a file reveals: for .xlsx every cell of every sheet and every XML part;
    for other files their text."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        hits = [h for _sheet, value, where in _sheet_values(path)
                for h in needles.in_value(value, where)]
        hits += [h for part, text in _xlsx_parts(path)
                 for h in needles.in_text(_unescape_xml(text), f"{path.name}:{part}")]
        return hits
    return needles.in_text(path.read_bytes().decode("utf-8", "ignore"), str(path.name))


def _unescape_xml(text: str) -> str:
    return (text.replace("&apos;", "'").replace("&quot;", '"').replace("&lt;", "<")
            .replace("&gt;", ">").replace("&amp;", "&"))


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _describe(hits: list[Hit], limit: int = 15) -> str:
    shown = [f"{h.kind} {h.value!r} in {h.where}" for h in hits[:limit]]
    more = f"\n… and {len(hits) - limit} more" if len(hits) > limit else ""
    return "\n".join(shown) + more


# ---------------------------------------------------------------- the demo run


@dataclass(frozen=True)
class Demo:
    data_dir: Path
    stdout: str
    people: People
    needles: Needles


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    data_dir = tmp_path_factory.mktemp("personal-data") / "var"
    run = subprocess.run(
        [sys.executable, "-m", "cellreports.cli", "demo", "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=600, cwd=data_dir.parent)
    assert run.returncode == 0, run.stderr
    people = _collect_people(data_dir)
    return Demo(data_dir, run.stdout, people, Needles(people.everyone))


def test_the_archived_inputs_name_candidates_with_birth_dates_and_pids(demo: Demo) -> None:
    """Guards every other test: the needles are real people, so an empty scan means
    something."""
    people = demo.people
    assert people.cell_reports == len(DEMO_CELLS) * len(DEMO_PERIODS)
    assert people.registers == 1
    assert set(people.by_sender) == {*DEMO_CELLS, "BLTT"}
    everyone = people.everyone
    assert len(demo.needles.names) >= 20
    assert len(demo.needles.pids) >= 20 and all(re.fullmatch(r"\d{12}", p)
                                                for p in demo.needles.pids)
    assert len(demo.needles.dates) >= 20
    assert all(p.birth_date or p.birth_text for p in everyone)
    # The scanner itself finds them where they are known to be: in the cells' own files.
    processed = _files(demo.data_dir / "processed")
    hits = [h for path in processed for h in _scan_file(path, demo.needles)]
    assert {h.kind for h in hits} == {"name", "pid", "birth date"}
    assert {h.value for h in hits if h.kind == "name"} == demo.needles.names


def test_the_warehouse_roster_lists_only_people_of_the_input_workbooks(demo: Demo) -> None:
    with closing(sqlite3.connect(demo.data_dir / "warehouse.sqlite")) as db:
        names = {_nfc(n) for (n,) in db.execute(
            "select full_name from roster_facts where full_name is not null")}
        hashes = [h for (h,) in db.execute("select pid_hash from roster_facts")]
    assert names and names <= demo.needles.names
    assert hashes and all(hashes)


def test_upward_data_files_carry_no_name_birth_date_or_pid(demo: Demo) -> None:
    files = [p for p in _files(demo.data_dir / "reports")
             if p.suffix in (".csv", ".json")]
    assert len(files) >= 2 * len(DEMO_PERIODS)
    hits = [h for path in files for h in _scan_file(path, demo.needles)]
    assert not hits, _describe(hits)


def test_nothing_the_province_holds_or_produces_carries_personal_data(demo: Demo) -> None:
    """Inbox and processed copies of the district's files, the provincial workbooks and data
    files (and their history), the province's Data Docs."""
    files = _files(demo.data_dir / "province")
    workbooks = [p for p in files if p.suffix == ".xlsx"]
    exports = [p for p in files if p.suffix in (".csv", ".json")]
    assert len(workbooks) >= len(DEMO_PERIODS) and len(exports) >= 2 * len(DEMO_PERIODS)
    hits = [h for path in files if path.suffix in {".xlsx", *TEXT_SUFFIXES}
            for h in _scan_file(path, demo.needles)]
    assert not hits, _describe(hits)


def _district_workbooks(demo: Demo) -> list[Path]:
    found = sorted((demo.data_dir / "reports").rglob("*BaoCaoTongHop_*.xlsx"))
    assert {p.name for p in found} >= {f"BaoCaoTongHop_BL_{p}.xlsx" for p in DEMO_PERIODS}
    return found


def test_district_report_names_people_only_in_its_internal_sheet(demo: Demo) -> None:
    internal_hits: list[Hit] = []
    leaks: list[Hit] = []
    for path in _district_workbooks(demo):
        sheets = load_workbook(path, read_only=True).sheetnames
        assert set(sheets) == set(DISTRICT_SHEETS) and set(sheets) >= INTERNAL_SHEETS
        for sheet, value, where in _sheet_values(path):
            hits = demo.needles.in_value(value, where)
            (internal_hits if sheet in INTERNAL_SHEETS else leaks).extend(hits)
    assert not leaks, _describe(leaks)
    # the internal sheet is really scanned: it lists people with their dates of birth
    assert {h.kind for h in internal_hits} >= {"name", "birth date"}


def test_district_report_internal_sheet_shows_no_pid(demo: Demo) -> None:
    hits = [h for path in _district_workbooks(demo)
            for sheet, value, where in _sheet_values(path) if sheet in INTERNAL_SHEETS
            for h in demo.needles.in_value(value, where) if h.kind == "pid"]
    assert not hits, _describe(hits)


def test_district_report_parts_outside_the_sheets_carry_no_personal_data(demo: Demo) -> None:
    """Charts, document properties and the like: every XML part except the sheets'
    own cells and shared strings (those are checked sheet by sheet)."""
    hits = [h for path in _district_workbooks(demo) for part, text in _xlsx_parts(path)
            if not part.startswith("xl/worksheets/") and part != "xl/sharedStrings.xml"
            for h in demo.needles.in_text(_unescape_xml(text), f"{path.name}:{part}")]
    assert not hits, _describe(hits)


def test_warehouse_holds_no_plain_pid_in_any_column(demo: Demo) -> None:
    pid_hits: list[Hit] = []
    names_seen = 0
    with closing(sqlite3.connect(demo.data_dir / "warehouse.sqlite")) as db:
        tables = [r[0] for r in db.execute(
            "select name from sqlite_master where type = 'table'")]
        assert {"roster_facts", "course_records", "findings", "submissions"} <= set(tables)
        for table in tables:
            cursor = db.execute(f'select * from "{table}"')
            columns = [d[0] for d in cursor.description]
            for row in cursor:
                for column, value in zip(columns, row, strict=True):
                    hits = demo.needles.in_value(value, f"{table}.{column}")
                    pid_hits += [h for h in hits if h.kind == "pid"]
                    names_seen += sum(1 for h in hits if h.kind == "name")
    assert not pid_hits, _describe(pid_hits)
    assert names_seen > 0  # names do stay in the warehouse: the scan reads real rows


def test_warehouse_files_hold_no_plain_pid_even_in_free_pages(demo: Demo) -> None:
    """The database file and its write-ahead log, byte for byte: a PID once written and
    then deleted or overwritten would still be readable there."""
    files = [p for p in (demo.data_dir / "warehouse.sqlite",
                         demo.data_dir / "warehouse.sqlite-wal") if p.exists()]
    assert files and files[0].stat().st_size > 0
    hits = [h for path in files
            for h in demo.needles.in_text(path.read_bytes().decode("latin-1"), path.name)
            if h.kind == "pid"]
    assert not hits, _describe(hits)


def _foreign_people_in(path: Path, own: set[Person], everyone: set[Person],
                       ) -> tuple[list[Hit], int]:
    """What ``path`` reveals of people outside ``own``, and how many own names it shows."""
    own_needles, others = Needles(own), Needles(everyone - own)
    own_days = own_needles.date_texts | {d.isoformat() for d in own_needles.dates}
    foreign: list[Hit] = []
    own_names = 0
    for _sheet, value, where in _sheet_values(path):
        if isinstance(value, str):
            own_names += sum(1 for h in own_needles.in_text(value, where) if h.kind == "name")
            # an own name that contains another person's shorter name is still own
            value = own_needles.blank_names(value)
        foreign += [h for h in others.in_value(value, where)
                    # someone of the sender's own was born the same day
                    if not (h.kind == "birth date" and h.value in own_days)]
    return foreign, own_names


def _annotated(path: Path) -> bool:
    """Feedback with findings is the cell's own workbook annotated; without, the findings
    sheet alone."""
    return len(load_workbook(path, read_only=True).sheetnames) > 1


def test_each_feedback_workbook_names_only_its_own_senders_people(demo: Demo) -> None:
    """A cell's feedback is its own workbook annotated (or, when clean, the findings sheet
    alone): its own roster, nobody else's. The Political Center's register lists people of
    every cell; its feedback may show them."""
    feedback = _files(demo.data_dir / "outbox")
    assert {p.parent.name for p in feedback} == {*DEMO_CELLS, "BLTT"}
    assert len(feedback) == len(DEMO_CELLS) * len(DEMO_PERIODS) + 1
    everyone = demo.people.everyone
    leaks: list[Hit] = []
    annotated = 0
    for path in feedback:
        sender = path.parent.name
        foreign, own_names = _foreign_people_in(path, demo.people.by_sender[sender], everyone)
        if _annotated(path):
            annotated += 1
            assert own_names, f"{path.name} shows none of {sender}'s own people"
        leaks += foreign
    # the demo plants errors in three of its files: their feedback carries the rosters
    assert annotated >= 2, "the check saw too few rosters to mean anything"
    assert not leaks, _describe(leaks)


def test_the_feedback_check_would_see_another_cells_people(demo: Demo) -> None:
    """The check above can fail: judged as if it belonged to another cell, an annotated
    feedback shows its own cell's people as strangers."""
    path = next(p for p in _files(demo.data_dir / "outbox")
                if p.parent.name != "BLTT" and _annotated(p))
    stranger = next(c for c in DEMO_CELLS if c != path.parent.name)
    foreign, _own = _foreign_people_in(path, demo.people.by_sender[stranger],
                                       demo.people.everyone)
    assert {h.kind for h in foreign} == {"name", "pid", "birth date"}


def test_demo_console_output_shows_no_personal_data(demo: Demo) -> None:
    hits = demo.needles.in_text(demo.stdout, "stdout")
    assert not hits, _describe(hits)
