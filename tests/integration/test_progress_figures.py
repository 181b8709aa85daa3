"""The numbers beside each admission figure, from a real warehouse (issue 20, point 3).

Four months of factory-made cell workbooks go through the loader into one SQLite
warehouse — March 2023, then January to March 2024, with a February that is approved and
then receives a correction (pending), and a March in which one cell is rejected — and each
month's district outputs are written as the walk writes them. The March report's earlier
figures (last month, the same month last year, each month since January) must be those of
each month's own data file, and its sheets XuHuong, TheoThang, ChiTieu and PhanTich print
on A4 landscape at their own size, every letter 10 pt or more (LibreOffice, once)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from factories import make_header, make_row, make_summary, make_workbook
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from core.findings import Finding
from core.form import RosterRow
from core.kinds import CELL_REPORT
from core.month import MonthData
from core.registry import Registry
from core.settings import Settings
from forms.reader import read_cell_report
from reports.district_progress import build_breakdowns_sheet, build_targets_sheet
from reports.trend import build_monthly_sheet, build_trend_sheet
from services.reporting import write_district_outputs
from warehouse import models as m
from warehouse.approval import approve
from warehouse.archive import Archive
from warehouse.db import make_engine, session_factory, upgrade
from warehouse.load import SubmissionRecord, load_submission, sync_registry
from warehouse.queries import month_data

KEY = b"test-key"
POPULATIONS = ("hoc_sinh", "vien_chuc")
ADMISSIONS = ("TH11", "TH12")
PERIODS = ("2023-03", "2024-01", "2024-02", "2024-03")
NAMES = {"BL01": "Chi bộ Trường THPT Bảo Lâm", "BL02": "Chi bộ Trường THPT Lộc An",
         "BL03": "Chi bộ Trường THPT Lộc Thành", "BL04": "Chi bộ Trường THCS-THPT Lộc Bắc"}
D = date
# period -> cell -> population -> the days of its members' admission decisions (stage 7)
PLAN: dict[str, dict[str, dict[str, list[date]]]] = {
    "2023-03": {"BL01": {"hoc_sinh": [D(2023, 1, 10), D(2023, 3, 5), D(2023, 3, 20)],
                         "vien_chuc": [D(2023, 2, 1)]},
                "BL02": {"hoc_sinh": [D(2023, 3, 15)]},
                "BL04": {"hoc_sinh": [D(2023, 3, 2)]}},
    "2024-01": {"BL01": {"hoc_sinh": [D(2024, 1, 15)]}, "BL02": {}},
    "2024-02": {"BL01": {"hoc_sinh": [D(2024, 1, 15), D(2024, 2, 10)]},
                "BL03": {"hoc_sinh": [D(2024, 2, 5)]}},
    "2024-03": {"BL01": {"hoc_sinh": [D(2024, 1, 15), D(2024, 2, 10), D(2024, 3, 1),
                                      D(2024, 3, 4)],
                         "vien_chuc": [D(2024, 3, 8)]},
                "BL02": {}},
}
# after February is approved, BL01 sends it again with two more admissions: it waits
CORRECTION = {"hoc_sinh": [D(2024, 1, 15), D(2024, 2, 10), D(2024, 2, 20), D(2024, 2, 21)]}
AHEAD, ON_PACE, BEHIND = "Vượt tiến độ", "Đúng tiến độ", "Chậm tiến độ"
GREY = "FFD9D9D9"


def roster(admitted: dict[str, list[date]]) -> list[RosterRow]:
    """Six candidates at stages 1–6, then one member per admission decision."""
    rows = [make_row(n, stage) for n, stage in enumerate((1, 2, 3, 4, 5, 6), start=1)]
    for population, days in admitted.items():
        for day in days:
            rows.append(make_row(len(rows) + 1, 7, population=population, decision_date=day,
                                 stage_date=day, resolution_date=day - timedelta(days=20)))
    return rows


def workbook(unit: str, period: str, admitted: dict[str, list[date]]) -> bytes:
    rows = roster(admitted)
    return make_workbook(header=make_header(unit, period, unit_name=NAMES[unit]), roster=rows,
                         summary=make_summary(rows, period))


def load(sessions, archive: Path, content: bytes, day: int,  # type: ignore[no-untyped-def]
         findings: tuple[Finding, ...] = ()) -> None:
    """Archive, read and load one workbook as received on ``day`` of its month."""
    report = read_cell_report(content)
    period = report.header.period or ""
    record = SubmissionRecord(
        stored=Archive(archive).store(content), filename=f"{report.header.unit_code}.xlsx",
        channel="folder", sender=report.header.unit_code or "",
        received_at=datetime(int(period[:4]), int(period[5:]), day, 9, tzinfo=UTC),
        kind=CELL_REPORT, unit_code=report.header.unit_code, period=period, report=report,
        findings=list(findings))
    with sessions() as session:
        load_submission(session, record, KEY)


Figures = dict[tuple[str, str, str], int]


def data_file(path: Path) -> Figures:
    """(unit, population, indicator) -> value (breakdown tong) of an upward data file."""
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    return {(r["unit_code"], r["population"], r["indicator"]): int(r["value"]) for r in rows
            if r["breakdown"] == "tong"}


@dataclass
class Site:
    month: MonthData
    files: dict[str, Figures]       # period -> its data file
    pending_th11: int               # BL01's February TH11 in the correction that waits


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Site:
    root = tmp_path_factory.mktemp("progress")
    settings = Settings(data_dir=root / "var", pid_hash_key="test-key",
                        warehouse_url=f"sqlite:///{root / 'warehouse.sqlite'}")
    engine = make_engine(settings.warehouse_url)
    upgrade(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        sync_registry(session, registry)
    for period, cells in PLAN.items():
        for unit, admitted in cells.items():
            load(sessions, root / "archive", workbook(unit, period, admitted), day=20)
    with sessions() as session:
        approve(session, "BL", "2024-02", "can.bo.to.chuc")
    load(sessions, root / "archive", workbook("BL01", "2024-02", CORRECTION), day=27)
    load(sessions, root / "archive", workbook("BL03", "2024-03", {"hoc_sinh": [D(2024, 3, 2)]}),
         day=21, findings=(Finding("R02", "DanhSach", 8, "D", "Ngày sinh không hợp lệ"),))
    files = {period: data_file(write_district_outputs(settings, registry, period).export_csv)
             for period in PERIODS}
    with sessions() as session:
        month = month_data(session, registry, "BL", "2024-03", deadline_day=25,
                           timezone=settings.timezone)
        pending = session.scalar(
            select(m.IndicatorValue.value).join(
                m.Submission, m.Submission.id == m.IndicatorValue.submission_id)
            .where(m.Submission.unit_code == "BL01", m.Submission.period == "2024-02",
                   m.Submission.status == "pending", m.IndicatorValue.indicator == "TH11",
                   m.IndicatorValue.population == "hoc_sinh",
                   m.IndicatorValue.breakdown == "tong"))
    engine.dispose()
    return Site(month, files, pending)


@pytest.fixture(scope="module")
def workbook_bytes(site: Site) -> bytes:
    """The March report's admissions sheets, built from the warehouse's month."""
    wb = Workbook()
    build_targets_sheet(wb.active, site.month)
    wb.active.title = "ChiTieu"
    build_trend_sheet(wb.create_sheet("XuHuong"), site.month)
    build_monthly_sheet(wb.create_sheet("TheoThang"), site.month)
    build_breakdowns_sheet(wb.create_sheet("PhanTich"), site.month)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def book(workbook_bytes: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes))


def earlier(found: Figures) -> Figures:
    """A data file's admissions of the cells (not the district's own line)."""
    return {(u, p, i): v for (u, p, i), v in found.items()
            if u in NAMES and p in POPULATIONS and i in ADMISSIONS}


def row_of(ws: Worksheet, column: int, value: object) -> int:
    [found] = [c.row for c in next(ws.iter_cols(min_col=column, max_col=column))
               if c.value == value]
    return found


def line(ws: Worksheet, row: int, first: int, last: int) -> list[object]:
    return [ws.cell(row=row, column=c).value for c in range(first, last + 1)]


# ---------------------------------------------------------------- the month's data


def test_earlier_months_are_read_as_each_month_s_report_used_them(site: Site) -> None:
    month, files = site.month, site.files
    assert month.last_month == earlier(files["2024-02"])
    assert month.last_year == earlier(files["2023-03"])
    # February is approved: the correction waiting with 3 admissions is not February's
    assert site.pending_th11 == 3
    assert month.last_month[("BL01", "hoc_sinh", "TH11")] == 1
    assert {code for code, _, _ in month.last_month} == {"BL01", "BL03"}
    assert {code for code, _, _ in month.last_year} == {"BL01", "BL02", "BL04"}
    assert month.monthly_admissions == {
        (u, p, period): v for period in PERIODS[1:]
        for (u, p, i), v in earlier(files[period]).items() if i == "TH11"}
    assert month.behind_pace_from == 1  # config/rules/pace.csv at the end of March


def test_the_data_files_hold_what_was_sent(site: Site) -> None:
    """The plan, as each month's district data file states it (the district's line)."""
    district = {period: (found[("BL", "tong", "TH11")], found[("BL", "tong", "TH12")])
                for period, found in site.files.items()}
    assert district == {"2023-03": (4, 6), "2024-01": (1, 1), "2024-02": (2, 3),
                        "2024-03": (3, 5)}


# ---------------------------------------------------------------- the sheets


def test_trend_sheet_sets_each_cell_beside_its_earlier_months_data_files(
        site: Site, book: openpyxl.Workbook) -> None:
    ws, files = book["XuHuong"], site.files
    for code in NAMES:
        first = row_of(ws, 3, code)
        for offset, population in enumerate(POPULATIONS):
            want = [files["2024-03"].get((code, population, "TH11")),
                    files["2024-02"].get((code, population, "TH11")),
                    files["2023-03"].get((code, population, "TH11")),
                    files["2024-03"].get((code, population, "TH12")),
                    files["2023-03"].get((code, population, "TH12"))]
            row = first + offset
            assert line(ws, row, 5, 9) == want, (code, population)
            # a month without the cell's accepted report is grey, never a zero
            assert [ws.cell(row=row, column=c).fill.start_color.rgb == GREY
                    for c in range(5, 10)] == [v is None for v in want]
    assert line(ws, row_of(ws, 3, "BL01"), 5, 13) == [2, 1, 2, 4, 3, 6, pytest.approx(4 / 6),
                                                      1.5, AHEAD]
    # BL03 was rejected in March, BL04 never sent: no figure of this month
    assert line(ws, row_of(ws, 3, "BL03"), 5, 9) == [None, 1, None, None, None]
    assert line(ws, row_of(ws, 3, "BL04"), 5, 9) == [None, None, 1, None, 1]


def test_trend_totals_are_the_district_lines_of_each_month_s_data_file(
        site: Site, book: openpyxl.Workbook) -> None:
    ws, files = book["XuHuong"], site.files
    for label, population in (("Cộng học sinh", "hoc_sinh"), ("Cộng viên chức", "vien_chuc"),
                              ("Cộng toàn huyện", "tong")):
        assert line(ws, row_of(ws, 1, label), 5, 9) == [
            files["2024-03"][("BL", population, "TH11")],
            files["2024-02"][("BL", population, "TH11")],
            files["2023-03"][("BL", population, "TH11")],
            files["2024-03"][("BL", population, "TH12")],
            files["2023-03"][("BL", population, "TH12")]], label
    whole = row_of(ws, 1, "Cộng toàn huyện")
    assert line(ws, whole, 5, 13) == [3, 2, 4, 5, 6, 24, pytest.approx(5 / 24), 6.0, BEHIND]
    assert line(ws, row_of(ws, 1, "Chi bộ có báo cáo hợp lệ"), 5, 9) == [
        "2/4", "2/4", "3/4", "2/4", "3/4"]


def test_pace_is_behind_only_a_whole_person_short(book: openpyxl.Workbook) -> None:
    """March: BL02 admitted nobody. Its students' 5 a year are 1.25 short of the pace,
    its staff's 2 a year half a person short — not behind."""
    for sheet, column in (("XuHuong", 13), ("ChiTieu", 10)):
        ws = book[sheet]
        bl02 = row_of(ws, 3, "BL02")
        assert [ws.cell(row=bl02 + k, column=column).value for k in (0, 1)] == [
            BEHIND, ON_PACE], sheet
    targets = book["ChiTieu"]
    assert targets.cell(row=row_of(targets, 3, "BL02") + 1, column=12).value is None


