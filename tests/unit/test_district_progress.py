"""The numbers an officer reads beside each admission figure (issue 20, point 3): the pace
rule from config/rules/pace.csv at its boundary, ChiTieu's verdicts under it, and the
sheets XuHuong (this month, last month, the same month last year, since January, the
year's target) and TheoThang (each month since January), read back from the workbook."""

from __future__ import annotations

import io
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from district_month import BL01, BL02, BL03, BL04, DISTRICT
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

import core.pace
from core.month import MonthData, UnitStatus
from core.pace import PACE_FILE, PaceRules, behind_pace_from, is_behind
from core.rulebook import RuleBookError
from reports.district_progress import Progress, build_breakdowns_sheet, build_targets_sheet
from reports.trend import build_monthly_sheet, build_trend_sheet

HEADER = "parameter,value,effective_from,level,source,note"
POPULATIONS = ("hoc_sinh", "vien_chuc")
AHEAD, ON_PACE, BEHIND = "Vượt tiến độ", "Đúng tiến độ", "Chậm tiến độ"
STAFF_BEHIND = "Chỉ tiêu viên chức chậm tiến độ"
GREY = "FFD9D9D9"
# A4 landscape between the 20 mm side margins of Guide 36-HD/VPTW is 257 mm; LibreOffice
# without Calibri prints a unit of column width as ~2.5 mm: 102.8 units at the sheet's own
# size. Each sheet here stays under it, so none is shrunk or cut to fit the page.
PAGE_UNITS = 101


def pace_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "pace.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def write(ws: Worksheet, row: int, first: int, last: int) -> list[object]:
    return [ws.cell(row=row, column=c).value for c in range(first, last + 1)]


def row_of(ws: Worksheet, column: int, value: object) -> int:
    [found] = [c.row for c in next(ws.iter_cols(min_col=column, max_col=column))
               if c.value == value]
    return found


def grey(ws: Worksheet, row: int, column: int) -> bool:
    return ws.cell(row=row, column=column).fill.start_color.rgb == GREY


# ---------------------------------------------------------------- the rule in config


def test_behind_only_from_the_configured_persons_short_of_the_pace(tmp_path: Path) -> None:
    path = pace_file(tmp_path, "behind_pace_persons,1,2021-01-01,,district practice,")
    one = behind_pace_from("2024-03", path=path)
    assert one == 1
    assert not is_behind(Fraction(-9, 10), one)        # 0.9 short: not behind
    assert is_behind(Fraction(-1), one)                # a whole person short: behind
    assert not is_behind(Fraction(0), one) and not is_behind(Fraction(1, 2), one)


def test_a_changed_threshold_applies_from_its_date_and_moves_the_boundary(
        tmp_path: Path) -> None:
    path = pace_file(tmp_path, "behind_pace_persons,1,2021-01-01,,district practice,",
                     "behind_pace_persons,2,2024-07-01,,a new notice,",
                     "behind_pace_persons,0.9,2024-01-01,xa,a commune's own,")
    assert behind_pace_from("2024-06", path=path) == 1
    two = behind_pace_from("2024-09", path=path)
    assert two == 2
    assert not is_behind(Fraction(-19, 10), two) and is_behind(Fraction(-2), two)
    # a decimal is exact: 0.9 short is behind where the threshold is 0.9
    commune = behind_pace_from("2024-03", "xa", path=path)
    assert commune == Fraction(9, 10) and is_behind(Fraction(-9, 10), commune)
    assert behind_pace_from(path=path) == 2  # no period: the latest row


def test_the_shipped_rule_is_one_whole_person() -> None:
    assert behind_pace_from("2024-03") == 1
    [row] = PaceRules.default().rows
    assert (row.parameter, row.value, row.effective_from) == (
        "behind_pace_persons", 1, date(2021, 1, 1))


