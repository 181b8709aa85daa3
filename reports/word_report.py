"""The report the officer sends: an editable Word draft "Báo cáo" (Guide 36-HD/VPTW).

``build_district_word`` (a district's or commune's month) and ``build_province_word`` (the
province's report of its districts or communes) write, with python-docx, a Party document
on A4 in Times New Roman: the header table (superior and issuing body, "*", number and
symbol on the left; "ĐẢNG CỘNG SẢN VIỆT NAM" and the italic place-and-date line on the
right), the title, I- Kết quả (the month's figures in sentences), II- Đánh giá (strengths and
limits drawn from the figures), III- Phương hướng (a marked paragraph the officer writes),
"Nơi nhận" and the signature block, then the annexed table "Biểu số 01": every indicator
for students, staff and both, per unit and in total.

The figures are those of the workbook and the upward data file — ``reports.export``'s
``unit_value`` at the district, ``ProvinceMonth.value`` at the province — so the annexed
table equals the data file's rows number for number. Only counts and unit names are
written: the report goes upward and carries no person's name (H04 and H05 are counted per
cell). The same input gives the same bytes: the core properties are dated on the
document's date and the zip is rebuilt with fixed member times.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from fractions import Fraction

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

from core.export_format import TOTAL
from core.layout import INDICATOR_CODES, INDICATOR_LABELS, POPULATIONS
from core.month import (
    FILE_REJECTED,
    NO_CELLS,
    NO_DATA_REASONS,
    NO_FILE,
    AttentionItem,
    MonthData,
    UnitStatus,
)
from core.province_month import ProvinceMonth
from core.registry import Unit
from reports.coverage import no_data_text, total_label
from reports.district import document_stamp
from reports.district_progress import BEHIND, NO_TARGET, Progress, cell_progress, total_progress
from reports.document import PARTY_TITLE, DocumentHeader
from reports.docx_rows import StreamedRows, deterministic_docx
from reports.export import unit_value
from reports.province_sheets import progress as province_progress
from reports.provincial import document_day
from reports.sheetstyle import LEVEL_WORDS, month_title

FONT = "Times New Roman"
BODY_SIZE = 14       # Guide 36-HD/VPTW: the text 14–15 pt (the project: 13–14)
TABLE_SIZE = 11      # a table in 10–11 pt reads on paper; never smaller
RECIPIENT_SIZE = 12  # the Guide's size for the list under "Nơi nhận"
# A4 and the Guide's margins: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
TOP, BOTTOM, LEFT, RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)
TEXT_WIDTH_MM = 210 - 30 - 15

REPORT_KIND = "BÁO CÁO"
SUBJECT = "tình hình phát triển đảng viên trong học sinh, viên chức"
SECTION_RESULTS = "I- KẾT QUẢ"
SECTION_ASSESSMENT = "II- ĐÁNH GIÁ"
SECTION_DIRECTIONS = "III- PHƯƠNG HƯỚNG, NHIỆM VỤ"
SECTIONS = (SECTION_RESULTS, SECTION_ASSESSMENT, SECTION_DIRECTIONS)
DIRECTIONS_PLACEHOLDER = (
    "[Phần này do cán bộ phụ trách viết trước khi trình ký: nhiệm vụ trọng tâm tháng tới, "
    "giải pháp khắc phục các hạn chế nêu ở mục II, đề xuất, kiến nghị. Xóa đoạn đánh dấu "
    "này khi đã viết xong.]")
RECIPIENTS_LABEL = "Nơi nhận:"
TABLE_TITLE = "TỔNG HỢP SỐ LIỆU PHÁT TRIỂN ĐẢNG VIÊN TRONG HỌC SINH, VIÊN CHỨC"
TABLE_COLUMNS = (("Mã số", 17), ("Chỉ tiêu", 85), ("Học sinh", 21), ("Viên chức", 21),
                 ("Cộng", 21))  # widths in mm, summing to the text width
TABLE_POPULATIONS = (*POPULATIONS, TOTAL)
NO_LIMITS = "Số liệu tháng này không cho thấy hạn chế nào cần nêu."
# (rule, what the sentence counts): the cells' warnings the assessment counts per cell
ATTENTION_RULES = (
    ("H04", "quần chúng dừng lâu ở một giai đoạn, chưa được chuyển giai đoạn tiếp theo"),
    ("H05", "trường hợp chi bộ đã có nghị quyết đề nghị kết nạp nhưng quá thời hạn chưa có "
            "quyết định kết nạp"),
)


def word_report_name(unit_code: str, period: str) -> str:
    """``BaoCao_BL_2024-03.docx``: beside the workbook in the month's folder."""
    return f"BaoCao_{unit_code}_{period}.docx"


