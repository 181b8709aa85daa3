"""The Word report the officer sends (reports/word_report.py), read back with python-docx:
its Party heading, sections I–III, sentences with the month's numbers, the signature and an
annexed table equal, number for number, to the upward data file."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import datetime

import docx
import pytest
from district_month import demo_month, make_month
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Pt
from province_factories import demo_files, demo_province_month, province_registry

from core.month import MonthData, UnitStatus
from core.settings import PROJECT_ROOT
from reports.document import DocumentHeader, load_document
from reports.export import export_rows
from reports.province_export import province_export_rows
from reports.provincial import province_document
from reports.word_report import (
    DIRECTIONS_PLACEHOLDER,
    SECTION_ASSESSMENT,
    SECTION_DIRECTIONS,
    SECTION_RESULTS,
    SECTIONS,
    build_district_word,
    build_province_word,
    word_report_name,
)

NAMED = DocumentHeader(number="15", signer_name="Nguyễn Văn Thử")
COMMUNE_TOML = PROJECT_ROOT / "config" / "registry" / "lam-dong-2025" / "document-BLM3.toml"


@pytest.fixture(scope="module")
def month() -> MonthData:
    return demo_month()  # September 2024: BL06 rejected, BL09 missing, BL04/08/12 late


@pytest.fixture(scope="module")
def data(month: MonthData) -> bytes:
    return build_district_word(month, NAMED)


@pytest.fixture(scope="module")
def report(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


@pytest.fixture(scope="module")
def blank() -> docx.document.Document:
    """The same month with the shipped document.toml's empty number and signer."""
    path = PROJECT_ROOT / "config" / "registry" / "bao-lam-2024" / "document.toml"
    return docx.Document(io.BytesIO(build_district_word(demo_month(), load_document(path))))


@pytest.fixture(scope="module")
def province():
    registry = province_registry()
    return demo_province_month(registry, demo_files(registry))


def texts(document: docx.document.Document) -> list[str]:
    return [p.text for p in document.paragraphs]


def all_text(document: docx.document.Document) -> str:
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(texts(document) + cells)


def cell_texts(cell) -> list[str]:
    return [p.text for p in cell.paragraphs]


def accepted_total(month: MonthData, population: str, indicator: str) -> int:
    """Recomputed here from the month's raw values, not through the builder's helpers."""
    accepted = {c.unit.code for c in month.cells if c.accepted}
    populations = ("hoc_sinh", "vien_chuc") if population == "tong" else (population,)
    return sum(v for (code, pop, ind, breakdown), v in month.values.items()
               if code in accepted and pop in populations and ind == indicator
               and breakdown == "tong")


def section(document: docx.document.Document, title: str, until: str) -> list[str]:
    found = texts(document)
    return found[found.index(title) + 1:found.index(until)]


def annex_values(document: docx.document.Document, top_code: str) -> dict:
    """(unit code, population, indicator) -> the number printed in the annexed table."""
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Mã số")
    assert [c.text for c in table.rows[0].cells] == [
        "Mã số", "Chỉ tiêu", "Học sinh", "Viên chức", "Cộng"]
    values, unit = {}, None
    for row in table.rows[1:]:
        cells = row.cells
        if len({id(c._tc) for c in cells}) == 1:  # a block's title, or a line of words
            code = re.search(r"\(([A-Z0-9]+)\)$", cells[0].text)
            unit = code.group(1) if code else (
                top_code if cells[0].text.startswith("Cộng toàn") else unit)
            continue
        for population, cell in zip(("hoc_sinh", "vien_chuc", "tong"), cells[2:], strict=True):
            key = (unit, population, cells[0].text)
            assert key not in values, key
            values[key] = int(cell.text.replace(".", ""))
    return values


def data_file_values(rows: list[dict]) -> dict:
    return {(r["unit_code"], r["population"], r["indicator"]): r["value"] for r in rows
            if r["breakdown"] == "tong" and r["indicator"].startswith("TH")}


# ---------------------------------------------------------------- the document's form


def test_the_file_is_named_beside_the_workbook():
    assert word_report_name("BL", "2024-03") == "BaoCao_BL_2024-03.docx"


