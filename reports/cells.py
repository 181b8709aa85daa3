"""Writing cells safely: text stays text (never a live formula), styles in one place."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.fills import Fill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from core.xlsxio import write_value

T = TypeVar("T")
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=False)


@dataclass(frozen=True)
class Style:
    font: Font
    alignment: Alignment = LEFT
    border: Border | None = None
    number_format: str | None = None


def put(ws: Worksheet, row: int, column: int, value: object, style: Style | None = None) -> Cell:
    """Write one cell. Text is always stored as text, never run as a formula."""
    cell = write_value(cell_at(ws, row, column), value)
    if style is not None:
        apply_style(cell, style)
    return cell


def cell_at(ws: Worksheet, row: int, column: int) -> Cell:
    """``ws.cell(row, column)``: the cell there, made if there is none. A new cell is made
    as ``Cell(ws, row=row, column=column)`` makes it, without its checks and descriptors
    (a 1,000-cell district report makes 150,000 cells: a sixth of its build)."""
    cell = ws._cells.get((row, column))
    if cell is None:
        if not (0 < row < _ROWS and column > 0):  # refused by openpyxl, as it words it
            return ws.cell(row=row, column=column)
        cell = _CELL_NEW(Cell)
        cell.parent, cell._style, cell.row, cell.column = ws, None, row, column
        cell._value = cell._hyperlink = cell._comment = None
        cell.data_type = "n"
        ws._cells[row, column] = cell
        if row > ws._current_row:
            ws._current_row = row
    return cell


_CELL_NEW = Cell.__new__
_ROWS = 1048577


# Per workbook (an attribute of it): (style, the cell's style ids before) -> its style ids
# after. openpyxl hashes and compares every Font, Border and Alignment it is given against
# the workbook's lists, which took about a third of building a 1,000-cell district report
# (measured: docs/benchmarks.md); the same style on the same kind of cell needs that once.
_APPLIED = "_cellreports_applied_styles"


def apply_style(cell: Cell, style: Style) -> None:
    """Give ``cell`` the style's font, alignment, border and number format."""
    _restyle(cell, style, _give_style)


def set_border(cell: Cell, border: Border) -> None:
    """``cell.border = border`` through the same cache (a table's empty gridded cells: 35,000
    of them in a 1,000-cell district report, ~35 µs each through openpyxl)."""
    _restyle(cell, border, _give_border)


def set_fill(cell: Cell, fill: Fill) -> None:
    """``cell.fill = fill`` through the same cache (the grey of a month without a report:
    16,000 cells of a 1,000-cell district report)."""
    _restyle(cell, fill, _give_fill)


def _give_fill(cell: Cell, fill: Fill) -> None:
    cell.fill = fill


def _give_style(cell: Cell, style: Style) -> None:
    cell.font = style.font
    cell.alignment = style.alignment
    if style.border is not None:
        cell.border = style.border
    if style.number_format is not None:
        cell.number_format = style.number_format


def _give_border(cell: Cell, border: Border) -> None:
    cell.border = border


def _restyle(cell: Cell, token: T, give: Callable[[Cell, T], None],
             name: Hashable | None = None) -> None:
    """``give(cell, token)``, or the style ids it gave the same kind of cell before. The
    token is known by its identity, or by ``name`` when equal tokens are new objects."""
    workbook = cell.parent.parent
    cache = workbook.__dict__.get(_APPLIED)
    if cache is None:
        cache = workbook.__dict__[_APPLIED] = {}
    # by identity: the token is kept alive in the value, so its id is not reused
    key = (id(token) if name is None else name, _style_ids(cell))
    known = cache.get(key)
    if known is not None:
        cell._style = StyleArray(known[1])  # a copy (copy.copy's dispatch costs as much)
        return
    give(cell, token)
    cache[key] = (token, StyleArray(cell._style))


def merge(ws: Worksheet, start_row: int, start_column: int, end_row: int,
          end_column: int) -> None:
    """``ws.merge_cells`` without its search of every earlier range for an overlap: that
    search made merging quadratic (69 s of a 1,000-cell district report). Our layouts
    never overlap a merge; tests/unit/test_cells.py checks the result is the same."""
    merged = _merged_range(ws, start_row, start_column, end_row, end_column)
    ws.merged_cells.ranges.add(merged)
    # The covered cells become MergedCells with the top-left cell's style, so the range's
    # edges carry its borders (openpyxl's MergedCellRange.format adds them side by side,
    # hashing a new Border per cell: another 22 s of that report).
    start = merged.start_cell
    for row, column in list(merged.cells)[1:]:
        covered = MergedCell(ws, row, column)
        if start._style is not None:
            covered._style = StyleArray(start._style)
        ws._cells[row, column] = covered


def unmerge(ws: Worksheet, merged: CellRange) -> None:
    """``ws.unmerge_cells`` of one of the sheet's own merged ranges, without its search of
    every range for it first (quadratic again: 11 s of a 10,000-cell district report).
    The same steps otherwise: the range leaves the set, its covered cells the sheet."""
    ws.merged_cells.ranges.remove(merged)
    for row, column in list(merged.cells)[1:]:
        del ws._cells[row, column]


def _merged_range(ws: Worksheet, start_row: int, start_column: int, end_row: int,
                  end_column: int) -> MergedCellRange:
    """``MergedCellRange(ws, coord)`` from its bounds, without writing and parsing the
    coordinate, and its one effect on the sheet (``_get_borders``: the top-left cell takes
    the right and bottom borders of the bottom-right one, if that exists) given through the
    style cache: a sixth of building a 1,000-cell district report otherwise."""
    merged = MergedCellRange.__new__(MergedCellRange)
    merged.ws = ws
    CellRange.__init__(merged, min_col=start_column, min_row=start_row, max_col=end_column,
                       max_row=end_row)
    merged.start_cell = start = cell_at(ws, start_row, start_column)
    end = ws._cells.get((end_row, end_column))
    if end is not None:  # what it gives depends only on the end cell's style
        _restyle(start, end, _give_edges, name=("edges", _style_ids(end)))
    return merged


def _give_edges(cell: Cell, end: Cell | MergedCell) -> None:
    cell.border += Border(right=end.border.right, bottom=end.border.bottom)


def _style_ids(cell: Cell | MergedCell) -> tuple[int, ...]:
    return tuple(cell._style) if cell._style is not None else ()


def put_merged(ws: Worksheet, row: int, columns: tuple[int, int], value: object,
               style: Style) -> Cell:
    """Write a value across ``columns`` (first, last) of one row."""
    first, last = columns
    cell = put(ws, row, first, value, style)
    if style.border is not None:
        for column in range(first + 1, last + 1):
            set_border(cell_at(ws, row, column), style.border)
    if last > first:
        merge(ws, row, first, row, last)
    return cell


def set_widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