# ---------------------------------------------------------------- what the text reads


@dataclass(frozen=True)
class Figures:
    """One month of one consolidating unit as the report reads it, the same for a
    district (its cells) and a province (its districts or communes)."""

    period: str
    unit: Unit
    level: str                        # the unit's level: huyen, xa, tinh
    members: list[UnitStatus]         # every expected unit below, by code
    member_word: str                  # how the text names them: "chi bộ", "đảng bộ"
    # (unit codes, population incl. "tong", indicator) -> the value the data file carries
    value: Callable[[Sequence[str], str, str], int]
    # (one member, or None for the whole unit; population) -> admissions against targets
    progress: Callable[[UnitStatus | None, str], Progress]
    reasons: dict[str, str]           # UnitStatus.state -> why a member has no data
    coverage: str = ""                # the reporting cells behind a province's figures
    attention: list[AttentionItem] = field(default_factory=list)

    @property
    def month(self) -> int:
        return int(self.period[5:7])

    def with_data(self) -> list[UnitStatus]:
        return [m for m in self.members if m.has_data]

    def codes(self) -> list[str]:
        return [m.unit.code for m in self.with_data()]

    def total(self, population: str, indicator: str) -> int:
        return self.value(self.codes(), population, indicator)

    def total_label(self) -> str:
        text = f"Cộng toàn {LEVEL_WORDS.get(self.level, 'đơn vị')}"
        return total_label(text, len(self.with_data()), len(self.members))


CELL_REASONS = {NO_CELLS: NO_DATA_REASONS[NO_CELLS],
                FILE_REJECTED: "báo cáo bị trả lại, chưa gửi lại bản hợp lệ",
                NO_FILE: "chưa nộp báo cáo"}


def district_figures(month: MonthData) -> Figures:
    """A district's (or commune's) month: its cells, the values of their accepted reports."""
    def value(codes: Sequence[str], population: str, indicator: str) -> int:
        return unit_value(month, codes, population, indicator, TOTAL)

    def progress(member: UnitStatus | None, population: str) -> Progress:
        if member is None:
            return total_progress(month, population)
        if population != TOTAL:
            return cell_progress(month, member, population)
        # a cell's own students and staff together, as the province's units are counted;
        # replace() keeps the month and the pace's rule of the cell's own lines
        parts = [cell_progress(month, member, p) for p in POPULATIONS]
        targets = [p.target for p in parts if p.target is not None]
        admitted = [p.year_to_date for p in parts if p.year_to_date is not None]
        return replace(parts[0], year_to_date=sum(admitted) if admitted else None,
                       target=sum(targets) if targets else None)

    return Figures(month.period, month.unit, month.levels.get(month.unit.code, month.unit.level),
                   sorted(month.cells, key=lambda c: c.unit.code), "chi bộ", value, progress,
                   CELL_REASONS, attention=list(month.attention))


def province_figures(data: ProvinceMonth) -> Figures:
    """A province's month: its districts' (communes') accepted data files."""
    def progress(member: UnitStatus | None, population: str) -> Progress:
        return province_progress(data, data.districts if member is None else [member],
                                 population)

    codes = data.data_codes()
    accepted = data.value(codes, TOTAL, "REPORTS_ACCEPTED")
    coverage = (f"{accepted}/{data.expected_cells} chi bộ trường học có báo cáo hợp lệ"
                if data.expected_cells else "")
    return Figures(data.period, data.unit, data.unit.level, data.by_code(), "đảng bộ",
                   data.value, progress, dict(NO_DATA_REASONS), coverage=coverage)


# ---------------------------------------------------------------- numbers in words


def decimal(value: Fraction | float) -> str:
    """``7,5``; a whole number without decimals (Vietnamese decimal comma)."""
    number = float(value)
    return str(round(number)) if number == round(number) else f"{number:.1f}".replace(".", ",")