def test_the_pace_file_takes_only_its_own_parameter(tmp_path: Path) -> None:
    with pytest.raises(RuleBookError, match="unknown parameter 'deadline_day'"):
        PaceRules.load(pace_file(tmp_path, "deadline_day,25,2021-01-01,,x,"))
    with pytest.raises(RuleBookError, match="no all-levels row"):
        PaceRules.load(pace_file(tmp_path, "behind_pace_persons,1,2021-01-01,huyen,x,"))
    assert PACE_FILE.name == "pace.csv" and PACE_FILE.parent.name == "rules"


def test_progress_without_a_period_judges_by_the_latest_row() -> None:
    """The provincial ChiTieu builds Progress from a month's number alone."""
    assert Progress(0, 11, 1).pace == ON_PACE      # 11/12 of a person short
    assert Progress(0, 12, 1).pace == BEHIND       # one person short
    assert Progress(0, 12, 1, Fraction(2)).pace == ON_PACE
    assert Progress(2, 12, 1).pace == AHEAD


# ---------------------------------------------------------------- a January month

def january(**changes: object) -> MonthData:
    """January 2024: nobody admitted yet. Targets make the lines 11/12, 1, 2 and 13/12 of
    a person short of the pace (target / 12)."""
    cells = [UnitStatus(BL01, received=True, accepted=True, on_time=True, version=1,
                        received_at=datetime(2024, 1, 20, 9)),
             UnitStatus(BL02, received=True, accepted=True, on_time=True, version=1,
                        received_at=datetime(2024, 1, 21, 9))]
    values = {(c.unit.code, p, i, "tong"): 0 for c in cells for p in POPULATIONS
              for i in ("TH11", "TH12")}
    month = MonthData(
        period="2024-01", unit=DISTRICT, parents={"BL": "LD", "BL01": "BL", "BL02": "BL"},
        levels={"BL": "huyen", "BL01": "chi_bo", "BL02": "chi_bo"}, cells=cells,
        values=values, generated_at=datetime(2024, 1, 26, 8),
        targets={("BL01", "hoc_sinh"): 11, ("BL01", "vien_chuc"): 12,
                 ("BL02", "hoc_sinh"): 24, ("BL02", "vien_chuc"): 13})
    for key, value in changes.items():
        setattr(month, key, value)
    return month


def sheets(month: MonthData) -> openpyxl.Workbook:
    """ChiTieu, XuHuong and TheoThang of ``month``, written and read back."""
    wb = Workbook()
    build_targets_sheet(wb.active, month)
    wb.active.title = "ChiTieu"
    build_trend_sheet(wb.create_sheet("XuHuong"), month)
    build_monthly_sheet(wb.create_sheet("TheoThang"), month)
    out = io.BytesIO()
    wb.save(out)
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))


def verdicts(book: openpyxl.Workbook) -> dict[tuple[str, str], tuple[str, str]]:
    """(cell, population) -> (ChiTieu's verdict, XuHuong's verdict)."""
    found = {}
    for code in ("BL01", "BL02"):
        for offset, population in enumerate(POPULATIONS):
            found[(code, population)] = (
                book["ChiTieu"].cell(row=row_of(book["ChiTieu"], 3, code) + offset,
                                     column=10).value,
                book["XuHuong"].cell(row=row_of(book["XuHuong"], 3, code) + offset,
                                     column=13).value)
    return found


def test_the_sheets_call_a_line_behind_from_one_whole_person_short() -> None:
    book = sheets(january())
    assert verdicts(book) == {
        ("BL01", "hoc_sinh"): (ON_PACE, ON_PACE),     # 11/12 short
        ("BL01", "vien_chuc"): (BEHIND, BEHIND),      # exactly 1 short
        ("BL02", "hoc_sinh"): (BEHIND, BEHIND),       # 2 short
        ("BL02", "vien_chuc"): (BEHIND, BEHIND),      # 13/12 short
    }
    targets = book["ChiTieu"]
    bl01 = row_of(targets, 3, "BL01")
    assert write(targets, bl01 + 1, 8, 9) == [1.0, -1.0]
    assert targets.cell(row=bl01 + 1, column=12).value == STAFF_BEHIND
    assert targets.cell(row=bl01, column=9).value == pytest.approx(-11 / 12)
    notes = [c.value for c in targets["A"] if isinstance(c.value, str)]
    assert any("ít hơn số cần đạt từ 1 người trở lên là chậm tiến độ" in t for t in notes)


