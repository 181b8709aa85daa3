"""Shared look of the district workbook's sheets: Times New Roman, grids, A4 print set-up.

Every sheet builder of the district report takes its fonts, borders and page set-up from
here, so that all sheets print alike (Guide 36-HD/VPTW: Times New Roman, A4).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from core.month import MonthData
from reports.cells import Style, merge, put, put_merged

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
    """A4, fit to the page width, header rows repeated, margins of Guide 36-HD/VPTW."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages as needed
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins = PageMargins(left=30 * MM, right=15 * MM, top=20 * MM, bottom=20 * MM,
                                  header=8 * MM, footer=8 * MM)
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = title_rows
    ws.print_area = f"A1:{get_column_letter(last_column)}{last_row}"
    ws.oddFooter.center.text = "&P/&N"
    ws.oddFooter.center.font = FONT
    ws.sheet_view.showGridLines = False


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
        ws.cell(row=row, column=column).border = GRID


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
    per_line = max(1, int((width - 2) * 1.15 * 11 / size))
    return max(1, -(-len(text) // per_line))


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