def count(value: int) -> str:
    """``11.331``: thousands grouped with a dot, as Vietnamese documents write them."""
    return f"{value:,}".replace(",", ".")


def percent(value: float) -> str:
    return f"{value * 100:.1f}%".replace(".", ",")


def split(figures: Figures, codes: Sequence[str], indicator: str, noun: str = "") -> str:
    """``12 đảng viên (học sinh 9, viên chức 3)``."""
    total = figures.value(codes, TOTAL, indicator)
    students = figures.value(codes, "hoc_sinh", indicator)
    staff = figures.value(codes, "vien_chuc", indicator)
    what = f"{total} {noun}" if noun else str(total)
    return f"{what} (học sinh {students}, viên chức {staff})"


def named(members: Sequence[UnitStatus]) -> str:
    return "; ".join(f"{m.unit.name} ({m.unit.code})" for m in members)


# ---------------------------------------------------------------- I- Kết quả


def source_sentence(figures: Figures) -> str:
    """Which reports the figures stand on."""
    period = month_title(figures.period).lower()
    n, k = len(figures.members), len(figures.with_data())
    coverage = f" ({figures.coverage})" if figures.coverage else ""
    if k == 0:
        return (f"Số liệu {period} của {figures.unit.name}: chưa có {figures.member_word} nào "
                f"có số liệu hợp lệ trong {n} {figures.member_word} phải báo cáo, nên báo "
                "cáo chưa có số liệu.")
    return (f"Số liệu {period} của {figures.unit.name} được tổng hợp từ số liệu hợp lệ của "
            f"{k}/{n} {figures.member_word}{coverage}.")


def target_sentence(figures: Figures) -> str:
    """Admissions so far against the year's target, and the pace."""
    found = figures.progress(None, TOTAL)
    if not found.target or found.pace == NO_TARGET or found.expected is None:
        return "Chưa giao chỉ tiêu kết nạp năm."
    targets, shares = [], []
    for population, label in (("hoc_sinh", "học sinh"), ("vien_chuc", "viên chức")):
        own = figures.progress(None, population)
        if own.target:
            targets.append(f"{label} {own.target}")
            shares.append(f"{label} {own.year_to_date}/{own.target}, "
                          f"{percent(own.percent or 0)}")
    return (f"Chỉ tiêu kết nạp năm {found.target} đảng viên ({', '.join(targets)}); từ đầu "
            f"năm đã đạt {found.year_to_date}/{found.target}, bằng "
            f"{percent(found.percent or 0)} ({'; '.join(shares)}). Theo tiến độ, đến hết "
            f"tháng {figures.month} cần kết nạp {decimal(found.expected)} (chỉ tiêu năm × "
            f"{figures.month}/12): {(found.pace or '').lower()}.")


def admission_paragraphs(figures: Figures) -> list[str]:
    codes = figures.codes()
    return [
        f"Trong tháng kết nạp {split(figures, codes, 'TH11', 'đảng viên')}; từ đầu năm kết "
        f"nạp {split(figures, codes, 'TH12', 'đảng viên')}.",
        target_sentence(figures),
    ]


def stage_paragraphs(figures: Figures) -> list[str]:
    codes = figures.codes()

    def total(indicator: str) -> int:
        return figures.value(codes, TOTAL, indicator)

    return [
        f"Quần chúng trong danh sách cảm tình đảng: {split(figures, codes, 'TH05')}; trong đó "
        f"đã được phân công đảng viên giúp đỡ {total('TH06')}, đã được cử đi học lớp bồi "
        f"dưỡng nhận thức về Đảng và có giấy chứng nhận {split(figures, codes, 'TH07')}, "
        f"đang khai lý lịch, hoàn thiện hồ sơ {total('TH08')}, đang thẩm tra, xác minh lý "
        f"lịch {total('TH09')}, chi bộ đã có nghị quyết đề nghị kết nạp "
        f"{split(figures, codes, 'TH10')}.",
        f"Đảng viên dự bị: {split(figures, codes, 'TH14')}; chuyển đảng chính thức trong "
        f"tháng: {total('TH15')}.",
    ]


def cells_note(member: UnitStatus) -> str:
    """``, số liệu của 3/4 chi bộ`` for a district whose file counts only some cells."""
    accepted, expected = member.cells_accepted, member.cells_expected
    if not member.has_data or accepted is None or accepted >= expected:
        return ""
    return f", số liệu của {accepted}/{expected} chi bộ"


