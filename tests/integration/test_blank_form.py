"""The blank form as LibreOffice opens it: HuongDan printed whole, at its size, no line
running into another; TongHop's formulas, calculated by LibreOffice, read back as the
roster's own counts (the counting rules of core.counts). One conversion per fixture."""

from __future__ import annotations

import io
import unicodedata
from datetime import datetime

import openpyxl
import pdfplumber
import pytest
from factories import counted_person, counting_roster
from styles import convert_with_libreoffice

from core.counts import derive_roster_counts
from core.layout import POPULATIONS, ROSTER_INDICATORS
from core.registry import Unit
from forms.reader import read_cell_report, unsaved_formula_cells
from forms.writer import (
    TITLE,
    build_template,
    fill_roster,
    guide_paragraphs,
    info_excel_row,
    roster_column_letter,
    roster_excel_row,
    write_template,
)

pytestmark = pytest.mark.usefixtures("libreoffice")

UNIT = Unit("BL02", "Chi bộ Trường THPT Lộc An", "chi_bo", "BL", None, None)
PERIOD = "2024-04"
A4 = (595.3, 841.9)  # points, portrait
MIN_LINE = 15  # points a printed line of 13 pt text needs


SHARED = dict(gender="Nữ", ethnicity="K'Ho", religion="Tin lành")
ROSTER = [
    *counting_roster(**SHARED),
    # stages as people also type them: the number alone, the label alone, "Giai đoạn 5"
    *(counted_person(n, stage, population, **SHARED)
      for n, stage, population in ((14, 2, "hoc_sinh"), (15, 1, "vien_chuc"),
                                   (16, 5, "hoc_sinh"))),
]
TYPED_STAGES = {14: 2, 15: "Cảm tình đảng", 16: "Giai đoạn 5"}


def filled_by_a_script(period: object = None) -> bytes:
    """The template filled in and saved by openpyxl, formulas without their results;
    ``period`` typed over the pre-filled "Kỳ báo cáo"."""
    wb = build_template(UNIT, PERIOD)
    fill_roster(wb, ROSTER)
    column = roster_column_letter("stage")
    for index, row in enumerate(ROSTER):
        if row.stt in TYPED_STAGES:
            wb["DanhSach"][f"{column}{roster_excel_row(index)}"] = TYPED_STAGES[row.stt]
    if period is not None:
        wb["ThongTin"].cell(info_excel_row("period"), 2).value = period
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# "Kỳ báo cáo" as cells type it over the template's 04/2024 (the reader takes them all):
# the formulas must count the same month
PERIOD_SPELLINGS = ("4/2024", "Tháng 4/2024", "20/04/2024", "2024-04", datetime(2024, 4, 15))


@pytest.fixture(scope="module")
def template() -> bytes:
    return write_template(UNIT, PERIOD)


@pytest.fixture(scope="module")
def printed(template, tmp_path_factory):
    """The blank form printed to PDF by LibreOffice (one conversion)."""
    [pdf] = convert_with_libreoffice([template], "pdf")
    path = tmp_path_factory.mktemp("blank_form") / "mau.pdf"
    path.write_bytes(pdf)
    with pdfplumber.open(path) as document:
        yield document


@pytest.fixture(scope="module")
def guide_lines(printed) -> list[dict]:
    """The printed lines of HuongDan (the last sheet printed), in reading order, each with
    its page."""
    lines: list[dict] = []
    pages = printed.pages
    first = next(i for i, p in enumerate(pages)
                 if "HƯỚNG DẪN ĐIỀN BIỂU MẪU" in (p.extract_text() or ""))
    for number, page in enumerate(pages[first:], start=first):
        assert (round(page.width, 1), round(page.height, 1)) == A4
        for line in page.extract_text_lines(return_chars=True):
            lines.append({**line, "page": number})
    return lines


