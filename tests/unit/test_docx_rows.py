"""A Word table's rows written as text at save time (reports/docx_rows.py): the document's
bytes are those of the same rows built through python-docx and serialised by lxml."""

from __future__ import annotations

import io
from collections.abc import Hashable, Sequence

import docx
import pytest
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.table import Table

from reports import docx_rows
from reports.docx_rows import StreamedRows, deterministic_docx, plain

AWKWARD = ["12", "Tổng số", "a & b", "<b>", "x > y", " leading", "trailing ", "a\tb",
           "x\ny", "a\rb", "", "   ", "\u00a0no-break\u00a0", "🙂 emoji", '"quoted"',
           "it's", "\ue000 0 \ue000"]


def first_row(table: Table, kind: Hashable, texts: Sequence[str]) -> BaseOxmlElement:
    row = table.add_row()
    for cell, text in zip(row.cells, texts, strict=True):
        run = cell.paragraphs[0].add_run(text)
        run.bold = kind == "bold" or None
    return row._tr


def plan() -> list[tuple[str, list[str]]]:
    rows = [("plain", ["1", "2", "3"]), ("bold", ["a", "b", "c"])]
    for index, text in enumerate(AWKWARD):
        rows += [("plain", [text, str(index), "x"]), ("bold", ["y", text, text])]
    return rows + [("plain", ["4", "5", "6"])] * 3


def document(streamed: bool) -> bytes:
    doc = docx.Document()
    doc.add_paragraph("before")
    table = doc.add_table(rows=1, cols=3)
    table.rows[0].cells[0].text = "header"
    if not streamed:
        for kind, texts in plan():
            first_row(table, kind, texts)
        doc.add_paragraph("after")
        return deterministic_docx(doc)
    rows = StreamedRows(table, plan(), first_row)
    doc.add_paragraph("after")
    return deterministic_docx(doc, rows)


def test_rows_written_as_text_give_the_bytes_of_rows_built_in_the_tree() -> None:
    assert document(streamed=True) == document(streamed=False)


def test_rows_written_in_small_chunks_give_the_same_bytes(monkeypatch: pytest.MonkeyPatch,
                                                           ) -> None:
    """The compressor is fed chunk by chunk: the deflate stream does not depend on where
    the chunks end."""
    whole = document(streamed=True)
    monkeypatch.setattr(docx_rows, "CHUNK", 7)
    assert document(streamed=True) == whole


def test_the_streamed_table_reads_back_with_its_rows_in_order() -> None:
    table = docx.Document(io.BytesIO(document(streamed=True))).tables[0]
    texts = [[cell.text for cell in row.cells] for row in table.rows]
    expected = [["header", "", ""]] + [texts_ for _, texts_ in plan()]
    # python-docx reads a carriage return back as a line break
    assert texts == [[t.replace("\r", "\n") for t in row] for row in expected]


@pytest.mark.parametrize(("text", "expected"), [
    ("12", True), ("Tổng số", True), ("🙂", True), ('"x"', True),
    ("", False), (" x", False), ("x ", False), ("\u00a0x", False), ("a&b", False),
    ("a<b", False), ("a>b", False), ("a\tb", False), ("a\x01b", False), ("\ufffe", False),
])
def test_only_text_lxml_writes_as_it_is_counts_as_plain(text: str, expected: bool) -> None:
    assert plain(text) is expected