def member_line(figures: Figures, member: UnitStatus) -> str:
    """One member's month in a line, or why it has none."""
    head = f"- {member.unit.name} ({member.unit.code}{cells_note(member)}): "
    if not member.has_data:
        return head + figures.reasons.get(member.state, no_data_text()) + "."
    code = [member.unit.code]
    found = figures.progress(member, TOTAL)
    target = (f"{found.year_to_date}/{found.target} chỉ tiêu năm ({percent(found.percent)})"
              if found.target and found.percent is not None
              else f"{found.year_to_date} (chưa giao chỉ tiêu)")
    return (head + f"kết nạp trong tháng {figures.value(code, TOTAL, 'TH11')}, từ đầu năm "
            f"{target}; cảm tình đảng {figures.value(code, TOTAL, 'TH05')}, đã có giấy "
            f"chứng nhận bồi dưỡng {figures.value(code, TOTAL, 'TH07')}, chi bộ đề nghị kết "
            f"nạp {figures.value(code, TOTAL, 'TH10')}; đảng viên dự bị "
            f"{figures.value(code, TOTAL, 'TH14')}.")


# ---------------------------------------------------------------- II- Đánh giá


def strengths(figures: Figures) -> list[str]:
    """What went well, drawn from the figures only."""
    members, with_data = figures.members, figures.with_data()
    on_time = [m for m in with_data if m.on_time]
    word = figures.member_word
    lines = [f"{len(with_data)}/{len(members)} {word} có số liệu hợp lệ, trong đó "
             f"{len(on_time)} {word} gửi đúng hạn."]
    if not with_data:
        return lines
    admitted = figures.total(TOTAL, "TH11")
    if admitted:
        lines.append(f"Trong tháng kết nạp được {admitted} đảng viên mới.")
    found = figures.progress(None, TOTAL)
    if found.pace not in (None, NO_TARGET, BEHIND) and found.expected is not None:
        lines.append(f"Kết nạp từ đầu năm {(found.pace or '').lower()}: {found.year_to_date} "
                     f"đảng viên, cần đạt {decimal(found.expected)} đến hết tháng "
                     f"{figures.month}.")
    students = [m for m in with_data if figures.progress(m, "hoc_sinh").year_to_date]
    if students:
        lines.append(f"{len(students)}/{len(with_data)} {word} có số liệu đã kết nạp học "
                     "sinh từ đầu năm.")
    return lines


def submission_limits(figures: Figures) -> list[str]:
    """Late, rejected, missing reports (and at the province, files without any cell)."""
    late = [m for m in figures.members if m.accepted and not m.on_time]
    lines = [f"Gửi trễ hạn: {named(late)}."] if late else []
    for state in (FILE_REJECTED, NO_FILE, NO_CELLS):
        found = [m for m in figures.members if m.state == state]
        if found:
            reason = figures.reasons[state]  # the same words as the member's own line
            lines.append(f"{reason[:1].upper()}{reason[1:]}: {named(found)}.")
    return lines


def attention_limits(figures: Figures) -> list[str]:
    """H04 and H05 counted per cell: the report names cells, never people."""
    names = {m.unit.code: m.unit.name for m in figures.members}
    lines = []
    for rule, what in ATTENTION_RULES:
        counts = Counter(i.unit_code for i in figures.attention if i.rule_id == rule)
        if counts:
            where = "; ".join(f"{names.get(code, code)} ({code}): {n}"
                              for code, n in sorted(counts.items()))
            lines.append(f"Có {sum(counts.values())} {what} ({rule}) — {where}.")
    return lines


def pace_limits(figures: Figures) -> list[str]:
    """The whole unit behind the target's pace, members without a student admitted this
    year, staff targets behind pace."""
    lines = []
    found = figures.progress(None, TOTAL)
    if found.pace == BEHIND and found.expected is not None:
        lines.append(f"Kết nạp từ đầu năm chậm tiến độ: {found.year_to_date} đảng viên, cần "
                     f"đạt {decimal(found.expected)} đến hết tháng {figures.month} (chỉ tiêu "
                     f"năm {found.target}).")
    with_data = figures.with_data()
    no_student = [m for m in with_data if figures.progress(m, "hoc_sinh").year_to_date == 0]
    if no_student:
        lines.append(f"Chưa kết nạp học sinh nào từ đầu năm: {named(no_student)}.")
    staff = [m for m in with_data if figures.progress(m, "vien_chuc").pace == BEHIND]
    if staff:
        lines.append(f"Chỉ tiêu kết nạp viên chức chậm tiến độ: {named(staff)}.")
    return lines