def flat(text: str) -> str:
    """Text compared as printed: whitespace (wrapping, justification) left out."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def lines_per_paragraph(lines: list[dict]) -> list[int]:
    """How many printed lines each paragraph took; fails unless every paragraph is printed
    whole and in order (a clipped row loses its last lines)."""
    counts, at = [], 0
    for text, _font, _alignment in guide_paragraphs():
        wanted, seen, taken = flat(text), "", 0
        while len(seen) < len(wanted) and at < len(lines):
            seen += flat(lines[at]["text"])
            at, taken = at + 1, taken + 1
        assert seen == wanted, f"printed {seen!r}, expected {wanted!r}"
        counts.append(taken)
    assert at == len(lines), [line["text"] for line in lines[at:]]
    return counts


def test_huongdan_prints_every_paragraph_whole_in_rows_high_enough_for_its_lines(
        guide_lines, template):
    counts = lines_per_paragraph(guide_lines)
    assert max(counts) >= 4  # the long paragraphs wrap, as on screen
    ws = openpyxl.load_workbook(io.BytesIO(template))["HuongDan"]
    for row, lines in enumerate(counts, start=1):
        height = ws.row_dimensions[row].height
        assert height >= lines * MIN_LINE, (row, lines, height)


def test_huongdan_prints_at_its_own_size_and_no_line_overlaps_another(guide_lines):
    sizes = {round(c["size"], 1) for line in guide_lines for c in line["chars"]}
    assert min(sizes) >= 13 and max(sizes) <= 14  # fitted to the width, never shrunk
    for above, below in zip(guide_lines, guide_lines[1:], strict=False):
        if above["page"] == below["page"]:
            assert below["top"] >= above["bottom"] - 0.5, (above["text"], below["text"])
    assert all(c["x0"] >= 0 and c["x1"] <= A4[0] for line in guide_lines for c in line["chars"])


def test_thongtin_prints_its_whole_title_inside_its_row(printed, template):
    page = printed.pages[0]
    lines = page.extract_text_lines(return_chars=True)
    title = [line for line in lines if line["chars"][0]["size"] > 13]
    assert flat("".join(line["text"] for line in title)) == flat(TITLE)
    [label] = [line for line in lines if line["text"].startswith("Mã chi bộ")]
    # a row too low for its two lines sets them astride its top edge, where the page's
    # margin cuts the first one (a row of 24 pt put it at 66.9 pt, under a 72 pt margin)
    margin = openpyxl.load_workbook(io.BytesIO(template))["ThongTin"].page_margins.top * 72
    assert all(margin <= line["top"] and line["bottom"] <= label["top"] for line in title)
    # printed lines never overlap: the row is as high as the wrapped title
    assert all(b["top"] >= a["bottom"] - 0.5 for a, b in zip(title, title[1:], strict=False))


@pytest.fixture(scope="module")
def recalculated() -> list[bytes]:
    """The script-filled template, and its variants of the period, opened and saved by
    LibreOffice, which calculates them (one LibreOffice run)."""
    files = [filled_by_a_script(), *(filled_by_a_script(p) for p in PERIOD_SPELLINGS)]
    return convert_with_libreoffice(files, "xlsx")


def read_counts(report) -> dict[tuple[str, str], int | None]:
    return {(p, c): getattr(report.summary[c], p) for c in ROSTER_INDICATORS for p in POPULATIONS}


def test_libreoffice_calculates_the_roster_counts_core_counts_derives(recalculated):
    content = recalculated[0]
    assert unsaved_formula_cells(content, "TongHop") == frozenset()
    report = read_cell_report(content)
    assert len(report.roster) == len(ROSTER)
    assert [r.stage for r in report.roster[-3:]] == [2, 1, 5]  # read like the dropdown's
    derived = derive_roster_counts(report.roster, PERIOD)
    assert read_counts(report) == derived
    assert all(derived[("hoc_sinh", c)] or derived[("vien_chuc", c)] for c in ROSTER_INDICATORS)
    assert getattr(report, "counted_from_roster", ()) == ()  # the saved results were read


def test_the_counted_month_is_the_one_typed_whatever_its_spelling(recalculated):
    expected = read_counts(read_cell_report(recalculated[0]))
    for spelling, content in zip(PERIOD_SPELLINGS, recalculated[1:], strict=True):
        report = read_cell_report(content)
        assert report.header.period == PERIOD, spelling
        assert read_counts(report) == expected, spelling


def test_the_same_file_unsaved_by_libreoffice_is_counted_from_the_roster():
    report = read_cell_report(filled_by_a_script())
    assert read_counts(report) == derive_roster_counts(report.roster, PERIOD)
    assert report.counted_from_roster == ROSTER_INDICATORS
