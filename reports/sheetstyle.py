"""Shared look of the report workbooks' sheets: Times New Roman, grids, A4 print set-up.

Every sheet builder of the district and provincial reports takes its fonts, borders and
page set-up from here, so that all sheets print alike (Guide 36-HD/VPTW: Times New Roman,
A4, 13–14 pt text, 10–11 pt tables). A sheet prints at its own size: one wider than its
page continues on pages across (``paginate``), one with a signature keeps it whole
(``keep_together``); ``printed_copy`` gives the copy of a workbook that prints only some of
its sheets (the report for sending, the internal list).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Callable, Collection, Sequence
from copy import copy
from datetime import date
from functools import cache
from itertools import pairwise

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from core.month import MonthData
from core.xlsxio import write_value
from reports.cells import Style, cell_at, merge, put, put_merged, set_border, unmerge
from reports.document import PARTY_TITLE, DocumentHeader

FONT = "Times New Roman"
THIN = Side(style="thin")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT_WRAP = Alignment(horizontal="left", vertical="center", wrap_text=True)
# Table cells keep a little room from their borders.
CELL_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
CELL_LEFT_ONE_LINE = Alignment(horizontal="left", vertical="center", indent=1)
RIGHT = Alignment(horizontal="right", vertical="center", indent=1)
MIDDLE = Alignment(horizontal="center", vertical="center")
GREY = PatternFill(fill_type="solid", start_color="FFD9D9D9", end_color="FFD9D9D9")
RED = "FFC00000"
MM = 1 / 25.4  # inches per millimetre

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
PERCENT_FORMAT = "0.0%"
ONE_DECIMAL_FORMAT = "0.0"
SIGNED_FORMAT = "+0.0;-0.0;0.0"

# The word after "Cộng toàn" for the consolidating unit's level.
LEVEL_WORDS = {"huyen": "huyện", "xa": "xã", "tinh": "tỉnh"}


# The style factories return one object per set of arguments: reports.cells.apply_style
# then recognises a style it has applied before (a 1,000-cell report applies each ~10⁴ times).
@cache
def font(size: float = 13, *, bold: bool = False, italic: bool = False,
         underline: bool = False, color: str | None = None) -> Font:
    return Font(name=FONT, size=size, bold=bold, italic=italic,
                underline="single" if underline else None, color=color)


def print_setup(ws: Worksheet, *, title_rows: str, last_row: int, last_column: int,
                landscape: bool = True) -> None:
    """A4 at the sheet's own size, header rows repeated, the margins of Guide 36-HD/VPTW.

    Never fitted to the page: a fitted table of 19 columns printed at 6 pt. A sheet wider
    than the page is laid out over pages of its own size by ``paginate``, which the
    workbook builders apply to every sheet once it is complete."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.scale = 100
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
    margins = LANDSCAPE_MARGINS if landscape else PORTRAIT_MARGINS
    ws.page_margins = PageMargins(**{side: mm * MM for side, mm in margins.items()})
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = title_rows
    ws.print_area = f"A1:{get_column_letter(last_column)}{last_row}"
    ws.oddFooter.center.text = "&P/&N"
    ws.oddFooter.center.font = FONT
    ws.oddFooter.center.size = 11
    ws.sheet_view.showGridLines = False


# ---------------------------------------------------------------- pages across

# Guide 36-HD/VPTW's margins of an A4 page (mm): top and bottom 20–25, left 30–35 (the bound
# edge), right 15–20. A landscape page bound into the document turns its top edge to the
# binding: it takes the 30 mm there, and each other edge the margin of the one it faces.
PORTRAIT_MARGINS = {"left": 30, "right": 15, "top": 20, "bottom": 20, "header": 8, "footer": 8}
LANDSCAPE_MARGINS = {"left": 20, "right": 20, "top": 30, "bottom": 15, "header": 10,
                     "footer": 6}