def test_monthly_sheet_is_each_month_s_data_file(site: Site, book: openpyxl.Workbook) -> None:
    ws, files = book["TheoThang"], site.files
    months = PERIODS[1:]
    for code in NAMES:
        first = row_of(ws, 3, code)
        for offset, population in enumerate(POPULATIONS):
            want = [files[p].get((code, population, "TH11")) for p in months]
            known = [v for v in want if v is not None]
            assert line(ws, first + offset, 5, 8) == [*want, sum(known) if known else None]
    for label, population in (("Cộng học sinh", "hoc_sinh"), ("Cộng toàn huyện", "tong")):
        assert line(ws, row_of(ws, 1, label), 5, 7) == [
            files[p][("BL", population, "TH11")] for p in months], label
    assert line(ws, row_of(ws, 3, "BL01"), 5, 8) == [1, 1, 2, 4]
    assert line(ws, row_of(ws, 1, "Cộng toàn huyện"), 5, 8) == [1, 2, 3, 6]
    assert line(ws, row_of(ws, 1, "Chi bộ có báo cáo hợp lệ"), 5, 7) == ["2/4"] * 3


# ---------------------------------------------------------------- printed


# (sheet, its title, the first words of the header of its fourth and last columns)
PRINTED = (
    ("ChiTieu", "TIẾN ĐỘ THỰC HIỆN CHỈ TIÊU", "Đối", "Ghi"),
    ("XuHuong", "SO SÁNH KẾT QUẢ KẾT NẠP", "Đối", "Tiến"),
    ("TheoThang", "KẾT NẠP ĐẢNG VIÊN TỪNG THÁNG", "Đối", "Cộng"),
    ("PhanTich", "CƠ CẤU QUẦN CHÚNG", "Nội", "dưới"),
)


