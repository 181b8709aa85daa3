"""reports.cells' fast paths give the workbook openpyxl's own calls would give."""

from __future__ import annotations

import io
import re
from copy import copy

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from reports.cells import Style, apply_style, cell_at, merge, put
from reports.sheetstyle import GRID, font, text_style

THIN = Side(style="thin")


def _saved(wb: Workbook) -> Workbook:
    raw = io.BytesIO()
    wb.save(raw)
    return load_workbook(io.BytesIO(raw.getvalue()))


def _look(cell) -> tuple:  # type: ignore[no-untyped-def]
    # copies: openpyxl hands out proxies, which do not compare with each other
    return (copy(cell.font), copy(cell.alignment), copy(cell.border), cell.number_format,
            copy(cell.fill))


def test_a_style_applied_from_the_cache_equals_one_applied_attribute_by_attribute():
    style = Style(Font(name="Times New Roman", size=11, bold=True),
                  Alignment(horizontal="right"), GRID, "0.0%")
    fast, slow = Workbook(), Workbook()
    for row in range(1, 6):  # the first application fills the cache, the rest use it
        put(fast.active, row, 1, row, style)
        cell = slow.active.cell(row=row, column=1, value=row)
        cell.font, cell.alignment = style.font, style.alignment
        cell.border, cell.number_format = style.border, style.number_format
    for row in range(1, 6):
        assert _look(_saved(fast).active.cell(row, 1)) == _look(_saved(slow).active.cell(row, 1))
    assert _saved(fast).active.cell(5, 1).font.b is True


def test_a_cached_style_keeps_what_the_cell_already_had():
    wb = Workbook()
    ws = wb.active
    style = text_style()
    put(ws, 1, 1, "plain", style)  # cached for a cell without a fill
    ws.cell(2, 1).fill = PatternFill("solid", fgColor="FFC7CE")
    apply_style(ws.cell(2, 1), style)
    assert ws.cell(2, 1).fill.fgColor.rgb == "00FFC7CE"
    assert ws.cell(1, 1).fill.fill_type is None
    assert copy(ws.cell(2, 1).font) == copy(ws.cell(1, 1).font)


def test_the_style_factories_return_the_same_object_for_the_same_arguments():
    assert font(11, bold=True) is font(11, bold=True)
    assert text_style(bold=True) is text_style(bold=True)
    assert text_style(bold=True) is not text_style()


def test_merge_gives_the_ranges_cells_and_edge_borders_of_merge_cells():
    fast, slow = Workbook(), Workbook()
    for wb, merger in ((fast, lambda ws, *r: merge(ws, *r)),
                       (slow, lambda ws, a, b, c, d: ws.merge_cells(
                           start_row=a, start_column=b, end_row=c, end_column=d))):
        ws = wb.active
        for first in range(1, 40, 3):  # many ranges: openpyxl's own check is quadratic
            put(ws, first, 2, f"cell {first}", Style(Font(name="Times New Roman"),
                                                        border=Border(THIN, THIN, THIN, THIN)))
            merger(ws, first, 2, first + 2, 4)
    fast_ws, slow_ws = _saved(fast).active, _saved(slow).active
    assert sorted(map(str, fast_ws.merged_cells.ranges)) == sorted(
        map(str, slow_ws.merged_cells.ranges))
    assert len(fast_ws.merged_cells.ranges) == 13
    for row in range(1, 40):
        for column in range(2, 5):
            ours, theirs = fast_ws.cell(row, column), slow_ws.cell(row, column)
            assert isinstance(ours, MergedCell) == isinstance(theirs, MergedCell)
            # every edge openpyxl draws is drawn here too (inner sides are not drawn in a
            # merged range, whatever the covered cells hold)
            for side in ("left", "right", "top", "bottom"):
                if getattr(theirs.border, side).style:
                    assert getattr(ours.border, side).style == "thin", (row, column, side)
    assert fast_ws.cell(4, 2).value == "cell 4"


def test_merge_gives_the_top_left_cell_the_bottom_right_ones_outer_borders_as_openpyxl():
    """openpyxl's MergedCellRange gives the top-left cell the right and bottom borders of
    the bottom-right cell when that cell exists before the merge; merge does the same,
    through the style cache (several ranges alike: the later ones use it)."""
    thick, dashed = Side(style="thick"), Side(style="dashed")
    looks = []
    for merger in (merge, lambda ws, a, b, c, d: ws.merge_cells(
            start_row=a, start_column=b, end_row=c, end_column=d)):
        wb = Workbook()
        ws = wb.active
        for first in range(1, 20, 4):
            put(ws, first, 1, "tiêu đề", Style(Font(name="Times New Roman"),
                                               border=Border(left=THIN, top=THIN)))
            ws.cell(first + 2, 3).border = Border(right=thick, bottom=dashed)
            merger(ws, first, 1, first + 2, 3)
        looks.append([_look(_saved(wb).active.cell(first, 1)) for first in range(1, 20, 4)])
    assert looks[0] == looks[1]
    assert looks[0][0][2].right.style == "thick" and looks[0][0][2].bottom.style == "dashed"


def test_unmerge_leaves_the_sheet_and_its_bytes_as_unmerge_cells_does():
    """``unmerge`` skips openpyxl's search of every range; the sheet saves to the same
    bytes as with ``unmerge_cells``, the ranges written in the same order."""
    from core.xlsxio import deterministic_xlsx
    from reports.cells import unmerge

    def built(unmerger) -> bytes:  # type: ignore[no-untyped-def]
        wb = Workbook()
        ws = wb.active
        for first in range(1, 60, 3):
            put(ws, first, 2, f"cell {first}", Style(font(11), border=GRID))
            merge(ws, first, 2, first + 2, 4)
        for merged in sorted(ws.merged_cells.ranges, key=lambda r: r.min_row)[::4]:
            unmerger(ws, merged)
            merge(ws, merged.min_row, 2, merged.min_row, 3)
        return deterministic_xlsx(wb)

    ours = built(unmerge)
    assert ours == built(lambda ws, merged: ws.unmerge_cells(merged.coord))
    assert ours != built(lambda ws, merged: None)


def _as_openpyxl_has_it(cell) -> tuple:  # type: ignore[no-untyped-def]
    return (type(cell), cell.parent, cell.row, cell.column, cell._value, cell.data_type,
            cell._style, cell._hyperlink, cell._comment, cell.has_style, cell.coordinate)


def test_cell_at_makes_the_cell_ws_cell_makes_and_finds_an_existing_one():
    ours, theirs = Workbook().active, Workbook().active
    for row, column in ((3, 2), (1, 7), (2, 1)):
        made = cell_at(ours, row, column)
        assert _as_openpyxl_has_it(made)[2:] == _as_openpyxl_has_it(
            theirs.cell(row=row, column=column))[2:]
        assert made.parent is ours and cell_at(ours, row, column) is made
    assert (ours.max_row, ours.max_column) == (theirs.max_row, theirs.max_column) == (3, 7)
    assert sorted(ours._cells) == sorted(theirs._cells)
    existing = ours.cell(row=9, column=9)
    assert cell_at(ours, 9, 9) is existing


@pytest.mark.parametrize(("row", "column"), [(0, 1), (1048577, 1), (1, 0), (2, -1)])
def test_cell_at_refuses_a_place_outside_the_sheet_as_openpyxl_does(row, column):
    ws = Workbook().active
    with pytest.raises(ValueError) as refused:
        ws.cell(row=row, column=column)
    with pytest.raises(ValueError, match=re.escape(str(refused.value))):
        cell_at(ws, row, column)
    assert not ws._cells  # nothing made
