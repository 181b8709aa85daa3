"""A sheet written ahead (core.xlsxio.write_sheet_now) goes into its workbook as openpyxl
writes it at the save, and lets its cells go at once: the district report holds one
sheet's cells at a time, with the same bytes."""

from __future__ import annotations

import io

import openpyxl
import openpyxl.worksheet._writer
import pytest
from district_month import make_month
from openpyxl import Workbook
from openpyxl.drawing.image import Image
from PIL import Image as PILImage

import core.xlsxio
import reports.district
from core.xlsxio import SheetWrittenError, deterministic_xlsx, write_sheet_now
from reports.cells import Style, merge, put
from reports.district import SHEET_CHARTS, build_district_workbook
from reports.sheetstyle import GRID, font


def _two_sheets(ahead: bool) -> bytes:
    wb = Workbook()
    first = wb.active
    first.title = "Một"
    put(first, 1, 1, "Chi bộ Trường THPT Lộc An", Style(font(13, bold=True)))
    put(first, 2, 2, 42, Style(font(11), border=GRID))
    merge(first, 1, 1, 1, 3)
    first.print_area = "A1:C2"
    if ahead:
        write_sheet_now(first)
    second = wb.create_sheet("Hai")
    put(second, 1, 1, 7, Style(font(12, italic=True)))  # a style the first did not use
    put(second, 3, 1, "Cộng", Style(font(13, bold=True)))
    return deterministic_xlsx(wb)


def test_a_sheet_written_ahead_gives_the_bytes_of_a_sheet_written_at_the_save() -> None:
    assert _two_sheets(ahead=True) == _two_sheets(ahead=False)
    book = openpyxl.load_workbook(io.BytesIO(_two_sheets(ahead=True)))
    assert book["Một"]["A1"].value == "Chi bộ Trường THPT Lộc An"
    assert book["Một"]["B2"].value == 42 and book["Một"]["B2"].border.left.style == "thin"
    assert [str(r) for r in book["Một"].merged_cells.ranges] == ["A1:C1"]
    assert book["Hai"]["A1"].font.i and book["Hai"]["A3"].value == "Cộng"


def test_a_small_sheet_is_written_in_memory_with_the_bytes_of_openpyxl_s_own_file(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """openpyxl writes every sheet to a temporary file it reads back and deletes (a
    feedback workbook's ~0.5 ms of ~5): a small one goes through memory, as the same part."""
    monkeypatch.setattr(core.xlsxio, "_SHEET_IN_MEMORY_CELLS", -1)  # every sheet: a file
    through_a_file = _two_sheets(ahead=False)
    monkeypatch.undo()

    def no_file(*_args: object) -> str:
        raise AssertionError("a small sheet went through a temporary file")

    monkeypatch.setattr(openpyxl.worksheet._writer, "create_temporary_file", no_file)
    assert _two_sheets(ahead=False) == through_a_file


def test_a_sheet_written_ahead_holds_no_cell_and_no_merged_range() -> None:
    ws = Workbook().active
    for row in range(1, 101):
        put(ws, row, 1, f"dòng {row}")
    merge(ws, 1, 1, 1, 4)
    write_sheet_now(ws)
    assert not ws._cells and not ws.merged_cells.ranges


def test_a_sheet_with_an_image_is_left_to_the_save(tmp_path) -> None:  # type: ignore[no-untyped-def]
    PILImage.new("RGB", (4, 4)).save(tmp_path / "dot.png")
    ws = Workbook().active
    ws.add_image(Image(str(tmp_path / "dot.png")), "A1")
    with pytest.raises(SheetWrittenError):
        write_sheet_now(ws)


def test_the_district_report_holds_one_sheets_cells_at_a_time_with_the_same_bytes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    month = make_month()
    held: list[int] = []  # cells in the workbook each time a sheet is finished
    write = core.xlsxio.write_sheet_now

    def counted(ws):  # type: ignore[no-untyped-def]
        held.append(sum(len(sheet._cells) for sheet in ws.parent.worksheets))
        assert held[-1] == len(ws._cells)  # only the sheet just finished holds cells
        write(ws)

    monkeypatch.setattr(reports.district, "write_sheet_now", counted)
    ahead = build_district_workbook(month)
    assert len(held) == len(reports.district.SHEETS) - 1  # all but the charts' images
    monkeypatch.setattr(reports.district, "write_sheet_now", lambda ws: None)
    assert build_district_workbook(month) == ahead  # every sheet written at the save
    book = openpyxl.load_workbook(io.BytesIO(ahead))
    assert book.sheetnames == list(reports.district.SHEETS)
    assert book[SHEET_CHARTS]._images  # the charts still in their sheet


def _compressed_whole(wb: Workbook) -> bytes:
    """``deterministic_xlsx`` as it was: every part held and compressed at once."""
    import zipfile

    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED, allowZip64=True) as parts:
        core.xlsxio._Writer(wb, parts).write_data()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w") as target:
        for name in core.xlsxio._member_order(source.namelist()):
            data = (core.xlsxio._fixed_core_xml(wb) if name == core.xlsxio._CORE_PART
                    else source.read(name))
            target.writestr(core.xlsxio._member_info(name), data)
    return out.getvalue()


def test_a_large_part_compressed_in_pieces_gives_the_bytes_of_one_compressed_whole(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # parts over a piece (and a workbook over the in-memory size) go through a file
    monkeypatch.setattr(core.xlsxio, "_COPY_PIECE", 4096)
    monkeypatch.setattr(core.xlsxio, "_RAW_IN_MEMORY", 8192)
    wb = Workbook()
    for row in range(1, 400):
        put(wb.active, row, 1, f"Chi bộ số {row}", Style(font(13)))
        put(wb.active, row, 2, row * 7, Style(font(11), border=GRID))
    pieces = deterministic_xlsx(wb)
    assert pieces == _compressed_whole(wb)
    assert openpyxl.load_workbook(io.BytesIO(pieces)).active["A399"].value == "Chi bộ số 399"