@pytest.fixture(scope="module")
def pages(workbook_bytes: bytes, tmp_path_factory: pytest.TempPathFactory,
          libreoffice: str) -> list[dict]:
    """The four sheets printed to PDF by LibreOffice (one conversion): each page's sheet
    (the last title seen: a table's further pages repeat its header, not its title), text,
    words and character sizes."""
    pdfplumber = pytest.importorskip("pdfplumber")
    from styles import convert_with_libreoffice

    [pdf] = convert_with_libreoffice([workbook_bytes], "pdf")
    path = tmp_path_factory.mktemp("printed") / "progress.pdf"
    path.write_bytes(pdf)
    found, sheet = [], None
    with pdfplumber.open(path) as document:
        for page in document.pages:
            text = page.extract_text() or ""
            titled = [name for name, title, _, _ in PRINTED if title in text]
            sheet = titled[0] if titled else sheet
            found.append({"sheet": sheet, "titled": bool(titled), "text": text,
                          "width": page.width, "words": page.extract_words(),
                          "sizes": {c["size"] for c in page.chars}})
    return found


def test_every_letter_prints_at_10_pt_or_more(pages: list[dict]) -> None:
    assert [p["sheet"] for p in pages if p["titled"]] == [name for name, *_ in PRINTED]
    smallest = min(min(p["sizes"]) for p in pages)
    assert smallest >= 10, smallest
    assert all(p["width"] > 800 for p in pages)  # A4 landscape: 842 × 595 pt


@pytest.mark.parametrize(("sheet", "title", "fourth", "last"), PRINTED)
def test_each_table_prints_its_whole_width_on_every_page(
        pages: list[dict], sheet: str, title: str, fourth: str, last: str) -> None:
    """No page holds a slice of the table: every page of the sheet has the header of its
    last column to the right of the labels' (a table too wide would go on at 11 pt on a
    page of its further columns, or shrink to fit)."""
    printed = [p for p in pages if p["sheet"] == sheet]
    assert printed and title in printed[0]["text"]
    for page in printed:
        labels = [w["x0"] for w in page["words"] if w["text"] == fourth]
        ends = [w["x0"] for w in page["words"] if w["text"] == last]
        assert labels and ends and max(ends) > min(labels), (sheet, labels, ends)
        assert max(w["x1"] for w in page["words"]) <= page["width"]


def test_the_printed_trend_names_the_months_and_the_verdicts(pages: list[dict]) -> None:
    text = " ".join(p["text"] for p in pages if p["sheet"] == "XuHuong")
    for words in ("3/2024", "2/2024", "3/2023", "Chậm tiến", "Vượt tiến",
                  "Chi bộ có báo cáo hợp lệ", "từ 1 người trở lên"):
        assert words in text, words