def test_with_the_config_value_changed_the_sheets_follow_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core.pace, "PACE_FILE", pace_file(
        tmp_path, "behind_pace_persons,2,2021-01-01,,changed for the test,"))
    book = sheets(january())
    assert verdicts(book) == {
        ("BL01", "hoc_sinh"): (ON_PACE, ON_PACE),
        ("BL01", "vien_chuc"): (ON_PACE, ON_PACE),    # 1 short: no longer behind
        ("BL02", "hoc_sinh"): (BEHIND, BEHIND),       # 2 short: behind
        ("BL02", "vien_chuc"): (ON_PACE, ON_PACE),
    }
    targets = book["ChiTieu"]
    assert STAFF_BEHIND not in [c.value for c in targets["L"]]
    notes = [c.value for c in targets["A"] if isinstance(c.value, str)]
    assert any("ít hơn số cần đạt từ 2 người trở lên là chậm tiến độ" in t for t in notes)


def test_the_month_s_own_threshold_wins_over_the_file() -> None:
    """The warehouse fills MonthData.behind_pace_from with the rule in force at the month's
    end: a rebuild says what the month's report said."""
    book = sheets(january(behind_pace_from=Fraction(3, 2)))
    assert verdicts(book)[("BL01", "vien_chuc")] == (ON_PACE, ON_PACE)
    assert verdicts(book)[("BL02", "hoc_sinh")] == (BEHIND, BEHIND)
    notes = [c.value for c in book["XuHuong"]["A"] if isinstance(c.value, str)]
    assert any("từ 1,5 người trở lên" in t for t in notes)


# ---------------------------------------------------------------- XuHuong, TheoThang

def march() -> MonthData:
    """March 2024: BL01 and BL02 accepted, BL03 rejected, BL04 never sent. February had
    BL01 and BL03, March 2023 BL01, BL02 and BL04; January BL01 and BL02."""
    cells = [UnitStatus(BL01, received=True, accepted=True, on_time=True, version=1),
             UnitStatus(BL02, received=True, accepted=True, on_time=True, version=1),
             UnitStatus(BL03, received=True, errors=2), UnitStatus(BL04)]
    this = {("BL01", "hoc_sinh"): (2, 4), ("BL01", "vien_chuc"): (1, 1),
            ("BL02", "hoc_sinh"): (0, 0), ("BL02", "vien_chuc"): (0, 0)}
    values = {}
    for (code, population), (th11, th12) in this.items():
        values[(code, population, "TH11", "tong")] = th11
        values[(code, population, "TH12", "tong")] = th12

    def earlier(figures: dict[tuple[str, str], tuple[int, int]]) -> dict:
        return {(code, p, i): v for (code, p), pair in figures.items()
                for i, v in zip(("TH11", "TH12"), pair, strict=True)}

    last_month = earlier({("BL01", "hoc_sinh"): (1, 2), ("BL01", "vien_chuc"): (0, 0),
                          ("BL03", "hoc_sinh"): (1, 1), ("BL03", "vien_chuc"): (0, 0)})
    last_year = earlier({("BL01", "hoc_sinh"): (2, 3), ("BL01", "vien_chuc"): (0, 1),
                         ("BL02", "hoc_sinh"): (1, 1), ("BL02", "vien_chuc"): (0, 0),
                         ("BL04", "hoc_sinh"): (1, 1), ("BL04", "vien_chuc"): (0, 0)})
    monthly = {("BL01", "hoc_sinh", "2024-01"): 1, ("BL01", "vien_chuc", "2024-01"): 0,
               ("BL02", "hoc_sinh", "2024-01"): 0, ("BL02", "vien_chuc", "2024-01"): 0,
               ("BL01", "hoc_sinh", "2024-02"): 1, ("BL01", "vien_chuc", "2024-02"): 0,
               ("BL03", "hoc_sinh", "2024-02"): 1, ("BL03", "vien_chuc", "2024-02"): 0,
               **{(code, p, "2024-03"): th11 for (code, p), (th11, _) in this.items()}}
    return MonthData(
        period="2024-03", unit=DISTRICT,
        parents={"BL": "LD", **{c.unit.code: "BL" for c in cells}},
        levels={"BL": "huyen", **{c.unit.code: "chi_bo" for c in cells}}, cells=cells,
        values=values, generated_at=datetime(2024, 3, 26, 8),
        targets={("BL01", "hoc_sinh"): 6, ("BL01", "vien_chuc"): 2,
                 ("BL02", "hoc_sinh"): 5, ("BL02", "vien_chuc"): 2,
                 ("BL03", "hoc_sinh"): 4, ("BL03", "vien_chuc"): 1,
                 ("BL04", "hoc_sinh"): 3, ("BL04", "vien_chuc"): 1},
        monthly_admissions=monthly, last_month=last_month, last_year=last_year)