def test_the_page_is_a4_with_the_guides_margins(report):
    section_ = report.sections[0]
    assert (round(section_.page_width.mm), round(section_.page_height.mm)) == (210, 297)
    assert 20 <= round(section_.top_margin.mm) <= 25
    assert 20 <= round(section_.bottom_margin.mm) <= 25
    assert 30 <= round(section_.left_margin.mm) <= 35
    assert 15 <= round(section_.right_margin.mm) <= 20
    assert section_.different_first_page_header_footer  # no number on the first page


def test_every_text_is_times_new_roman_and_at_least_10_pt(report):
    normal = report.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size == Pt(14)
    assert report.styles["Table Grid"].font.name == "Times New Roman"
    runs = [r for p in report.paragraphs for r in p.runs] + [
        r for t in report.tables for row in t.rows for c in row.cells
        for p in c.paragraphs for r in p.runs]
    assert runs
    assert {r.font.name for r in runs} <= {None, "Times New Roman"}  # None: the style's
    sizes = {r.font.size.pt if r.font.size else 14 for r in runs if r.text.strip()}
    assert min(sizes) >= 10


def test_the_heading_follows_guide_36(report):
    header = report.tables[0]
    assert cell_texts(header.cell(0, 0)) == ["HUYỆN ỦY BẢO LÂM", "BAN TỔ CHỨC", "*"]
    assert header.cell(0, 0).paragraphs[1].runs[0].font.bold
    title = header.cell(0, 1).paragraphs[0].runs[0]
    assert title.text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert title.font.bold and title.font.underline and title.font.size == Pt(15)
    assert cell_texts(header.cell(1, 0)) == ["Số 15-BC/BTCHU"]
    date_line = header.cell(1, 1).paragraphs[0].runs[0]
    assert date_line.text == "Bảo Lâm, ngày 10 tháng 10 năm 2024" and date_line.font.italic
    found = texts(report)
    kind = found.index("BÁO CÁO")
    assert found[kind + 1] == ("tình hình phát triển đảng viên trong học sinh, viên chức "
                               "tháng 9 năm 2024")
    assert report.paragraphs[kind].runs[0].font.bold


def test_sections_i_to_iii_come_in_order_before_the_signature_and_the_annex(report):
    found = texts(report)
    assert SECTIONS == (SECTION_RESULTS, SECTION_ASSESSMENT, SECTION_DIRECTIONS)
    order = [found.index(t) for t in (*SECTIONS, "Biểu số 01")]
    assert order == sorted(order)
    assert found.index("1. Kết nạp đảng viên") > found.index(SECTION_RESULTS)
    assert found.index("2. Hạn chế") < found.index(SECTION_DIRECTIONS)


# ---------------------------------------------------------------- I- Kết quả


def test_admissions_this_month_and_this_year_are_told_with_the_months_numbers(report, month):
    def split(indicator: str) -> str:
        return (f"{accepted_total(month, 'tong', indicator)} đảng viên (học sinh "
                f"{accepted_total(month, 'hoc_sinh', indicator)}, viên chức "
                f"{accepted_total(month, 'vien_chuc', indicator)})")

    sentence = f"Trong tháng kết nạp {split('TH11')}; từ đầu năm kết nạp {split('TH12')}."
    assert sentence == ("Trong tháng kết nạp 3 đảng viên (học sinh 1, viên chức 2); từ đầu "
                        "năm kết nạp 41 đảng viên (học sinh 27, viên chức 14).")
    assert sentence in texts(report)


def test_the_years_target_and_pace_are_those_of_every_expected_cell(report, month):
    target = sum(month.targets.values())  # every expected cell's, rejected or missing too
    admitted = accepted_total(month, "tong", "TH12")
    due = target * 9 // 12
    assert (target, admitted, due) == (72, 41, 54)
    line = next(t for t in texts(report) if t.startswith("Chỉ tiêu kết nạp năm"))
    assert line.startswith(f"Chỉ tiêu kết nạp năm {target} đảng viên (học sinh 54, viên "
                           f"chức 18); từ đầu năm đã đạt {admitted}/{target}, bằng 56,9%")
    assert line.endswith(f"đến hết tháng 9 cần kết nạp {due} (chỉ tiêu năm × 9/12): "
                         "chậm tiến độ.")


