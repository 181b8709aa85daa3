"""Saving openpyxl workbooks as reproducible bytes.

The warehouse de-duplicates submissions by the hash of their content, and a demo re-run
must change nothing, so a workbook built from the same data has to give the same bytes
every time. openpyxl does not: ``save_workbook`` stamps ``docProps/core.xml`` with the
current time (it overwrites ``properties.modified`` whatever we set), and ``ZipFile.writestr``
stamps every zip member with the local clock. We let openpyxl write its parts into a zip
kept uncompressed (they are compressed once, below: openpyxl's own save deflates them, and
they were inflated and deflated again), then rebuild the zip with a fixed core-properties
part, fixed member timestamps and a fixed member order.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.functions import tostring

from core.sheet_rows import write_rows_as_text

write_rows_as_text()  # the same bytes, the rows written as text (core/sheet_rows.py)

# Any constant will do; the first day of the project's demo year reads naturally in
# Excel's File > Info panel. Zip timestamps cannot go below 1980-01-01.
FIXED_DOC_TIME = datetime(2024, 1, 1, 0, 0, 0)
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CREATOR = "cellreports"

_CORE_PART = "docProps/core.xml"
EXCEL_TEXT_LIMIT = 32767  # characters a cell holds; openpyxl cuts longer text there
_CONTENT_TYPES = "[Content_Types].xml"
# Regular file, rw-r--r--, as most zip tools write it; the value openpyxl's clock-based
# ZipInfo would get is platform dependent.
_FILE_ATTR = 0o100644 << 16


def _fixed_core_xml(wb: Workbook) -> bytes:
    props = wb.properties
    props.creator = CREATOR
    props.lastModifiedBy = CREATOR
    props.created = FIXED_DOC_TIME
    props.modified = FIXED_DOC_TIME
    return tostring(props.to_tree())


def _member_order(names: list[str]) -> list[str]:
    # [Content_Types].xml first, as Excel writes it (some strict readers expect it there);
    # the rest in openpyxl's own order, which depends only on the workbook's content.
    first = [n for n in names if n == _CONTENT_TYPES]
    return first + [n for n in names if n != _CONTENT_TYPES]


class SheetWrittenError(ValueError):
    """A sheet cannot be written before its workbook: it holds images or charts."""


def write_sheet_now(ws: Worksheet) -> None:
    """Write a finished sheet's part now (to a temporary file, as openpyxl writes every
    sheet) and let its cells go: a workbook built sheet by sheet then holds one sheet's
    cells at a time, not all of them (a district report of 10,000 cells: 1.6 million cell
    objects, ~1 GiB). The sheet must not change afterwards; it goes into the workbook as
    written when the workbook is saved (:func:`deterministic_xlsx`). The style ids in its
    rows are the workbook's as at a save: given in the order the sheets are written."""
    if ws._images or ws._charts:  # their parts are numbered when the workbook is saved
        raise SheetWrittenError(f"sheet {ws.title!r} holds images or charts")
    writer = WorksheetWriter(ws)
    writer.write()
    ws._cells.clear()
    ws.merged_cells = MultiCellRange()
    setattr(ws, _WRITTEN, writer)


_WRITTEN = "_cellreports_written"  # a sheet's attribute: its part, written ahead


# A sheet of up to this many cells is written in memory (its XML: ~1 MB at most); a larger
# one goes through openpyxl's temporary file.
_SHEET_IN_MEMORY_CELLS = 20_000


class _Writer(ExcelWriter):
    """openpyxl's writer, taking a sheet written ahead as it was written, and writing a
    small sheet in memory."""

    def write_worksheet(self, ws: Worksheet) -> None:
        ahead = getattr(ws, _WRITTEN, None)
        if ahead is None and (self.workbook.write_only
                              or len(ws._cells) > _SHEET_IN_MEMORY_CELLS):
            super().write_worksheet(ws)
            return
        # as openpyxl's own write_worksheet: the drawing (empty for a sheet written ahead),
        # the part, the rows' relationships
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        if ahead is None:
            # the XML kept in memory: openpyxl creates, reads back and deletes a temporary
            # file for every sheet (a findings-free feedback workbook 5.1–6.1 → 4.8–4.9
            # ms, measured: docs/benchmarks.md). The same part.
            writer = WorksheetWriter(ws, out=io.BytesIO())
            writer.write()
            self._archive.writestr(ws.path[1:], writer.read())
        else:
            writer = ahead
            self._archive.write(writer.out, ws.path[1:])
            writer.cleanup()
        ws._rels = writer._rels
        self.manifest.append(ws)


# The parts are written uncompressed first: a large workbook's (a district of 10,000 cells:
# its sheets' XML) go to a temporary file, not memory, and each is compressed from there
# in pieces — the same bytes as ``writestr`` of the whole part (zipfile writes the part's
# header again with its sizes once it is written, to a seekable output).
_RAW_IN_MEMORY = 8 * 1024 * 1024
_COPY_PIECE = 1024 * 1024


def deterministic_xlsx(wb: Workbook) -> bytes:
    """Serialise ``wb`` to .xlsx bytes that depend only on the workbook's content."""
    with tempfile.SpooledTemporaryFile(_RAW_IN_MEMORY) as raw:
        # what Workbook.save does (openpyxl.writer.excel.save_workbook), uncompressed
        with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED, allowZip64=True) as parts:
            _Writer(wb, parts).write_data()
        core_xml = _fixed_core_xml(wb)
        out = io.BytesIO()
        with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w") as target:
            for name in _member_order(source.namelist()):
                info = _member_info(name)
                if name == _CORE_PART:
                    target.writestr(info, core_xml)
                elif source.getinfo(name).file_size <= _COPY_PIECE:  # most parts: at once
                    target.writestr(info, source.read(name))
                else:
                    with source.open(name) as part, target.open(info, "w") as packed:
                        shutil.copyfileobj(part, packed, _COPY_PIECE)
    return out.getvalue()


def _member_info(name: str) -> zipfile.ZipInfo:
    """A part's zip entry as every workbook we write has it: fixed time, deflated."""
    info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = _FILE_ATTR
    info.create_system = 3  # Unix; ZipInfo picks it by platform otherwise
    return info


def write_value(cell: Cell, value: object) -> Cell:
    """Set a cell's value; text always stays text. openpyxl would store "=…" as a live
    formula (formula injection from a submitted workbook) and "#N/A" as an error."""
    kind = type(value)
    # text and numbers (most cells of a report) set as openpyxl's value setter sets them,
    # without its type inference: a third of each of a district report's million cells
    if kind is str:
        cell._value = ILLEGAL_CHARACTERS_RE.sub("", value)[:EXCEL_TEXT_LIMIT]
        cell.data_type = "s"
        return cell
    if kind is int or kind is float:
        cell._value, cell.data_type = value, "n"
        return cell
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell
