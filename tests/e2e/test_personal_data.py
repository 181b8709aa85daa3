"""Personal data of candidates stays in the district: names, dates of birth and
identification numbers (CCCD) read from the cells' workbooks reach no upward file, no
provincial output and no district sheet except the internal CanQuanTam; a cell's feedback
names only its own people. An identification number, in full or any leading part of 6+
digits, is written nowhere but the sender's own feedback workbook: not in any table of the
warehouse (SQLite and PostgreSQL), of Prefect's database (artifacts, logs, flow runs), nor in
any file the run wrote outside the outbox — everything under the data folder except
``outbox/`` and the received copies in ``inbox/``, ``processed/`` and ``archive/``.

One real ``cellreports demo`` run (subprocess) per warehouse serves every test: on SQLite,
and on a fresh PostgreSQL database. Its temporary Prefect server keeps its database in the
run's own ``PREFECT_HOME``, opened afterwards. Beside the demo's files, BL02 sends one more
January roster (rejected) that lists BL01's first person again (H07), a number of 11 digits
and a letter (R04) and one number twice (R09): every path a number could take is used. The
people are collected independently from the input workbooks the run archived, not from any
output.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pg_databases import postgres_databases
from pid_needles import PidNeedles
from sqlalchemy import create_engine, inspect, text

from cellreports.demo import generate_month
from cellreports.demo_run import drop_in_inbox
from core.errors import ReadError
from core.registry import Registry
from core.settings import DEFAULT_REGISTRY
from forms.reader import read_cell_report
from forms.register_reader import read_course_register
from forms.writer import write_cell_workbook
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
        self._names = _Literals(self.names, r"(?<![\w'’])(", r")(?![\w'’])")
        self._pids = _Literals(self.pids, r"(?<!\d)(", r")(?!\d)")
        self._dates = _Literals(date_texts, r"(?<![\d/-])(", r")(?![\d/-])")

    def in_text(self, text: str, where: str) -> list[Hit]:
        text = _nfc(text)
        return [*(Hit("name", m.group(1), where) for m in self._names.finditer(text)),
                *(Hit("pid", m.group(1), where) for m in self._pids.finditer(text)),
                *(Hit("birth date", m.group(1), where) for m in self._dates.finditer(text))]

    def blank_names(self, text: str) -> str:
        return self._names.sub("\0", _nfc(text))

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


class _Literals:
    """Finds any of ``words`` between ``before`` and ``after`` (lookarounds), the longest
    first. The pattern is built from the words the text holds at all (``in``, a fast scan
    each): an alternation of every name tried at each character of every file took most
    of this module's time, and a word the text lacks cannot match anyway."""

    def __init__(self, words: set[str], before: str, after: str):
        self.words = sorted(words, key=lambda w: (-len(w), w))
        self.before, self.after = before, after
        self._patterns: dict[tuple[str, ...], re.Pattern[str]] = {}

    def _pattern(self, text: str) -> re.Pattern[str] | None:
        present = tuple(w for w in self.words if w in text)
        if not present:
            return None
        if present not in self._patterns:
            self._patterns[present] = re.compile(
                self.before + "|".join(map(re.escape, present)) + self.after)
        return self._patterns[present]

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        pattern = self._pattern(text)
        return pattern.finditer(text) if pattern else iter(())

    def sub(self, replacement: str, text: str) -> str:
        pattern = self._pattern(text)
        return pattern.sub(replacement, text) if pattern else text


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
    pid_needles: PidNeedles  # every number of the inputs, and its leading parts
    warehouse_url: str
    prefect_home: Path

    @property
    def on_sqlite(self) -> bool:
        return self.warehouse_url.startswith("sqlite")


# the demo's files plus BL02's planted January roster
CELL_REPORTS = len(DEMO_CELLS) * len(DEMO_PERIODS) + 1
# what a temporary Prefect server must not take from the test's own environment
FOREIGN_PREFECT = ("PREFECT_API_URL", "PREFECT_API_KEY", "PREFECT_PROFILE",
                   "PREFECT_PROFILES_PATH", "PREFECT_API_DATABASE_CONNECTION_URL",
                   "PREFECT_SERVER_DATABASE_CONNECTION_URL")


def _plant_numbers(inbox: Path) -> None:
    """BL02 sends one more January roster, an hour before the demo's own: BL01's first
    person again (H07 against BL01's accepted roster), a number of 11 digits and a letter
    (R04) and one number twice (R09). It is rejected; its feedback is BL02's own workbook."""
    files = {f.unit_code: f for f in generate_month(Registry.load(DEFAULT_REGISTRY),
                                                    "2024-01")}
    bl01, bl02 = (read_cell_report(files[code].content) for code in ("BL01", "BL02"))
    roster = list(bl02.roster)
    roster[0] = replace(roster[0], pid=f"{roster[0].pid[:11]}X")
    roster[2] = replace(roster[2], pid=roster[1].pid)
    roster.append(replace(bl01.roster[0], stt=len(roster) + 1))
    drop_in_inbox(inbox, "BL02", "BL02_2024-01_bosung.xlsx",
                  write_cell_workbook(bl02.header, bl02.summary, roster),
                  files["BL02"].received_at.timestamp() - 3600)


def _environment(prefect_home: Path, warehouse_url: str | None) -> dict[str, str]:
    """The test's environment, with Prefect's home (its temporary server's database) in
    the run's own folder and the warehouse chosen here. The runs log at INFO, as under
    ``cellreports serve`` (the CLI is otherwise silent): their logs reach that database."""
    env = {k: v for k, v in os.environ.items()  # the Data Docs site on: it is scanned too
           if k not in FOREIGN_PREFECT and k not in ("CELLREPORTS_WAREHOUSE_URL",
                                                     "CELLREPORTS_DATA_DOCS")}
    env["PREFECT_HOME"] = str(prefect_home)
    env["PREFECT_LOGGING_LEVEL"] = "INFO"
    if warehouse_url:
        env["CELLREPORTS_WAREHOUSE_URL"] = warehouse_url
    return env


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request: pytest.FixtureRequest,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    root = tmp_path_factory.mktemp(f"personal-data-{request.param}")
    data_dir, prefect_home = root / "var", root / "prefect-home"
    with ExitStack() as stack:
        url = None
        if request.param == "postgresql":
            fresh = stack.enter_context(postgres_databases(
                request.getfixturevalue("postgres_server"), "personal"))
            url = fresh("demo")
        _plant_numbers(data_dir / "inbox")
        run = subprocess.run(
            [sys.executable, "-m", "cellreports.cli", "demo", "--data-dir", str(data_dir)],
            capture_output=True, text=True, timeout=600, cwd=root,
            env=_environment(prefect_home, url))
        assert run.returncode == 0, run.stderr
        people = _collect_people(data_dir)
        pids = {p.pid for p in people.everyone if p.pid}
        yield Demo(data_dir, run.stdout, people, Needles(people.everyone), PidNeedles(pids),
                   url or f"sqlite:///{data_dir / 'warehouse.sqlite'}", prefect_home)


def test_the_archived_inputs_name_candidates_with_birth_dates_and_pids(demo: Demo) -> None:
    """Guards every other test: the needles are real people, so an empty scan means
    something."""
    people = demo.people
    assert people.cell_reports == CELL_REPORTS
    assert people.registers == 1
    assert set(people.by_sender) == {*DEMO_CELLS, "BLTT"}
    everyone = people.everyone
    assert len(demo.needles.names) >= 20
    assert len(demo.needles.pids) >= 20
    # every number is 12 digits but the planted one of 11 digits and a letter
    assert [p for p in demo.needles.pids if not re.fullmatch(r"\d{12}", p)] == [
        p for p in demo.needles.pids if re.fullmatch(r"\d{11}X", p)]
    assert len(demo.pid_needles.prefixes) > len(demo.needles.pids)
    assert len(demo.needles.dates) >= 20
    assert all(p.birth_date or p.birth_text for p in everyone)
    # The scanner itself finds them where they are known to be: in the cells' own files.
    processed = _files(demo.data_dir / "processed")
    hits = [h for path in processed for h in _scan_file(path, demo.needles)]
    assert {h.kind for h in hits} == {"name", "pid", "birth date"}
    assert {h.value for h in hits if h.kind == "name"} == demo.needles.names