def test_the_stages_and_probationary_members_are_told(report, month):
    stages = next(t for t in texts(report)
                  if t.startswith("Quần chúng trong danh sách cảm tình đảng"))
    for indicator in ("TH05", "TH06", "TH07", "TH08", "TH09", "TH10"):
        assert f" {accepted_total(month, 'tong', indicator)}" in stages, indicator
    assert "đã được cử đi học lớp bồi dưỡng nhận thức về Đảng và có giấy chứng nhận 164 " \
           "(học sinh 82, viên chức 82)" in stages
    assert (f"Đảng viên dự bị: {accepted_total(month, 'tong', 'TH14')} (học sinh 32, viên "
            f"chức 19); chuyển đảng chính thức trong tháng: "
            f"{accepted_total(month, 'tong', 'TH15')}.") in texts(report)


def test_every_school_has_its_line_and_one_without_data_says_why(report, month):
    found = section(report, "3. Kết quả của từng chi bộ", SECTION_ASSESSMENT)
    lines = {t.split(":")[0]: t for t in found}
    assert len(lines) == len(found) == len(month.cells)
    for cell in month.cells:
        line = lines[f"- {cell.unit.name} ({cell.unit.code})"]
        if cell.accepted:
            code = cell.unit.code
            admitted = sum(month.values[(code, p, "TH11", "tong")]
                           for p in ("hoc_sinh", "vien_chuc"))
            assert f"kết nạp trong tháng {admitted}," in line
    assert lines["- Chi bộ Trường THCS Lộc Nam (BL06)"].endswith(
        "báo cáo bị trả lại, chưa gửi lại bản hợp lệ.")
    assert lines["- Chi bộ Trường THCS Lộc Ngãi (BL09)"].endswith("chưa nộp báo cáo.")
    assert ("- Chi bộ Trường THPT Bảo Lâm (BL01): kết nạp trong tháng 0, từ đầu năm 4/6 chỉ "
            "tiêu năm (66,7%)") in lines["- Chi bộ Trường THPT Bảo Lâm (BL01)"]


# ---------------------------------------------------------------- II- Đánh giá


def test_strengths_are_drawn_from_the_figures(report):
    strengths = section(report, "1. Ưu điểm", "2. Hạn chế")
    assert strengths == ["- 10/12 chi bộ có số liệu hợp lệ, trong đó 7 chi bộ gửi đúng hạn.",
                         "- Trong tháng kết nạp được 3 đảng viên mới.",
                         "- 9/10 chi bộ có số liệu đã kết nạp học sinh từ đầu năm."]


def test_limits_name_late_rejected_and_missing_cells_and_count_h04_h05(report, month):
    limits = section(report, "2. Hạn chế", SECTION_DIRECTIONS)
    assert limits[:3] == [
        "- Gửi trễ hạn: Chi bộ Trường THCS-THPT Lộc Bắc (BL04); Chi bộ Trường THCS-THPT Lê "
        "Lợi (BL08); Chi bộ Trường THCS Lộc Thành (BL12).",
        "- Báo cáo bị trả lại, chưa gửi lại bản hợp lệ: Chi bộ Trường THCS Lộc Nam (BL06).",
        "- Chưa nộp báo cáo: Chi bộ Trường THCS Lộc Ngãi (BL09)."]
    stalls = [i for i in month.attention if i.rule_id == "H04"]
    overdue = [i for i in month.attention if i.rule_id == "H05"]
    assert (len(stalls), len(overdue)) == (2, 1)
    h04 = next(t for t in limits if "(H04)" in t)
    assert h04.startswith(f"- Có {len(stalls)} quần chúng dừng lâu ở một giai đoạn")
    assert all(f"({i.unit_code}): 1" in h04 for i in stalls)
    h05 = next(t for t in limits if "(H05)" in t)
    assert h05.startswith(f"- Có {len(overdue)} trường hợp chi bộ đã có nghị quyết")
    assert "- Kết nạp từ đầu năm chậm tiến độ: 41 đảng viên, cần đạt 54 đến hết tháng 9 " \
           "(chỉ tiêu năm 72)." in limits
    assert "- Chưa kết nạp học sinh nào từ đầu năm: Chi bộ Trường THPT Lộc Thành (BL03)." \
        in limits


def test_the_report_goes_upward_without_any_persons_name(report, month):
    text = all_text(report)
    assert month.attention
    for item in month.attention:
        assert item.full_name not in text


# ---------------------------------------------------------------- III, signature


