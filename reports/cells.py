"""Writing cells safely: text stays text (never a live formula), styles in one place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from forms.xlsxio import write_value

LEFT = Alignment(horizontal="left", vertical="center", wrap_text=False)


@dataclass(frozen=True)
class Style:
    font: Font
    alignment: Alignment = LEFT
    border: Border | None = None
    number_format: str | None = None


def put(ws: Worksheet, row: int, column: int, value: object, style: Style | None = None) -> Cell:
    """Write one cell. Text is always stored as text, never run as a formula."""
    cell = write_value(ws.cell(row=row, column=column), value)
    if style is not None:
        cell.font = style.font
        cell.alignment = style.alignment
        if style.border is not None:
            cell.border = style.border
        if style.number_format is not None:
            cell.number_format = style.number_format
    return cell


def put_merged(ws: Worksheet, row: int, columns: tuple[int, int], value: object,
               style: Style) -> Cell:
    """Write a value across ``columns`` (first, last) of one row."""
    first, last = columns
    cell = put(ws, row, first, value, style)
    if style.border is not None:
        for column in range(first + 1, last + 1):
            ws.cell(row=row, column=column).border = style.border
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    return cell


def set_widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
