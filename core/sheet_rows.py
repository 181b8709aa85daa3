"""openpyxl's rows written as text: the same bytes, in less time.

openpyxl (without lxml, core/xlsx_backend.py) writes each cell by building an ElementTree
element (``c``, then ``is``/``t`` or ``v``) and serialising it through et_xmlfile's
namespace-aware writer: three quarters of saving a 1,000-cell district report (165,000
cells, cProfile), and most of every workbook we write (feedback, forms). Written as text,
that report's save took 1.2–2.1 s instead of 2.2–3.5 s (docs/benchmarks.md).

:func:`write_row` writes the cells we write — text, whole and finite decimal numbers, empty
styled cells — as the strings that serialisation gives, into the same stream; any other
cell (formula, date, bool, rich text, hyperlink, error, a number of another type) goes
through openpyxl's own ``write_cell``. tests/unit/test_sheet_rows.py compares the bytes
with openpyxl's on every workbook the project writes and on generated cells.

Installed on openpyxl's WorksheetWriter (by core.xlsxio) only for the versions it was
written from (:data:`WRITTEN_FOR`) and without lxml; otherwise openpyxl keeps its own method.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import _escape_cdata  # type: ignore[attr-defined]

import et_xmlfile
import openpyxl
import openpyxl.xml
from openpyxl.cell._writer import write_cell
from openpyxl.comments.comment_sheet import CommentRecord
from openpyxl.compat import safe_string
from openpyxl.worksheet._writer import WorksheetWriter

WRITTEN_FOR = ("3.1.5", "2.0.0")  # openpyxl, et_xmlfile
OPENPYXL_WRITE_ROW = WorksheetWriter.write_row  # openpyxl's own
OPENPYXL_WRITE_MERGED_CELLS = WorksheetWriter.write_merged_cells


def write_row(self: WorksheetWriter, xf: Any, row: list[Any], row_idx: int) -> None:
    """openpyxl's ``WorksheetWriter.write_row`` with the common cells written as text."""
    attrs = {"r": f"{row_idx}"}
    attrs.update(self.ws.row_dimensions.get(row_idx, {}))
    style_ids = self.__dict__.setdefault("_style_ids", {})
    with xf.element("row", attrs):
        out = xf._file  # et_xmlfile's writer of raw text, inside the row element
        for cell in row:
            if cell._comment is not None:
                self.ws._comments.append(CommentRecord.from_cell(cell))
            styled = cell.has_style
            if cell._value is None and not styled and not cell._comment:
                continue
            text = _cell_text(cell, _style_id(cell, style_ids) if styled else None)
            if text is None:
                write_cell(xf, self.ws, cell, styled)
            else:
                out(text)


def _style_id(cell: Any, known: dict[bytes, int]) -> int:
    """``cell.style_id``, asked of openpyxl once per distinct style of a sheet: it hashes
    and compares the cell's style array twice in Python on every cell. Its list only
    grows, so a style's id never changes once given."""
    key = cell._style.tobytes()
    found = known.get(key)
    if found is None:
        found = known[key] = cell.style_id
    return found


def _cell_text(cell: Any, style_id: int | None) -> str | None:
    """The cell's XML as ElementTree writes it, or None for a cell left to openpyxl."""
    value = cell._value
    kind = cell.data_type
    if cell.hyperlink is not None or kind not in ("s", "n"):
        return None
    head = f'<c r="{cell.coordinate}"'
    if style_id is not None:
        head += f' s="{style_id}"'
    if value is None or value == "":
        return f'{head} t="{"inlineStr" if kind == "s" else kind}" />'
    if kind == "s":
        if type(value) is not str:  # rich text
            return None
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and value != stripped else ""
        return f'{head} t="inlineStr"><is><t{space}>{_escape_cdata(value)}</t></is></c>'
    if type(value) not in (int, float):
        return None
    number = safe_string(value)
    if number == "":  # NaN or infinity: openpyxl writes an empty <v />
        return None
    return f'{head} t="n"><v>{number}</v></c>'  # digits, sign, point, exponent: no escape


def write_merged_cells(self: WorksheetWriter) -> None:
    """openpyxl's ``write_merged_cells`` with the ranges written as text (a 10,000-cell
    district report has 150,000 of them: each a MergeCell object serialised as an
    element took 7 s of its 99 in cProfile)."""
    if not self.ws.merged_cells:
        return
    refs = [str(merged) for merged in self.ws.merged_cells]  # the set's order, as openpyxl
    xf = self.xf.send(True)
    xf._file(f'<mergeCells count="{len(refs)}">'
             + "".join(f'<mergeCell ref="{ref}" />' for ref in refs) + "</mergeCells>")
    self.xf.send(None)  # control back to openpyxl's writer


def write_rows_as_text() -> bool:
    """Install :func:`write_row` and :func:`write_merged_cells` (idempotent); False, and
    nothing changed, on other versions of openpyxl or et_xmlfile, or with openpyxl writing
    through lxml."""
    if (openpyxl.__version__, et_xmlfile.__version__) != WRITTEN_FOR or openpyxl.xml.LXML:
        return False
    WorksheetWriter.write_row = write_row  # type: ignore[method-assign]
    WorksheetWriter.write_merged_cells = write_merged_cells  # type: ignore[method-assign]
    return True