def test_the_directions_are_a_marked_placeholder_for_the_officer(report):
    found = texts(report)
    paragraph = report.paragraphs[found.index(SECTION_DIRECTIONS) + 1]
    assert paragraph.text == DIRECTIONS_PLACEHOLDER
    assert paragraph.text.startswith("[") and "trước khi trình ký" in paragraph.text
    assert all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in paragraph.runs)


def signature(document: docx.document.Document):
    return next(t for t in document.tables if t.cell(0, 0).text.startswith("Nơi nhận:"))


def test_the_signature_block_has_nơi_nhận_the_signers_title_and_name(report):
    table = signature(report)
    left = table.cell(0, 0)
    assert cell_texts(left) == ["Nơi nhận:", "- Ban Tổ chức Tỉnh ủy (báo cáo),",
                                "- Thường trực Huyện ủy (báo cáo),",
                                "- Các chi bộ trường học,", "- Lưu BTCHU."]
    assert left.paragraphs[0].runs[0].font.underline  # Guide 36-HD/VPTW: underlined
    right = [t for t in cell_texts(table.cell(0, 1)) if t]
    assert right == ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "Nguyễn Văn Thử"]
    name = table.cell(0, 1).paragraphs[-1].runs[0]
    assert name.font.bold and name.font.highlight_color is None


def test_an_empty_document_toml_leaves_clear_placeholders(blank):
    assert cell_texts(blank.tables[0].cell(1, 0)) == ["Số ……-BC/BTCHU"]
    name = signature(blank).cell(0, 1).paragraphs[-1]
    assert name.text == "(Họ và tên)"
    assert name.runs[0].font.highlight_color == WD_COLOR_INDEX.YELLOW
    assert "(Kèm theo Báo cáo số ……-BC/BTCHU, ngày 10-10-2024)" in texts(blank)


def test_a_communes_board_is_signed_by_its_head_without_t_m():
    commune = load_document(COMMUNE_TOML)
    document = docx.Document(io.BytesIO(build_district_word(make_month(), commune)))
    assert cell_texts(document.tables[0].cell(0, 0)) == [
        "ĐẢNG ỦY XÃ BẢO LÂM 3", "BAN XÂY DỰNG ĐẢNG", "*"]
    right = [t for t in cell_texts(signature(document).cell(0, 1)) if t]
    assert right == ["TRƯỞNG BAN", "(Họ và tên)"]


# ---------------------------------------------------------------- the annexed table


def test_every_number_of_the_annexed_table_is_the_data_files(report, month):
    printed = annex_values(report, month.unit.code)
    expected = data_file_values(export_rows(month))
    assert len(printed) == 11 * 15 * 3  # 10 accepted cells and the district
    assert printed == expected
    assert printed[("BL", "tong", "TH01")] == 11994  # printed "11.994"


def test_a_school_without_valid_data_has_words_in_the_table_never_zeros(report):
    table = next(t for t in report.tables if t.rows[0].cells[0].text == "Mã số")
    rows = [r.cells[0].text for r in table.rows]
    at = rows.index("6. Chi bộ Trường THCS Lộc Nam (BL06)")
    assert rows[at + 1] == "Không có số liệu hợp lệ (báo cáo bị trả lại, chưa gửi lại bản hợp lệ)"
    assert rows[at + 2] == "7. Chi bộ Trường THCS Lộc Quảng (BL07)"
    assert rows[1] == "Cộng toàn huyện (10/12 đơn vị có số liệu)"
    assert "Biểu số 01" in texts(report)


def test_a_month_without_any_accepted_cell_says_so_and_prints_no_figures():
    month = make_month()
    empty = replace(month, cells=[UnitStatus(c.unit, received=True, errors=2)
                                  for c in month.cells], values={}, attention=[])
    document = docx.Document(io.BytesIO(build_district_word(empty, NAMED)))
    found = texts(document)
    assert "chưa có chi bộ nào có số liệu hợp lệ" in found[found.index(SECTION_RESULTS) + 1]
    assert "1. Kết nạp đảng viên" not in found
    assert annex_values(document, "BL") == {}
    assert data_file_values(export_rows(empty))  # the data file's zeros …
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Mã số")
    assert table.rows[2].cells[0].text == "Không có số liệu hợp lệ"  # … are words here


# ---------------------------------------------------------------- the province