@pytest.fixture(scope="module")
def march_book() -> openpyxl.Workbook:
    return sheets(march())


def test_trend_header_names_each_month_it_compares(march_book: openpyxl.Workbook) -> None:
    ws = march_book["XuHuong"]
    assert write(ws, 4, 5, 10) == ["Kết nạp trong tháng (TH11)", None, None,
                                   "Kết nạp từ đầu năm (TH12)", None, "Chỉ tiêu năm 2024"]
    assert write(ws, 5, 5, 13) == [
        "Tháng 3/2024", "Tháng 2/2024", "Tháng 3/2023", "Đến tháng 3/2024",
        "Đến tháng 3/2023", "Chỉ tiêu", "Tỷ lệ đạt", "Cần đạt đến hết tháng 3", "Tiến độ"]


def test_trend_sets_each_cell_s_admissions_beside_the_earlier_months_and_the_target(
        march_book: openpyxl.Workbook) -> None:
    ws = march_book["XuHuong"]
    bl01, bl02, bl03 = (row_of(ws, 3, code) for code in ("BL01", "BL02", "BL03"))
    assert write(ws, bl01, 5, 13) == [2, 1, 2, 4, 3, 6, pytest.approx(4 / 6), 1.5, AHEAD]
    assert write(ws, bl01 + 1, 5, 13) == [1, 0, 0, 1, 1, 2, 0.5, 0.5, AHEAD]
    # no report in February: grey, never a 0; 1.25 short of the pace: behind
    assert write(ws, bl02, 5, 13) == [0, None, 1, 0, 1, 5, 0, 1.25, BEHIND]
    assert grey(ws, bl02, 6) and not grey(ws, bl02, 5)
    # the example: a target of 2, nobody admitted by March, half a person short
    assert write(ws, bl02 + 1, 5, 13) == [0, None, 0, 0, 0, 2, 0, 0.5, ON_PACE]
    # rejected this month: February's figure stays, this month's is grey, no verdict
    assert write(ws, bl03, 5, 13) == [None, 1, None, None, None, 4, None, 1.0, None]
    assert [grey(ws, bl03, c) for c in range(5, 10)] == [True, False, True, True, True]


def test_trend_totals_add_the_cells_each_month_had_and_say_how_many(
        march_book: openpyxl.Workbook) -> None:
    ws = march_book["XuHuong"]
    pupils = row_of(ws, 1, "Cộng học sinh")
    # this month BL01+BL02, February BL01+BL03, March 2023 BL01+BL02+BL04
    assert write(ws, pupils, 5, 10) == [2, 2, 4, 4, 5, 18]
    assert write(ws, row_of(ws, 1, "Cộng viên chức"), 5, 10) == [1, 0, 0, 1, 1, 6]
    whole = row_of(ws, 1, "Cộng toàn huyện")
    assert write(ws, whole, 5, 13) == [3, 2, 4, 5, 6, 24, pytest.approx(5 / 24), 6.0, BEHIND]
    assert write(ws, row_of(ws, 1, "Chi bộ có báo cáo hợp lệ"), 5, 9) == [
        "2/4", "2/4", "3/4", "2/4", "3/4"]
    notes = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any(t.startswith("Chậm tiến độ: Chi bộ Trường THPT Lộc An (BL02) – học sinh")
               for t in notes)