def limits(figures: Figures) -> list[str]:
    found = submission_limits(figures) + attention_limits(figures) + pace_limits(figures)
    return found or [NO_LIMITS]


# ---------------------------------------------------------------- docx building blocks


def set_fonts(rpr: OxmlElement, size: float | None = None) -> None:
    """Times New Roman for every script of a style or run (Vietnamese is set in the
    "hAnsi" slot; Word and LibreOffice pick the others for some characters)."""
    fonts = rpr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)  # a theme font would win over the named one
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    if size is not None:
        rpr.sz_val = Pt(size)
        complex_size = rpr.find(qn("w:szCs"))
        if complex_size is not None:
            complex_size.set(qn("w:val"), str(int(size * 2)))


def new_document() -> DocxDocument:
    doc = Document()
    # The template's defaults name theme fonts (Calibri) and English: every style not set
    # here would inherit them.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    default_rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(default_rpr, BODY_SIZE)
    default_rpr.find(qn("w:lang")).set(qn("w:val"), "vi-VN")
    for name in ("Normal", "Table Grid", "Header"):
        set_fonts(doc.styles[name].element.get_or_add_rPr(), BODY_SIZE)
    normal = doc.styles["Normal"]
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.header_distance = section.footer_distance = Mm(10)
    page_numbers(doc)
    return doc


def page_numbers(doc: DocxDocument) -> None:
    """The page number at the top centre from the second page (Guide 36-HD/VPTW)."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field_ = OxmlElement("w:fldSimple")
    field_.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field_.append(run)
    paragraph._p.append(field_)


def write(paragraph: Paragraph, text: str, *, size: float = BODY_SIZE, bold: bool = False,
          italic: bool = False, underline: bool = False, highlight: bool = False) -> Paragraph:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold or None
    run.font.italic = italic or None
    run.font.underline = underline or None
    if highlight:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return paragraph


def centred(paragraph: Paragraph, text: str, **style: object) -> Paragraph:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return write(paragraph, text, **style)  # type: ignore[arg-type]


def body(doc: DocxDocument, text: str, *, bold: bool = False, italic: bool = False,
         highlight: bool = False) -> Paragraph:
    """A paragraph of the text: justified, first line indented, 6 pt after."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Mm(10)
    paragraph.paragraph_format.space_after = Pt(6)
    return write(paragraph, text, bold=bold, italic=italic, highlight=highlight)


def plain_table(doc: DocxDocument, rows: int, widths_mm: Sequence[float]) -> Table:
    """A borderless layout table of fixed column widths (the header, the signature)."""
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for index, width in enumerate(widths_mm):
        table.columns[index].width = Mm(width)
        for cell in table.columns[index].cells:
            cell.width = Mm(width)
    return table


def cell_lines(cell: _Cell, lines: Sequence[tuple[str, dict]], *,
               align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER) -> None:
    """Lines of text in a cell, each a paragraph with its own style."""
    for index, (text, style) in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.alignment = align
        write(paragraph, text, **style)


# ---------------------------------------------------------------- the document's parts


def header_block(doc: DocxDocument, document: DocumentHeader, day: date) -> None:
    """Guide 36-HD/VPTW's header: the bodies, "*" and the number on the left; the Party's
    title and the place and date on the right, the date level with the number."""
    table = plain_table(doc, 2, (64, TEXT_WIDTH_MM - 64))
    cell_lines(table.cell(0, 0), [(document.superior_body, {}),
                                  (document.issuing_body, {"bold": True}), ("*", {})])
    cell_lines(table.cell(0, 1), [(PARTY_TITLE, {"size": 15, "bold": True,
                                                 "underline": True})])
    cell_lines(table.cell(1, 0), [(document.number_line(), {})])
    cell_lines(table.cell(1, 1), [(document.place_date_line(day), {"italic": True})])