def _warehouse_rows(demo: Demo, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(demo.warehouse_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def test_the_warehouse_roster_lists_only_people_of_the_input_workbooks(demo: Demo) -> None:
    names = {_nfc(n) for (n,) in _warehouse_rows(
        demo, "select full_name from roster_facts where full_name is not null")}
    hashes = [h for (h,) in _warehouse_rows(demo, "select pid_hash from roster_facts")]
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


def _hits(demo: Demo, value: object, where: str) -> list[Hit]:
    """Names, dates of birth, identification numbers in full (as text or a number cell)
    and their leading parts of 6+ digits."""
    hits = demo.needles.in_value(value, where)
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    if isinstance(text, str):
        hits += [Hit("pid", part, where) for part in demo.pid_needles.find(_nfc(text))]
    return hits


def _pid_hits(demo: Demo, value: object, where: str) -> list[Hit]:
    return [h for h in _hits(demo, value, where) if h.kind == "pid"]


def _scan_tables(demo: Demo, url: str) -> tuple[list[Hit], dict[str, int], int]:
    """Every value of every table of a database: the numbers found, the rows per table and
    how many values name a person (the scan reads real rows)."""
    engine = create_engine(url)
    hits: list[Hit] = []
    rows: dict[str, int] = {}
    names = 0
    try:
        with engine.connect() as connection:
            for table in inspect(connection).get_table_names():
                result = connection.execute(text(f'select * from "{table}"'))
                columns = list(result.keys())
                rows[table] = 0
                for row in result:
                    rows[table] += 1
                    for column, value in zip(columns, row, strict=True):
                        found = _hits(demo, value, f"{table}.{column}")
                        hits += [h for h in found if h.kind == "pid"]
                        names += sum(1 for h in found if h.kind == "name")
    finally:
        engine.dispose()
    return hits, rows, names


def test_warehouse_holds_no_plain_pid_in_any_column(demo: Demo) -> None:
    """Every table of the warehouse, on SQLite and on PostgreSQL."""
    hits, rows, names_seen = _scan_tables(demo, demo.warehouse_url)
    assert {"roster_facts", "course_records", "findings", "submissions"} <= set(rows)
    assert not hits, _describe(hits)
    assert names_seen > 0  # names do stay in the warehouse: the scan reads real rows
    # the planted roster's H07, R04 and R09 findings are there to be scanned
    rules = {rule for (rule,) in _warehouse_rows(demo, "select rule_id from findings")}
    assert {"H07", "R04", "R09"} <= rules


def test_warehouse_files_hold_no_plain_pid_even_in_free_pages(demo: Demo) -> None:
    """The database file and its write-ahead log, byte for byte: a PID once written and
    then deleted or overwritten would still be readable there."""
    if not demo.on_sqlite:
        pytest.skip("PostgreSQL's files belong to its server (its tables are scanned above)")
    files = [p for p in (demo.data_dir / "warehouse.sqlite",
                         demo.data_dir / "warehouse.sqlite-wal") if p.exists()]
    assert files and files[0].stat().st_size > 0
    hits = [h for path in files for h in _pid_hits(demo, path.read_bytes(), path.name)]
    assert not hits, _describe(hits)


def test_no_prefect_table_holds_an_identification_number(demo: Demo) -> None:
    """The temporary Prefect server's database: artifacts, logs, flow and task runs, their
    states and parameters."""
    database = demo.prefect_home / "prefect.db"
    assert database.exists(), sorted(p.name for p in demo.prefect_home.iterdir())
    hits, rows, _names = _scan_tables(demo, f"sqlite:///{database}")
    assert {"artifact", "log", "flow_run", "task_run"} <= set(rows)
    # the runs' artifacts and logs are really there: a scan of nothing would pass
    assert rows["artifact"] >= 5 * len(DEMO_PERIODS) and rows["flow_run"] >= len(DEMO_PERIODS)
    assert rows["log"] > 0
    assert not hits, _describe(hits)


RECEIVED_COPIES = ("inbox", "processed", "archive")  # the senders' own files, as received


def _written_by_the_run(data_dir: Path) -> list[Path]:
    """Every file under the data folder except the outbox and the received copies."""
    skipped = {data_dir / name for name in ("outbox", *RECEIVED_COPIES)}
    return [p for p in _files(data_dir) if not any(p.is_relative_to(s) for s in skipped)]


def _file_pid_hits(demo: Demo, path: Path) -> list[Hit]:
    """A file byte for byte; a zip container (a workbook) member by member, unpacked."""
    where = str(path.relative_to(demo.data_dir))
    if not zipfile.is_zipfile(path):
        return _pid_hits(demo, path.read_bytes(), where)
    with zipfile.ZipFile(path) as archive:
        return [h for name in archive.namelist()
                for h in _pid_hits(demo, archive.read(name), f"{where}:{name}")]


def test_no_file_the_run_wrote_outside_the_outbox_holds_an_identification_number(
        demo: Demo) -> None:
    """Data Docs, reports and their history, the province's files, the warehouse file:
    everything the run wrote but the feedback."""
    files = _written_by_the_run(demo.data_dir)
    folders = {p.relative_to(demo.data_dir).parts[0] for p in files}
    assert {"datadocs", "reports", "province"} <= folders, folders
    # the Data Docs show the planted roster's failures: the scan covers them
    docs = "".join(p.read_text(encoding="utf-8", errors="ignore") for p in files
                   if p.is_relative_to(demo.data_dir / "datadocs") and p.suffix == ".html")
    assert all(rule in docs for rule in ("H07", "R04", "R09"))
    hits = [h for path in files for h in _file_pid_hits(demo, path)]
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
    assert len(feedback) == CELL_REPORTS + 1
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