A4_SHORT, A4_LONG = 210, 297  # mm
# Millimetres per unit of column width as LibreOffice prints these workbooks without
# Calibri: a unit is the default font's digit, DejaVu Sans's 0.64 em at 11 pt = 2.47 mm
# (with Calibri or Times New Roman, in Excel or LibreOffice, ~1.9 mm). Pages are laid out
# for the widest, with a little to spare: what fits on the page here fits everywhere.
MM_PER_UNIT = 2.5
# The columns that say which unit and line a row is (STT, name, code, population): printed
# again at the left of every page that continues a wide table to the right.
LABEL_COLUMNS = 4


def page_width(*, landscape: bool = True) -> float:
    """The printable width of an A4 page, in units of column width."""
    margins = LANDSCAPE_MARGINS if landscape else PORTRAIT_MARGINS
    paper = A4_LONG if landscape else A4_SHORT
    return (paper - margins["left"] - margins["right"]) / MM_PER_UNIT


def column_groups(widths: Sequence[float], *, labels: int = LABEL_COLUMNS,
                  capacity: float | None = None,
                  blocks: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """The columns (first, last; 1-based) printed on each page across: the first page from
    column A, each next one beside the ``labels`` columns printed again. A ``block`` (a
    header merged over several columns) is never cut, unless it alone is wider than a page.
    """
    capacity = page_width() if capacity is None else capacity
    label_width = sum(widths[:labels])
    groups: list[tuple[int, int]] = []
    first, used = 1, 0.0
    for start, end in _units(len(widths), blocks):
        width = sum(widths[start - 1:end])
        if used + width > capacity and end > labels and _has_own_column(first, start, labels):
            groups.append((first, start - 1))
            first, used = start, label_width
        used += width
    groups.append((first, len(widths)))
    return groups


def _has_own_column(first: int, start: int, labels: int) -> bool:
    """Whether the page begun at ``first`` holds a column of its own before ``start``
    (beside the repeated labels): only then may a new page begin at ``start``."""
    return start > max(first, labels + 1)


def _units(count: int, blocks: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Columns 1..count as the pieces a page break may fall between."""
    units, column = [], 1
    for start, end in sorted(blocks):
        if start < column:
            continue
        units += [(c, c) for c in range(column, start)]
        units.append((start, end))
        column = end + 1
    return units + [(c, c) for c in range(column, count + 1)]


def paginate(ws: Worksheet, *, labels: int = LABEL_COLUMNS, tail_last: bool = False) -> None:
    """Print a sheet wider than its page at its own size over pages across: the first
    page the sheet from column A, each next one the table's further columns beside its
    ``labels`` columns and under its header rows (one print range per page across).

    The table is the bordered block from the first header row down. Text merged across the
    sheet above or below it (titles, notes) is kept to the first page's width; a table's
    merged cell that spans a page break is cut there, its words on each part. The rows below
    the table print after the first page's table (notes), or with ``tail_last`` after the
    last page's (the signed summary: its signature closes the document). A sheet without
    print_setup's area and header rows is left as it is."""
    if not ws.print_area or not ws.print_title_rows or "," in ws.print_area:
        return
    area = CellRange(ws.print_area.split("!")[-1].replace("$", ""))
    landscape = ws.page_setup.orientation == "landscape"
    widths = [ws.column_dimensions[get_column_letter(c)].width or 8.43
              for c in range(1, area.max_col + 1)]
    top, header_end = _title_rows(ws)
    groups = column_groups(widths, labels=labels, capacity=page_width(landscape=landscape),
                           blocks=_header_blocks(ws, top, header_end))
    if len(groups) == 1:
        return
    table_end = _table_end(ws, top, area.max_row)
    breaks = [last for _, last in groups[:-1]]
    text_rows = [*range(1, top), *range(table_end + 1, 1 + (table_end if tail_last
                                                               else area.max_row))]
    _keep_within(ws, set(text_rows), groups[0][1])
    _cut_at(ws, top, table_end, breaks)
    ranges = [_range(1, groups[0][1], 1, table_end if tail_last else area.max_row)]
    for first, last in groups[1:]:
        bottom = area.max_row if tail_last and last == groups[-1][1] else table_end
        ranges.append(_range(first, last, top, bottom))
    ws.print_area = ranges
    ws.print_title_cols = f"A:{get_column_letter(labels)}"


def _range(first: int, last: int, top: int, bottom: int) -> str:
    return f"{get_column_letter(first)}{top}:{get_column_letter(last)}{bottom}"


def _title_rows(ws: Worksheet) -> tuple[int, int]:
    rows = [int(part) for part in ws.print_title_rows.replace("$", "").split(":")]
    return rows[0], rows[-1]


def _header_blocks(ws: Worksheet, top: int, bottom: int) -> list[tuple[int, int]]:
    return [(r.min_col, r.max_col) for r in ws.merged_cells.ranges
            if r.min_row >= top and r.max_row <= bottom and r.max_col > r.min_col]


def _table_end(ws: Worksheet, top: int, bottom: int) -> int:
    """The last row of the bordered table that begins at ``top`` (read from the bottom
    up: below a table are a few lines of text at most)."""
    columns = range(1, ws.max_column + 1)  # max_column reads every cell: once
    for row in range(bottom, top, -1):
        # the row's own cells, without creating the empty ones
        cells = (ws._cells.get((row, column)) for column in columns)
        if any(c is not None and c.has_style and c.border.left.style for c in cells):
            return row
    return bottom


def _keep_within(ws: Worksheet, rows: set[int], last_column: int) -> None:
    """Text merged across the sheet in ``rows`` ends at ``last_column``, its row as high
    as its lines need there."""
    for found in sorted(r.coord for r in ws.merged_cells.ranges
                        if r.min_row in rows and r.min_col <= last_column < r.max_col):
        merged = CellRange(found)
        ws.unmerge_cells(found)
        merge(ws, merged.min_row, merged.min_col, merged.max_row, last_column)
        cell = ws.cell(row=merged.min_row, column=merged.min_col)
        if isinstance(cell.value, str) and cell.alignment.wrap_text:
            size = cell.font.sz or 11
            lines = text_lines(ws, cell.value, (merged.min_col, last_column), size)
            if lines > 1:
                ws.row_dimensions[merged.min_row].height = lines * (size * 1.3) + 2


def _cut_at(ws: Worksheet, top: int, bottom: int, breaks: Sequence[int]) -> None:
    """A merged cell of the table that spans a page break becomes one per page, each
    with the cell's words and look."""
    crossing = sorted((r for r in ws.merged_cells.ranges if r.min_row >= top
                       and r.max_row <= bottom and any(r.min_col <= b < r.max_col
                                                       for b in breaks)), key=_bounds)
    for merged in crossing:
        min_row, min_col, max_row, max_col = _bounds(merged)
        source = ws.cell(row=min_row, column=min_col)
        value, style = source.value, copy(source._style)
        unmerge(ws, merged)
        edges = [min_col - 1, *[b for b in breaks if min_col <= b < max_col], max_col]
        for first, last in pairwise(edges):
            cell = ws.cell(row=min_row, column=first + 1)
            cell._style = copy(style)
            write_value(cell, value)
            if last > first + 1 or max_row > min_row:
                merge(ws, min_row, first + 1, max_row, last)


def _bounds(merged: CellRange) -> tuple[int, int, int, int]:
    return merged.min_row, merged.min_col, merged.max_row, merged.max_col


def keep_together(ws: Worksheet, first: int, last: int, *, top: int) -> None:
    """Rows ``first``..``last`` (a signature and what leads to it) begin a new page when a
    page break would fall among them, printed from ``top`` (their print range's first row)
    under the repeated title rows. Heights are estimated as LibreOffice sets them, a little
    high: a block moved for nothing costs a page, a block cut leaves a name without its
    title. The break is the sheet's: every print range across breaks there too."""
    landscape = ws.page_setup.orientation == "landscape"
    margins = LANDSCAPE_MARGINS if landscape else PORTRAIT_MARGINS
    paper = A4_SHORT if landscape else A4_LONG
    page = (paper - margins["top"] - margins["bottom"]) * PT_PER_MM * 0.97
    title_top, title_end = _title_rows(ws)
    height = _row_heights(ws, min(top, title_top), last)
    titles = sum(height(r) for r in range(title_top, title_end + 1))
    used = 0.0
    for row in range(top, first):
        if used + height(row) > page:
            used = titles
        used += height(row)
    block = sum(height(r) for r in range(first, last + 1))
    if used + block > page and titles + block <= page:
        ws.row_breaks.append(Break(id=first - 1))


PT_PER_MM = 72 / 25.4


def _row_heights(ws: Worksheet, first: int, last: int) -> Callable[[int], float]:
    """Row -> its height in points: its own, else as its largest font needs (15 at least)."""
    sizes: dict[int, float] = {}
    for (row, _), cell in ws._cells.items():
        if first <= row <= last and cell.value is not None:
            sizes[row] = max(sizes.get(row, 0.0), cell.font.sz or 11)

    def height(row: int) -> float:
        own = ws.row_dimensions[row].height
        return float(own) if own else max(15.0, sizes.get(row, 0.0) * 1.35)
    return height


# ---------------------------------------------------------------- printed copies


def sheet_names(workbook: bytes) -> list[str]:
    """The sheets of an .xlsx workbook, in order."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        book = archive.read("xl/workbook.xml").decode("utf-8")
    return [html.unescape(m[1]) for m in _SHEET_ELEMENT.finditer(book)]


def printed_copy(workbook: bytes, shown: Collection[str]) -> bytes:
    """The workbook with only the sheets ``shown`` visible and printable: the others are
    hidden and lose their print ranges (LibreOffice prints a hidden sheet that has one), so
    the PDF of this copy is those sheets alone. The rest of the file is copied byte for
    byte: each shown sheet keeps its print set-up and images."""
    names = sheet_names(workbook)
    if not any(name in shown for name in names):
        raise ValueError(f"none of the sheets {sorted(shown)} is in the workbook")
    hidden = {str(i) for i, name in enumerate(names) if name not in shown}
    first = next(i for i, name in enumerate(names) if name in shown)

    def state(match: re.Match[str]) -> str:
        visible = html.unescape(match[1]) in shown
        element = re.sub(r'\sstate="[^"]*"', "", match[0])
        return element.replace("<sheet ", f'<sheet state="{VISIBLE[visible]}" ', 1)

    def printing(match: re.Match[str]) -> str:
        found = re.search(r'\blocalSheetId="(\d+)"', match[1])
        return "" if found and found[1] in hidden else match[0]

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/workbook.xml":
                book = _SHEET_ELEMENT.sub(state, data.decode("utf-8"))
                book = _PRINT_NAME.sub(printing, book)
                # the sheet open at start must be a shown one
                book = re.sub(r'(activeTab|firstSheet)="\d+"', rf'\1="{first}"', book)
                data = book.encode("utf-8")
            target.writestr(info, data)
    return out.getvalue()


VISIBLE = {True: "visible", False: "hidden"}
# one <sheet …/> of xl/workbook.xml and its name; a sheet's print area or titles
_SHEET_ELEMENT = re.compile(r'<sheet\b[^>]*\bname="([^"]*)"[^>]*/>')
_PRINT_NAME = re.compile(r'<definedName\b([^>]*\bname="_xlnm\.Print_(?:Area|Titles)"[^>]*)>'
                         r'[^<]*</definedName>')


# ---------------------------------------------------------------- a signed sheet


def write_party_heading(ws: Worksheet, document: DocumentHeader, day: date,
                        titles: Sequence[str], *, left: tuple[int, int],
                        right: tuple[int, int]) -> None:
    """Rows 1–9 of a signed sheet (Guide 36-HD/VPTW): the superior and issuing bodies, "*"
    and the number on the ``left``; the Party's name and the place and date on the
    ``right``; then the ``titles`` (kind, subject, month) across both, and a rule."""
    put_merged(ws, 1, left, document.superior_body, Style(font(13), MIDDLE))
    put_merged(ws, 1, right, PARTY_TITLE, Style(font(14, bold=True, underline=True), MIDDLE))
    put_merged(ws, 2, left, document.issuing_body, Style(font(13, bold=True), MIDDLE))
    put_merged(ws, 3, left, "*", Style(font(13), MIDDLE))
    put_merged(ws, 3, right, document.place_date_line(day), Style(font(13, italic=True),
                                                                  MIDDLE))
    put_merged(ws, 4, left, document.number_line(), Style(font(13), MIDDLE))
    whole = (left[0], right[1])
    for row, (text, size) in enumerate(zip(titles, (15, 14, 14), strict=False), start=6):
        put_merged(ws, row, whole, text, Style(font(size, bold=True), MIDDLE))
    put_merged(ws, 9, whole, "-----", Style(font(13), MIDDLE))


# The summary's indicator columns (TH01–TH15), narrow enough for two A4 landscape pages
# across; their 10 pt labels wrap at about this many characters a line in LibreOffice.
INDICATOR_WIDTH = 7.6
LABEL_LINE = 9


def label_row_height(labels: Sequence[str]) -> float:
    """The height of the summary's row of indicator labels: as many lines as the longest
    needs."""
    return max(wrapped_lines(label, LABEL_LINE) for label in labels) * 12 + 6


def write_table_captions(ws: Worksheet, row: int, document: DocumentHeader,
                         pages: Sequence[tuple[int, int]], first: tuple[int, int]) -> None:
    """"Biểu số 01" above the table at the right of its first page (``first``), and
    "Biểu số 01 (tiếp theo)" above its part on each further page across."""
    caption = Style(font(13, bold=True), Alignment(horizontal="right", vertical="center"))
    put_merged(ws, row, first, document.table_caption(), caption)
    for page in pages[1:]:
        put_merged(ws, row, page, f"{document.table_caption()} (tiếp theo)", caption)


def write_left_lines(ws: Worksheet, row: int, lines: Sequence[tuple[str, Font]],
                     columns: tuple[int, int]) -> int:
    """Lines of text in ``columns``, each row as high as its wrapped words need; returns
    the next row."""
    for text, line_font in lines:
        put_merged(ws, row, columns, text, Style(line_font, LEFT_WRAP))
        size = line_font.sz or 13
        count = text_lines(ws, text, columns, size)
        if count > 1:
            ws.row_dimensions[row].height = count * (size * 1.3) + 2
        row += 1
    return row


def write_signature_block(ws: Worksheet, row: int, document: DocumentHeader, *,
                          left: tuple[int, int], right: tuple[int, int]) -> int:
    """"Nơi nhận:" and the recipients on the ``left``, the signer on the ``right`` (the
    name, or the placeholder to type it in); returns the row after the block."""
    put_merged(ws, row, left, "Nơi nhận:", Style(font(13, underline=True)))
    for offset, recipient in enumerate(document.recipients, start=1):
        put_merged(ws, row + offset, left, recipient, Style(font(11)))
    signer = Style(font(13, bold=True), MIDDLE)
    for offset, line in enumerate(document.signer_title):
        put_merged(ws, row + offset, right, line, signer)
    name_row = row + len(document.signer_title) + 4  # room for signature and seal
    put_merged(ws, name_row, right, document.signer_name_line(), signer)
    return max(name_row, row + len(document.recipients)) + 1


def month_title(period: str) -> str:
    """``2024-03`` -> ``Tháng 3 năm 2024``."""
    year, month = period.split("-")
    return f"Tháng {int(month)} năm {int(year)}"


def grand_total_label(month: MonthData) -> str:
    level = month.levels.get(month.unit.code, month.unit.level)
    return f"Cộng toàn {LEVEL_WORDS.get(level, 'đơn vị')}"


def write_sheet_title(ws: Worksheet, month: MonthData, title: str, last_column: int,
                      *, row: int = 1) -> int:
    """The sheet's title in capitals, then the unit and the month; returns the next row."""
    whole = (1, last_column)
    put_merged(ws, row, whole, title, Style(font(14, bold=True), CENTER))
    ws.row_dimensions[row].height = 21
    put_merged(ws, row + 1, whole, f"{month.unit.name} – {month_title(month.period)}",
               Style(font(13, italic=True), MIDDLE))
    return row + 2


def write_header_row(ws: Worksheet, row: int, labels: Sequence[str], *,
                     height: float | None = None, first_column: int = 1) -> None:
    """One bold, centred, gridded row of column labels."""
    style = Style(font(11, bold=True), CENTER, GRID)
    for column, label in enumerate(labels, start=first_column):
        put(ws, row, column, label, style)
    if height is not None:
        ws.row_dimensions[row].height = height


def grid(ws: Worksheet, row: int, columns: Sequence[int]) -> None:
    """Borders on empty cells of a table row."""
    for column in columns:
        set_border(cell_at(ws, row, column), GRID)


def merge_down(ws: Worksheet, first_row: int, last_row: int, columns: Sequence[int]) -> None:
    """Merge each of ``columns`` over ``first_row``..``last_row`` (borders on every cell)."""
    for column in columns:  # the covered cells take the top-left cell's borders (merge)
        if last_row > first_row:
            merge(ws, first_row, column, last_row, column)


@cache
def number_style(*, bold: bool = False, number_format: str | None = None) -> Style:
    return Style(font(11, bold=bold), RIGHT, GRID, number_format)


@cache
def text_style(*, bold: bool = False, italic: bool = False, color: str | None = None,
               wrap: bool = True) -> Style:
    alignment = CELL_LEFT if wrap else CELL_LEFT_ONE_LINE
    return Style(font(11, bold=bold, italic=italic, color=color), alignment, GRID)


@cache
def centre_style(*, bold: bool = False) -> Style:
    return Style(font(11, bold=bold), CENTER, GRID)


def text_lines(ws: Worksheet, text: str, columns: tuple[int, int], size: float = 12) -> int:
    """How many lines ``text`` takes when wrapped across ``columns`` (an estimate: merged
    cells never grow by themselves, neither in Excel nor in LibreOffice)."""
    first, last = columns
    width = sum(ws.column_dimensions[get_column_letter(c)].width or 8.43
                for c in range(first, last + 1))
    # Times New Roman takes about 1.3 characters per unit of column width at 11 points as
    # Excel measures it; LibreOffice's PDF wraps bold text sooner: 1.15 keeps both whole.
    return wrapped_lines(text, max(1, int((width - 2) * 1.15 * 11 / size)))


def wrapped_lines(text: str, per_line: int) -> int:
    """Lines of ``text`` wrapped between words into lines of ``per_line`` characters, as a
    cell wraps it (a word longer than a line is cut)."""
    lines, used = 1, 0
    for word in text.split():
        need = len(word) if used == 0 else used + 1 + len(word)
        if used and need > per_line:
            lines, need = lines + 1, len(word)
        while need > per_line:
            lines, need = lines + 1, need - per_line
        used = need
    return lines


def fit_row(ws: Worksheet, row: int, texts: dict[int, object], *, size: float = 11,
            rows: int = 1) -> None:
    """Make ``row`` high enough for the wrapped ``texts`` (column -> value) of a table row
    (``rows``: how many rows a merged cell of it spans)."""
    lines = max((text_lines(ws, str(v), (c, c), size) for c, v in texts.items()
                 if v is not None), default=1)
    if lines > rows:
        # never lower a height an earlier call set for another column of the same row
        needed = (size + 4) * lines / rows + 2
        ws.row_dimensions[row].height = max(ws.row_dimensions[row].height or 0, needed)


def note(ws: Worksheet, row: int, last_column: int, text: str, *, bold: bool = False,
         italic: bool = False, color: str | None = None) -> int:
    """A full-width line of text below a table (higher if it wraps); returns the next row."""
    put_merged(ws, row, (1, last_column), text,
               Style(font(12, bold=bold, italic=italic, color=color), LEFT_WRAP))
    lines = text_lines(ws, text, (1, last_column))
    if lines > 1:
        ws.row_dimensions[row].height = 16 * lines + 2
    return row + 1
