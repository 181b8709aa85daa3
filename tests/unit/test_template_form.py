"""The blank form a cell fills in (forms.writer.write_template): TongHop counts the roster
with formulas, labels and codes are locked while the cells to fill in are open and shaded,
Tôn giáo has a dropdown, HuongDan is wrapped paragraphs in rows high enough for them; the
reader counts from the roster where such a formula was saved without its result; and
``cellreports template`` writes into the data folder."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest
from factories import counted_person, counting_roster
from typer.testing import CliRunner

from cellreports.cli import app
from core.counts import DATE_INDICATORS, STAGE_INDICATORS, YEAR, derive_roster_counts
from core.findings import WARNING
from core.form import RosterRow
from core.layout import (
    INDICATORS,
    INFO_FIELDS,
    POPULATION_LABELS,
    POPULATIONS,
    ROSTER_COLUMNS,
    ROSTER_INDICATORS,
    STAGES,
)
from core.registry import Unit
from forms.reader import read_cell_report, unsaved_formula_cells
from forms.writer import (
    FORMULA_FILL,
    GUIDE_WIDTH,
    INPUT_FILL,
    MONTH_START,
    NEXT_MONTH,
    RELIGION_LIST,
    RELIGIONS,
    ROSTER_FIRST_ROW,
    ROSTER_HEADER_ROW,
    SHEET_LISTS,
    STAGE_CHOICES,
    SUMMARY_HEADER_ROW,
    TITLE,
    YEAR_START,
    build_template,
    fill_roster,
    guide_paragraphs,
    guide_row_height,
    info_excel_row,
    roster_column_letter,
    summary_excel_row,
    wrapped_lines,
    write_cell_workbook,
    write_template,
)
from validations.frames import BatchItem
from validations.run import validate_batch

UNIT = Unit("BL02", "Chi bộ Trường THPT Lộc An", "chi_bo", "BL", None, None)
PERIOD = "2024-04"
ROWS = 60
LAST_BLANK_ROW = ROSTER_FIRST_ROW + ROWS - 1
SHEETS = ("ThongTin", "TongHop", "DanhSach", "HuongDan")


# Every stage in both populations, admissions this month, earlier this year and last year,
# full membership this month and the month before: each roster indicator counts someone.
ROSTER = counting_roster()


def load(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def saved_by_a_script(roster: list[RosterRow]) -> bytes:
    """The template filled in and saved by openpyxl: formulas without their results."""
    wb = build_template(UNIT, PERIOD, rows=ROWS)
    fill_roster(wb, roster)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def wb() -> openpyxl.Workbook:
    return load(write_template(UNIT, PERIOD, rows=ROWS))


# ---- TongHop: formulas -----------------------------------------------------------------

def test_counted_rows_hold_countifs_over_the_roster_and_the_others_are_left_to_fill(wb):
    ws = wb["TongHop"]
    population = roster_column_letter("population")
    for indicator in INDICATORS:
        row = summary_excel_row(indicator.code)
        for col, pop in enumerate(POPULATIONS, start=3):
            value = ws.cell(row, col).value
            if not indicator.from_roster:
                assert value is None, indicator.code
                continue
            assert value.startswith("="), indicator.code
            assert "COUNTIFS(" in value
            assert f"DanhSach!${population}${ROSTER_FIRST_ROW}:${population}$500" in value
            assert f'"{POPULATION_LABELS[pop]}"' in value


def test_stage_formulas_count_the_stages_of_core_counts_in_every_spelling(wb):
    ws = wb["TongHop"]
    stage = roster_column_letter("stage")
    for code, stages in STAGE_INDICATORS.items():
        formula = ws.cell(summary_excel_row(code), 3).value
        assert f"DanhSach!${stage}$4:${stage}$500" in formula
        assert {int(n) for n in re.findall(r'"(\d)\.\*"', formula)} == set(stages), code
        for n in stages:  # the number typed alone, the label alone, "Giai đoạn n"
            assert f",{n}," in formula or f"{{{n}," in formula
            assert f'"{STAGES[n]}"' in formula and f'"Giai đoạn {n}"' in formula


def test_date_formulas_count_the_date_of_core_counts_from_the_month_or_the_year(wb):
    ws = wb["TongHop"]
    for code, (field, since) in DATE_INDICATORS.items():
        formula = ws.cell(summary_excel_row(code), 4).value
        letter = roster_column_letter(field)
        start = YEAR_START if since == YEAR else MONTH_START
        assert formula == (
            f'=COUNTIFS(DanhSach!$H$4:$H$500,"Viên chức",DanhSach!${letter}$4:${letter}$500,'
            f'">="&{start},DanhSach!${letter}$4:${letter}$500,"<"&{NEXT_MONTH})')


def test_the_counted_month_follows_the_period_typed_in_thongtin(wb):
    period_cell = f"ThongTin!$B${info_excel_row('period')}"
    for name in (MONTH_START, NEXT_MONTH, YEAR_START):
        sheet, ref = wb.defined_names[name].attr_text.split("!")
        assert sheet == SHEET_LISTS
        formula = wb[sheet][ref.replace("$", "")].value
        assert formula.startswith("=DATE(") or formula.startswith("=IF(")
    sheet, ref = wb.defined_names[MONTH_START].attr_text.split("!")
    assert period_cell in wb[sheet][ref.replace("$", "")].value


# ---- protection, shading, dropdowns ----------------------------------------------------

def test_every_sheet_is_protected_without_a_password(wb):
    for name in (*SHEETS, SHEET_LISTS):
        protection = wb[name].protection
        assert protection.sheet, name
        assert not protection.password, name
    roster = wb["DanhSach"].protection
    assert roster.insertRows is False and roster.deleteRows is False  # False: allowed
    assert roster.formatColumns is False and roster.formatRows is False


def is_input(cell) -> bool:
    return cell.protection.locked is False and cell.fill == INPUT_FILL


def test_labels_and_codes_are_locked_and_the_cells_to_fill_in_are_open_and_shaded(wb):
    info = wb["ThongTin"]
    for field in INFO_FIELDS:
        row = info_excel_row(field)
        assert info.cell(row, 1).protection.locked
        assert is_input(info.cell(row, 2)) == (field != "form_version"), field

    summary = wb["TongHop"]
    assert all(summary.cell(SUMMARY_HEADER_ROW, c).protection.locked for c in range(1, 5))
    for indicator in INDICATORS:
        row = summary_excel_row(indicator.code)
        assert summary.cell(row, 1).protection.locked and summary.cell(row, 2).protection.locked
        for col in (3, 4):
            cell = summary.cell(row, col)
            if indicator.from_roster:
                assert cell.protection.locked and cell.fill == FORMULA_FILL
            else:
                assert is_input(cell), indicator.code

    roster = wb["DanhSach"]
    width = len(ROSTER_COLUMNS)
    assert all(roster.cell(ROSTER_HEADER_ROW, c).protection.locked for c in range(1, width + 1))
    for row in (ROSTER_FIRST_ROW, LAST_BLANK_ROW):
        assert all(is_input(roster.cell(row, c)) for c in range(1, width + 1))
    assert roster.cell(LAST_BLANK_ROW + 1, 1).protection.locked


def test_the_signature_block_leaves_the_date_and_the_names_to_the_cell(wb):
    roster = wb["DanhSach"]
    texts = {c.value: c for row in roster.iter_rows(min_row=LAST_BLANK_ROW + 1) for c in row
             if isinstance(c.value, str)}
    assert texts["BÍ THƯ CHI BỘ"].protection.locked
    assert is_input(texts["ngày ..... tháng ..... năm .........."])
    names = LAST_BLANK_ROW + 2 + 5
    opened = [c for c in roster[names] if is_input(c)]
    assert len(opened) == 2  # the preparer (left) and the secretary (right)


def test_religion_has_a_dropdown_that_still_takes_any_other_religion(wb):
    roster = wb["DanhSach"]
    letter = roster_column_letter("religion")
    by_range = {str(dv.sqref): dv for dv in roster.data_validations.dataValidation}
    assert len(by_range) == 6  # the five coded columns and Tôn giáo
    dv = by_range[f"{letter}{ROSTER_FIRST_ROW}:{letter}500"]
    assert dv.type == "list" and dv.formula1 == RELIGION_LIST
    assert not dv.showErrorMessage  # free text on the form: R03 does not check it
    sheet, ref = wb.defined_names[RELIGION_LIST].attr_text.split("!")
    assert [c.value for (c,) in wb[sheet][ref.replace("$", "")]] == list(RELIGIONS)
    assert RELIGIONS[0] == "Không" and {"Phật giáo", "Công giáo", "Tin lành"} <= set(RELIGIONS)


# ---- HuongDan ---------------------------------------------------------------------------

def test_guide_is_one_wrapped_paragraph_a_row_each_as_high_as_its_lines(wb):
    ws = wb["HuongDan"]
    paragraphs = guide_paragraphs()
    assert ws.max_row == len(paragraphs) and ws.max_column == 1
    assert ws.column_dimensions["A"].width == GUIDE_WIDTH
    for row, (text, font, alignment) in enumerate(paragraphs, start=1):
        cell = ws.cell(row, 1)
        assert cell.value == text
        assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
        assert cell.font.name == "Times New Roman" and cell.font.sz >= 13
        lines = wrapped_lines(text, font, GUIDE_WIDTH, alignment.indent or 0)
        height = ws.row_dimensions[row].height
        assert height == guide_row_height(lines, font) >= lines * 15, text
    # the long paragraphs really wrap: a one-line row for each would clip them
    assert max(ws.row_dimensions[r].height for r in range(1, ws.max_row + 1)) >= 4 * 15


def test_guide_prints_on_a4_portrait_fitted_to_the_width_only(wb):
    ws = wb["HuongDan"]
    assert ws.page_setup.orientation == "portrait" and ws.page_setup.paperSize == 9
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # column widths count the Normal font's digits: the text's own family
    assert wb._named_styles["Normal"].font.name == "Times New Roman"


def test_thongtins_title_row_is_high_enough_for_the_title_wrapped(wb):
    ws = wb["ThongTin"]
    lines = wrapped_lines(TITLE, ws["A1"].font, sum(ws.column_dimensions[c].width for c in "AB"))
    assert lines == 2
    assert ws.row_dimensions[1].height >= lines * 15 + 2 * 5


def test_guide_says_what_is_counted_locked_shaded_and_chosen():
    text = "\n".join(p[0] for p in guide_paragraphs())
    assert "màu vàng" in text and "tự đếm" in text and "không cần mật khẩu" in text
    assert "TH05–TH12, TH14 và TH15" in text and "Tôn giáo" in text
    assert "dd/mm/yyyy" in text and "ngày 25" in text
    assert all(choice in text for choice in STAGE_CHOICES)


def test_wrapped_lines_counts_words_to_a_line_and_bold_takes_more_room():
    regular = guide_paragraphs()[2][1]
    bold = guide_paragraphs()[5][1]
    assert regular.sz == 13 and not regular.b and bold.b
    assert wrapped_lines("Ngắn.", regular, GUIDE_WIDTH) == 1
    words = " ".join(["chữ"] * 200)
    assert wrapped_lines(words, regular, GUIDE_WIDTH) >= 10
    assert wrapped_lines(words, bold, GUIDE_WIDTH) > wrapped_lines(words, regular, GUIDE_WIDTH)
    assert wrapped_lines(words, regular, GUIDE_WIDTH / 2) > wrapped_lines(words, regular,
                                                                         GUIDE_WIDTH)


# ---- the reader: a formula saved without its result ------------------------------------

def test_a_template_saved_without_results_is_counted_from_its_roster_and_says_so():
    report = read_cell_report(saved_by_a_script(ROSTER))
    derived = derive_roster_counts(report.roster, PERIOD)
    read = {(p, c): getattr(report.summary[c], p) for c in ROSTER_INDICATORS for p in POPULATIONS}
    assert read == derived
    assert all(derived[("hoc_sinh", c)] or derived[("vien_chuc", c)] for c in ROSTER_INDICATORS)
    assert report.counted_from_roster == ROSTER_INDICATORS
    assert report.summary["TH01"].hoc_sinh is None  # a cell's own figure is never made up


def test_a_count_typed_over_its_formula_is_read_as_typed():
    wb = load(saved_by_a_script(ROSTER))
    wb["TongHop"].cell(summary_excel_row("TH07"), 3).value = 9
    out = io.BytesIO()
    wb.save(out)
    report = read_cell_report(out.getvalue())
    derived = derive_roster_counts(report.roster, PERIOD)
    assert report.summary["TH07"].hoc_sinh == 9  # X01 will say it differs from the roster
    assert report.summary["TH07"].vien_chuc == derived[("vien_chuc", "TH07")]


def test_only_formulas_without_a_result_are_listed():
    content = saved_by_a_script(ROSTER)
    cells = unsaved_formula_cells(content, "TongHop")
    expected = {f"{col}{summary_excel_row(code)}" for code in ROSTER_INDICATORS
                for col in "CD"}
    assert cells == expected
    assert unsaved_formula_cells(content, "KhongCo") == frozenset()
    assert unsaved_formula_cells(b"PK\x03\x04 not a zip", "TongHop") == frozenset()


def test_workbooks_written_with_values_are_read_as_before():
    summary_roster = [counted_person(1, 3), counted_person(2, 7, decision_date=date(2024, 4, 2))]
    content = write_cell_workbook(read_cell_report(saved_by_a_script([])).header, {},
                                  summary_roster)
    report = read_cell_report(content)
    assert getattr(report, "counted_from_roster", ()) == ()
    assert report.summary["TH07"].hoc_sinh is None  # empty means 0: X01 judges it


def test_the_blank_template_reads_back_as_an_empty_report_counted_zero():
    report = read_cell_report(write_template(UNIT, PERIOD, rows=ROWS))
    assert (report.header.unit_code, report.header.period) == ("BL02", PERIOD)
    assert report.roster == []
    assert all(getattr(report.summary[c], p) == 0 for c in ROSTER_INDICATORS
               for p in POPULATIONS)


# ---- cellreports template --------------------------------------------------------------

runner = CliRunner()


def test_template_command_writes_into_the_data_dirs_templates_folder(tmp_path, monkeypatch):
    elsewhere = tmp_path / "shell"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    data_dir = tmp_path / "var"
    result = runner.invoke(app, ["template", "--unit", "BL02", "--period", PERIOD,
                                 "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    target = data_dir / "templates" / f"BC-PTD-HS_BL02_{PERIOD}.xlsx"
    assert str(target) in result.output
    assert read_cell_report(target.read_bytes()).header.unit_code == "BL02"
    assert list(elsewhere.iterdir()) == []


def test_template_command_writes_where_out_says(tmp_path):
    out = tmp_path / "mau" / "BL02.xlsx"
    result = runner.invoke(app, ["template", "--unit", "BL02", "--period", PERIOD,
                                 "--out", str(out), "--data-dir", str(tmp_path / "var")])
    assert result.exit_code == 0, result.output
    assert out.exists() and str(out) in result.output
    assert not (tmp_path / "var" / "templates").exists()


# ---- the finding -------------------------------------------------------------------------

def test_counting_from_the_roster_is_an_x01_warning_that_says_so_never_an_error(registry):
    wb = load(saved_by_a_script(ROSTER))
    for field, value in (("report_date", date(2024, 4, 20)), ("secretary", "Nguyễn Văn Hùng")):
        wb["ThongTin"].cell(info_excel_row(field), 2).value = value
    out = io.BytesIO()
    wb.save(out)
    [found] = validate_batch([BatchItem(read_cell_report(out.getvalue()))], registry, PERIOD)
    [x01] = [f for f in found if f.rule_id == "X01"]
    assert x01.severity == WARNING
    assert (x01.sheet, x01.row, x01.column) == ("TongHop", summary_excel_row("TH05"), None)
    assert "TH05, TH06, TH07, TH08, TH09, TH10, TH11, TH12, TH14, TH15" in x01.message
    assert "tự đếm các chỉ tiêu này từ trang DanhSach" in x01.message
    assert not [f for f in found if f.rule_id.startswith("F")]  # read and accepted as a form