def title_block(doc: DocxDocument, figures: Figures) -> None:
    centred(doc.add_paragraph(), "", size=BODY_SIZE)
    centred(doc.add_paragraph(), REPORT_KIND, size=16, bold=True)
    centred(doc.add_paragraph(), f"{SUBJECT} {month_title(figures.period).lower()}",
            bold=True)
    centred(doc.add_paragraph(), "-----", size=BODY_SIZE)
    doc.paragraphs[-1].paragraph_format.space_after = Pt(12)


def heading(doc: DocxDocument, text: str) -> None:
    paragraph = body(doc, text, bold=True)
    paragraph.paragraph_format.keep_with_next = True


def results_section(doc: DocxDocument, figures: Figures) -> None:
    heading(doc, SECTION_RESULTS)
    body(doc, source_sentence(figures))
    if not figures.with_data():
        return
    heading(doc, "1. Kết nạp đảng viên")
    for text in admission_paragraphs(figures):
        body(doc, text)
    heading(doc, "2. Nguồn kết nạp và đảng viên dự bị")
    for text in stage_paragraphs(figures):
        body(doc, text)
    heading(doc, f"3. Kết quả của từng {figures.member_word}")
    for member in figures.members:
        body(doc, member_line(figures, member))


def assessment_section(doc: DocxDocument, figures: Figures) -> None:
    heading(doc, SECTION_ASSESSMENT)
    heading(doc, "1. Ưu điểm")
    for text in strengths(figures):
        body(doc, f"- {text}")
    heading(doc, "2. Hạn chế")
    for text in limits(figures):
        body(doc, f"- {text}")


def directions_section(doc: DocxDocument) -> None:
    heading(doc, SECTION_DIRECTIONS)
    body(doc, DIRECTIONS_PLACEHOLDER, italic=True, highlight=True)


def signature_block(doc: DocxDocument, document: DocumentHeader) -> None:
    """"Nơi nhận:" (underlined, Guide 36-HD/VPTW) and its list on the left; the signer's
    authority and title, room for the signature and seal, and the name on the right."""
    doc.add_paragraph()
    table = plain_table(doc, 1, (80, TEXT_WIDTH_MM - 80))
    cell_lines(table.cell(0, 0), [(RECIPIENTS_LABEL, {"underline": True})]
               + [(line, {"size": RECIPIENT_SIZE}) for line in document.recipients],
               align=WD_ALIGN_PARAGRAPH.LEFT)
    name = document.signer_name_line()
    cell_lines(table.cell(0, 1), [(line, {"bold": True}) for line in document.signer_title]
               + [("", {})] * 4
               + [(name, {"bold": True, "highlight": not document.signer_name.strip()})])


def annex(doc: DocxDocument, figures: Figures, document: DocumentHeader, day: date,
          ) -> StreamedRows:
    """"Biểu số 01" on a new page: every indicator per unit and in total. The table's rows
    are written when the document is saved (reports.docx_rows): 16 per unit."""
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    label = doc.paragraphs[-1]
    label.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    write(label, document.table_caption(1), bold=True)
    centred(doc.add_paragraph(), TABLE_TITLE, bold=True)
    centred(doc.add_paragraph(), f"{month_title(figures.period)} – {figures.unit.name}",
            bold=True)
    centred(doc.add_paragraph(), document.attachment_line(day), italic=True)
    doc.paragraphs[-1].paragraph_format.space_after = Pt(6)
    rows = StreamedRows(summary_table(doc), annex_rows(figures), first_row)
    centred(doc.add_paragraph(), "", size=TABLE_SIZE)
    return rows


def summary_table(doc: DocxDocument) -> Table:
    table = doc.add_table(rows=1, cols=len(TABLE_COLUMNS))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for index, (label, width) in enumerate(TABLE_COLUMNS):
        table.columns[index].width = Mm(width)
        cell = table.rows[0].cells[index]
        cell.width = Mm(width)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        centred(cell.paragraphs[0], label, size=TABLE_SIZE, bold=True)
    row_flag(table.rows[0], "w:tblHeader")  # repeated on every page the table runs to
    return table