def test_the_provinces_report_has_its_heading_and_its_districts(province):
    document = docx.Document(io.BytesIO(build_province_word(province,
                                                            province_document(province))))
    assert cell_texts(document.tables[0].cell(0, 0)) == ["TỈNH ỦY LÂM ĐỒNG", "BAN TỔ CHỨC",
                                                         "*"]
    assert cell_texts(document.tables[0].cell(1, 1)) == ["Đà Lạt, ngày 02 tháng 4 năm 2024"]
    found = texts(document)
    assert ("Số liệu tháng 3 năm 2024 của Đảng bộ tỉnh Lâm Đồng được tổng hợp từ số liệu hợp "
            "lệ của 3/4 đảng bộ (9/13 chi bộ trường học có báo cáo hợp lệ).") in found
    assert any(t.startswith("- Đảng bộ huyện Bảo Lâm (BL, số liệu của 3/4 chi bộ): kết nạp")
               for t in found)
    assert "- Đảng bộ huyện Lâm Hà (LH): chưa gửi tệp." in found
    assert "- Gửi trễ hạn: Đảng bộ huyện Di Linh (DL)." in found
    assert "- Chưa gửi tệp: Đảng bộ huyện Lâm Hà (LH)." in found
    printed = annex_values(document, province.unit.code)
    assert printed == data_file_values(province_export_rows(province))
    assert {code for code, _, _ in printed} == {"BL", "BLC", "DL", "LD"}


# ---------------------------------------------------------------- reproducible


def test_the_same_month_gives_the_same_bytes_dated_on_the_documents_day(data, report, month):
    assert build_district_word(demo_month(), NAMED) == data
    core = report.core_properties
    stamps = {core.created.replace(tzinfo=None), core.modified.replace(tzinfo=None)}
    assert stamps == {datetime(2024, 10, 10)}
    assert core.language == "vi-VN" and core.author == "cellreports"
    later = replace(month, generated_at=datetime(2024, 10, 12, 16, 0))
    rebuilt = docx.Document(io.BytesIO(build_district_word(later, NAMED))).core_properties
    assert rebuilt.created.replace(tzinfo=None) == datetime(2024, 10, 12)


def test_the_annex_rows_written_as_text_are_the_xml_python_docx_and_lxml_write(
        data: bytes, month: MonthData, monkeypatch: pytest.MonkeyPatch) -> None:
    """The annex's rows are written as text while the document is saved
    (reports.docx_rows): built instead the plain way, every row through python-docx into
    the table and the whole tree serialised by lxml, the document has the same bytes. The
    month has a rejected and a missing cell, so every kind of row is written as a copy."""
    from reports import docx_rows, word_report

    class EveryRowInTheTree:
        def __init__(self, table, plan, first_row):  # type: ignore[no-untyped-def]
            for kind, texts in plan:
                first_row(table, kind, texts)

    plain_save = docx_rows.deterministic_docx
    monkeypatch.setattr(word_report, "StreamedRows", EveryRowInTheTree)
    monkeypatch.setattr(word_report, "deterministic_docx", lambda doc, rows: plain_save(doc))
    assert build_district_word(month, NAMED) == data


@pytest.mark.parametrize("text", ["12", "Tổng số", " spaced ", "trailing ", "a\tb", "x\ny",
                                  "a\rb", "", "   "])
@pytest.mark.parametrize("first", ["0", " padded ", ""])
def test_a_copied_rows_text_is_put_in_as_python_docx_puts_it(first: str, text: str) -> None:
    """``put_text`` writes the XML of python-docx's ``run.text = text`` into a copied run,
    whatever the template's run held (a text with spaces, none) and whatever the text is
    (spaces kept, a tab, a line break, nothing)."""
    import copy

    from docx import Document as new_document
    from docx.oxml.ns import qn
    from lxml import etree

    from reports import docx_rows, word_report

    table = new_document().add_table(rows=0, cols=1)
    template = word_report.add_row(table, [first])._tr
    ours, theirs = copy.deepcopy(template), copy.deepcopy(template)
    run_ours, run_theirs = next(ours.iter(qn("w:r"))), next(theirs.iter(qn("w:r")))
    docx_rows.put_text(run_ours, text)
    run_theirs.text = text
    assert etree.tostring(ours) == etree.tostring(theirs)
