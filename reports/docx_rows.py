"""A long Word table written as text when the document is saved, not held as elements.

The annex of a district's Word report has 16 rows per cell: 160,000 rows for 10,000 cells,
each some thirty lxml elements — gigabytes held only to be serialised once. Here the table
holds its header and an XML comment; its rows are made one at a time while document.xml
is written and spliced where the comment stands. Each row is the XML python-docx and lxml
write for it (tests/unit/test_docx_rows.py and the Word report's tests compare the bytes):

- the first row of each kind is built through python-docx in the table, serialised there
  and taken out again; it is also the kind's template;
- a later row whose texts are plain (no markup character, no control character, no
  surrounding space) is the template's text with its texts put in;
- any other row is a copy of the template with its texts put in as python-docx would
  (``put_text``), serialised in the table like the first.

The document's bytes are reproducible: fixed zip member times, attributes and order.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.table import Table
from lxml import etree

DOCX_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # zip member times cannot go below 1980
_FILE_ATTR = 0o100644 << 16            # a regular rw-r--r-- file, whatever the platform
DOCUMENT_PART = "word/document.xml"
ROWS_MARK = "streamed-rows"            # the comment the rows replace (text cannot hold "<!--")
_MARK_BYTES = f"<!--{ROWS_MARK}-->".encode()
CHUNK = 1 << 20                        # characters handed to the compressor at a time

W_R, W_T, W_RPR, XML_SPACE = qn("w:r"), qn("w:t"), qn("w:rPr"), qn("xml:space")
# what lxml would escape or refuse in a text node, and the spaces put_text marks "preserve"
_NOT_PLAIN = re.compile("[\x00-\x1f&<>\ud800-\udfff\ufffe\uffff]")
# namespace declarations lxml copies from the ancestors onto an element serialised alone
_NS_DECLARATION = re.compile(r' xmlns(?::[\w.-]+)?="[^"]*"')
_MARKER = "\ue000{}\ue000"  # a private-use character around each text's index


class StreamedRows:
    """The rows of ``table``, given as (kind, texts) by ``plan``, written at save time.

    ``first_row(table, kind, texts)`` builds a row of a kind through python-docx at the end
    of the table and returns its ``w:tr``; each of its runs holds one of the texts."""

    def __init__(self, table: Table, plan: Iterable[tuple[Hashable, Sequence[str]]],
                 first_row: Callable[[Table, Hashable, Sequence[str]], BaseOxmlElement],
                 ) -> None:
        self.table, self.plan, self.first_row = table, plan, first_row
        self.templates: dict[Hashable, BaseOxmlElement] = {}
        self.parts: dict[Hashable, list[str]] = {}
        table._tbl.append(etree.Comment(ROWS_MARK))

    def xml(self) -> Iterator[str]:
        """Each row's XML, in the plan's order."""
        for kind, texts in self.plan:
            yield self.row_xml(kind, texts)

    def row_xml(self, kind: Hashable, texts: Sequence[str]) -> str:
        parts = self.parts.get(kind)
        if parts is None:
            template = self.templates[kind] = self.first_row(self.table, kind, texts)
            self.parts[kind] = _split(self._serialised(_with_texts(template, [
                _MARKER.format(index) for index in range(len(texts))])))
            return self._serialised(template)
        if all(plain(text) for text in texts):
            return _fill(parts, texts)
        return self._serialised(_with_texts(self.templates[kind], texts))

    def _serialised(self, tr: BaseOxmlElement) -> str:
        """``tr`` as it reads inside document.xml, taken out of the table again."""
        if tr.getparent() is None:
            self.table._tbl.append(tr)  # lxml drops the declarations the document has
        text = etree.tostring(tr, encoding="unicode")
        tr.getparent().remove(tr)
        head, rest = text.split(">", 1)
        return _NS_DECLARATION.sub("", head) + ">" + rest


def plain(text: str) -> bool:
    """Is ``text`` written as it is in a ``w:t`` (nothing escaped, no xml:space)?"""
    return bool(text) and text == text.strip() and _NOT_PLAIN.search(text) is None


def _with_texts(template: BaseOxmlElement, texts: Sequence[str]) -> BaseOxmlElement:
    """A copy of the row ``template``, its runs holding ``texts``."""
    tr = copy.deepcopy(template)
    for run, text in zip(tr.iter(W_R), texts, strict=True):
        put_text(run, text)
    return tr


def _split(xml: str) -> list[str]:
    """The row's XML around its markers: text, marker 0, text, marker 1, …, text."""
    parts = re.split("\ue000(\\d+)\ue000", xml)
    if parts[1::2] != [str(index) for index in range(len(parts) // 2)]:
        raise ValueError("a row template's texts are not in the order of its runs")
    return parts[0::2]


def _fill(parts: list[str], texts: Sequence[str]) -> str:
    out = [parts[0]]
    for text, after in zip(texts, parts[1:], strict=True):
        out += (text, after)
    return "".join(out)


def put_text(run: BaseOxmlElement, text: str) -> None:
    """python-docx's ``run.text = text`` (CT_R's setter), with the same XML: plain text
    into a run that holds one ``w:t`` is put in that ``w:t`` directly (the setter rebuilds
    the run character by character, ~40 µs); anything else (a tab, a line break, an empty
    text, another run shape) goes through the setter."""
    content = [child for child in run if child.tag != W_RPR]
    if (not text or len(content) != 1 or content[0].tag != W_T
            or any(char in text for char in "\t\r\n")):
        run.text = text
        return
    t = content[0]
    t.text = text
    if len(text.strip()) < len(text):  # as CT_R.add_t marks it
        t.set(XML_SPACE, "preserve")
    else:
        t.attrib.pop(XML_SPACE, None)


def deterministic_docx(doc: DocxDocument, rows: StreamedRows | None = None) -> bytes:
    """The document's bytes with fixed zip member times, attributes and order (python-docx
    stamps every member with the clock), ``rows`` written where their table's comment is."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            info = zipfile.ZipInfo(name, date_time=DOCX_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = _FILE_ATTR
            info.create_system = 3  # Unix; ZipInfo picks it by platform otherwise
            data = source.read(name)
            if rows is None or name != DOCUMENT_PART:
                target.writestr(info, data)
                continue
            before, after = data.split(_MARK_BYTES)
            # the same bytes as writestr: one deflate stream, whatever the chunks fed to it
            with target.open(info, "w") as member:
                member.write(before)
                for chunk in _chunks(rows.xml()):
                    member.write(chunk.encode())
                member.write(after)
    return out.getvalue()


def _chunks(texts: Iterable[str]) -> Iterator[str]:
    pending: list[str] = []
    size = 0
    for text in texts:
        pending.append(text)
        size += len(text)
        if size >= CHUNK:
            yield "".join(pending)
            pending, size = [], 0
    if pending:
        yield "".join(pending)