def row_flag(row: object, tag: str) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    flag = OxmlElement(tag)
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def add_row(table: Table, texts: Sequence[str], *, bold: bool = False) -> _Row:
    row = table.add_row()
    row_flag(row, "w:cantSplit")
    for index, text in enumerate(texts):
        cell = row.cells[index]
        cell.width = Mm(TABLE_COLUMNS[index][1])
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = cell.paragraphs[0]
        paragraph.alignment = (WD_ALIGN_PARAGRAPH.LEFT if index == 1
                               else WD_ALIGN_PARAGRAPH.RIGHT if index > 1
                               else WD_ALIGN_PARAGRAPH.CENTER)
        write(paragraph, text, size=TABLE_SIZE, bold=bold)
    return row


def merged_row(table: Table, text: str, *, bold: bool = False, italic: bool = False) -> _Row:
    """A row of one cell across the table (a unit's title, or why it has no figures)."""
    row = table.add_row()
    row_flag(row, "w:cantSplit")
    cell = row.cells[0].merge(row.cells[-1])
    paragraph = cell.paragraphs[0]
    write(paragraph, text, size=TABLE_SIZE, bold=bold, italic=italic)
    paragraph.paragraph_format.keep_with_next = True  # a unit's title stays with its rows
    return row


# the annex's kinds of rows: a unit's title, the words of a unit without figures, figures
TITLE_ROW, NOTE_ROW, DATA_ROW = "title", "note", "data"


def first_row(table: Table, kind: Hashable, texts: Sequence[str]) -> BaseOxmlElement:
    """A row of ``kind`` built through python-docx (the template of the next ones)."""
    if kind == DATA_ROW:
        return add_row(table, texts)._tr
    return merged_row(table, texts[0], bold=kind == TITLE_ROW, italic=kind == NOTE_ROW)._tr


def annex_rows(figures: Figures) -> Iterator[tuple[str, list[str]]]:
    """The annex's rows after its header: the total's block, then each unit's."""
    yield from block(figures.total_label(), figures, figures.codes(),
                     bool(figures.with_data()))
    for number, member in enumerate(figures.members, start=1):
        yield from block(f"{number}. {member.unit.name} ({member.unit.code})", figures,
                         [member.unit.code], member.has_data, figures.reasons.get(member.state))


def block(title: str, figures: Figures, codes: Sequence[str], has_data: bool,
          reason: str | None = None) -> Iterator[tuple[str, list[str]]]:
    """A unit's (or the total's) title line, then TH01–TH15 for students, staff and both;
    a unit without valid data gets one line of words, never zeros."""
    yield TITLE_ROW, [title]
    if not has_data:
        yield NOTE_ROW, [no_data_text(reason)]
        return
    for indicator in INDICATOR_CODES:
        yield DATA_ROW, [indicator, INDICATOR_LABELS[indicator],
                         *(count(figures.value(codes, population, indicator))
                           for population in TABLE_POPULATIONS)]


# ---------------------------------------------------------------- the whole document


def build_word(figures: Figures, document: DocumentHeader, day: date) -> bytes:
    doc = new_document()
    header_block(doc, document, day)
    title_block(doc, figures)
    results_section(doc, figures)
    assessment_section(doc, figures)
    directions_section(doc)
    signature_block(doc, document)
    rows = annex(doc, figures, document, day)
    properties(doc, figures, day)
    return deterministic_docx(doc, rows)


def properties(doc: DocxDocument, figures: Figures, day: date) -> None:
    """Core properties dated on the document's day, so a rebuild gives the same bytes."""
    stamp = datetime.combine(day, time())
    core = doc.core_properties
    core.author = core.last_modified_by = "cellreports"
    core.title = f"{REPORT_KIND} {SUBJECT} {month_title(figures.period).lower()} – " \
                 f"{figures.unit.name}"
    core.language = "vi-VN"
    core.created = core.modified = core.last_printed = stamp
    core.revision = 1
    core.comments = ""
    # The template's thumbnail is a picture of python-docx's sample page, not of this one.
    rels = doc.part.package.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        del rels[rid]


def build_district_word(month: MonthData, document: DocumentHeader) -> bytes:
    """The district's (or commune's) "Báo cáo" of ``month`` as .docx bytes."""
    return build_word(district_figures(month), document, document_stamp(month).date())


def build_province_word(data: ProvinceMonth, document: DocumentHeader) -> bytes:
    """The province's "Báo cáo" of its districts' (communes') month as .docx bytes."""
    return build_word(province_figures(data), document, document_day(data))