def test_monthly_sheet_gives_each_cell_s_admissions_month_by_month(
        march_book: openpyxl.Workbook) -> None:
    ws = march_book["TheoThang"]
    assert write(ws, 4, 5, 8) == ["Kết nạp trong từng tháng năm 2024 (TH11)", None, None,
                                  "Cộng"]
    assert write(ws, 5, 5, 7) == ["1", "2", "3"]
    bl01, bl02, bl03, bl04 = (row_of(ws, 3, c) for c in ("BL01", "BL02", "BL03", "BL04"))
    assert write(ws, bl01, 5, 8) == [1, 1, 2, 4]
    assert write(ws, bl01 + 1, 5, 8) == [0, 0, 1, 1]
    assert write(ws, bl02, 5, 8) == [0, None, 0, 0]
    assert write(ws, bl03, 5, 8) == [None, 1, None, 1]
    assert write(ws, bl04, 5, 8) == [None, None, None, None]
    assert [grey(ws, bl02, c) for c in range(5, 8)] == [False, True, False]
    assert write(ws, row_of(ws, 1, "Cộng học sinh"), 5, 8) == [1, 2, 2, 5]
    assert write(ws, row_of(ws, 1, "Cộng toàn huyện"), 5, 8) == [1, 2, 3, 6]
    assert write(ws, row_of(ws, 1, "Chi bộ có báo cáo hợp lệ"), 5, 7) == ["2/4"] * 3


def test_a_month_without_any_earlier_report_builds_with_grey_columns() -> None:
    month = march()
    month.last_month, month.last_year, month.monthly_admissions = {}, {}, {}
    ws = sheets(month)["XuHuong"]
    whole = row_of(ws, 1, "Cộng toàn huyện")
    assert write(ws, whole, 5, 9) == [3, None, None, 5, None]
    assert write(ws, row_of(ws, 1, "Chi bộ có báo cáo hợp lệ"), 5, 9) == [
        "2/4", "0/4", "0/4", "2/4", "0/4"]


def test_december_s_monthly_sheet_keeps_every_month() -> None:
    month = march()
    month.period = "2024-12"
    ws = sheets(month)["TheoThang"]
    assert write(ws, 5, 5, 16) == [str(m) for m in range(1, 13)]
    assert ws.cell(row=4, column=17).value == "Cộng"
    assert ws.print_area.split("!")[-1].startswith("$A$1:$Q$")


# ---------------------------------------------------------------- on the page


@pytest.mark.parametrize("period", ["2024-03", "2024-12"])
def test_every_admissions_sheet_fits_a4_landscape_at_its_own_size(period: str) -> None:
    """December's TheoThang is the widest: twelve narrow months and their sum."""
    month = march()
    month.period = period
    book = sheets(month)
    breakdowns = book.create_sheet("PhanTich")
    build_breakdowns_sheet(breakdowns, month)
    for ws in book.worksheets:
        last = ws.print_area.split(":")[-1].strip("$0123456789")
        columns = range(1, openpyxl.utils.column_index_from_string(last.replace("$", "")) + 1)
        width = sum(ws.column_dimensions[get_column_letter(c)].width for c in columns)
        assert width <= PAGE_UNITS, (ws.title, width)
        # every text of the tables at 11 pt or more (titles 13–14, notes 12)
        sizes = {c.font.sz for row in ws.iter_rows() for c in row if c.value is not None}
        assert min(sizes) >= 11, (ws.title, sizes)
