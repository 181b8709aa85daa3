"""Hostile and broken files for the reader, generated in code (issue 8).

Every case is a file a cell could send, or an attacker could: what it is, the name it
arrives under and the named error ``forms.dispatch.read_any`` must give (None: readable).
Nothing binary is committed; the files are built here from ``factories.make_workbook``,
zipfile, Pillow and msoffcrypto-tool.

Importable (``import hostile_corpus``, tests/ is on sys.path) and a script:
``python tests/hostile_corpus.py OUT_DIR`` writes every case into OUT_DIR under a name safe
for the local disk and prints one line per file.
"""

from __future__ import annotations

import functools
import io
import random
import re
import sys
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from xml.etree import ElementTree

from factories import make_header, make_roster, make_summary, make_workbook
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from PIL import Image

from core import layout
from core.errors import ReadError
from core.limits import DEFAULT_LIMITS
from core.xlsxio import deterministic_xlsx
from forms.errors import (
    AmbiguousSheet,
    CorruptWorkbook,
    EmptyFile,
    EncryptedWorkbook,
    OversizedWorkbook,
    RosterTooLong,
    UnsafeXml,
    UnsupportedFormat,
)


@dataclass(frozen=True)
class Hostile:
    key: str  # short id, e.g. "zip_ratio_bomb"
    filename: str  # the name it arrives under (may be odd: the reader ignores it)
    content: bytes
    error: type[ReadError] | None  # what read_any must name; None = the file is readable
    what: str  # one English line: what the file is


def corpus(unit_code: str = "BL01", period: str = "2024-03") -> list[Hostile]:
    """Every case, the workbook-based ones holding a valid report of ``unit_code``/``period``."""
    return list(_corpus(unit_code, period))


# ~2 s and ~31 MB to build: once per test process and unit (the hostile month's fixtures
# ask for BL01–BL04 in turn, three times: with two kept, each was built again every time)
@functools.lru_cache(maxsize=4)
def _corpus(unit_code: str, period: str) -> tuple[Hostile, ...]:
    valid = make_workbook(header=make_header(unit_code, period))
    name = f"{unit_code}_{period}.xlsx"
    return (*_not_workbooks(valid, name), _password_protected(valid, name),
            *_zip_bombs(valid, name), *_xml_bombs(valid, name), *_huge_sheets(valid, name),
            *_macros(valid, name), *_wrong_extensions(valid, name),
            _formula_injection(unit_code, period, name), *_odd_names(valid, unit_code, period),
            _hidden_sheet_of_another_cell(unit_code, period, name),
            _roster_over_the_cap(unit_code, period, name))


# ---- files that are not (whole) workbooks ---------------------------------------------

def _not_workbooks(valid: bytes, name: str) -> list[Hostile]:
    # one byte over the cap: the limit is strict, whatever the bytes are
    oversized = random.Random(8).randbytes(DEFAULT_LIMITS.max_file_bytes + 1)
    return [
        Hostile("empty", name, b"", EmptyFile, "an empty file (0 bytes)"),
        Hostile("truncated", name, valid[: len(valid) // 2], CorruptWorkbook,
                "the first half of a valid workbook (a download cut short)"),
        Hostile("png_named_xlsx", name, _png(), UnsupportedFormat,
                "a real PNG image named .xlsx"),
        Hostile("pdf_named_xlsx", name, _pdf(), UnsupportedFormat,
                "a small PDF document named .xlsx"),
        Hostile("csv_named_xlsx", name, _csv(), UnsupportedFormat,
                "the report typed as CSV text (UTF-8 with BOM) named .xlsx"),
        Hostile("oversized_file", name, oversized, OversizedWorkbook,
                "random bytes one byte over the 20 MB file-size cap"),
    ]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _pdf() -> bytes:
    # enough of a PDF for a viewer to show a blank page; the reader only needs the magic
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _csv() -> bytes:
    return "\ufeffMã chi bộ,Kỳ báo cáo,Tổng số\nBL01,03/2024,1000\n".encode()


def _password_protected(valid: bytes, name: str) -> Hostile:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(valid)).encrypt("matkhau", out)
    return Hostile("password_protected", name, out.getvalue(), EncryptedWorkbook,
                   "a valid report saved with the password 'matkhau' (an OLE container)")


# ---- rewriting a workbook's zip ---------------------------------------------------------

# a member's content, whole or as chunks (streamed, so a huge member never sits in memory)
Part = bytes | Callable[[], Iterable[bytes]]


def _parts(workbook: bytes) -> dict[str, Part]:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(parts: dict[str, Part], *, level: int = 1) -> bytes:
    """Level 1: the huge members compress in a fraction of the default level's time."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, part in parts.items():
            # opened by name: a fixed 1980 timestamp and the archive's compression level
            with archive.open(name, "w") as member:
                for chunk in (part,) if isinstance(part, bytes) else part():
                    member.write(chunk)
    return out.getvalue()


def _text(part: Part) -> bytes:
    assert isinstance(part, bytes), "only the workbook's own (small) parts are edited"
    return part


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _sheet_part(parts: dict[str, Part], sheet: str) -> str:
    """The zip member of a sheet, found as Excel finds it (workbook.xml, then its rels)."""
    book = ElementTree.fromstring(_text(parts["xl/workbook.xml"]))  # our own, trusted XML
    rid = next(s.get(f"{{{_REL_NS}}}id") for s in book.iter(f"{{{_MAIN_NS}}}sheet")
               if s.get("name") == sheet)
    rels = ElementTree.fromstring(_text(parts["xl/_rels/workbook.xml.rels"]))
    target = next(str(r.get("Target")) for r in rels if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


# ---- zip bombs: refused from the member table, before anything is unpacked -------------

_ZEROS_MB = 300


def _zip_bombs(valid: bytes, name: str) -> list[Hostile]:
    bomb = _parts(valid)
    bomb["xl/media/image1.png"] = _zeros  # ~1.4 MB packed, 300 MB unpacked: ratio ~230
    crowd = _parts(valid)
    for i in range(3_000 - len(crowd)):  # empty members: only their number is hostile
        crowd[f"xl/media/pad{i:04d}.bin"] = b""
    return [
        Hostile("zip_ratio_bomb", name, _zip(bomb), OversizedWorkbook,
                f"a valid report plus one member of {_ZEROS_MB} MB of zeros "
                "(over the unpacked total and the compression ratio)"),
        Hostile("zip_member_count", name, _zip(crowd), OversizedWorkbook,
                "a valid report padded to 3,000 zip members"),
    ]


def _zeros() -> Iterator[bytes]:
    chunk = bytes(1 << 20)
    for _ in range(_ZEROS_MB):
        yield chunk


# ---- XML bombs: a DTD in a part's prolog, refused before any parser sees it -------------

_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# billion laughs: ten levels of ten references, 10^9 "lol"s (3 GB) once expanded
_LAUGHS = (b'<!DOCTYPE worksheet [\n <!ENTITY lol0 "lol">\n'
           + b"".join(b' <!ENTITY lol%d "%s">\n' % (i, b"".join([b"&lol%d;" % (i - 1)] * 10))
                      for i in range(1, 10))
           + b"]>\n")
_XXE = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'


def _xml_bombs(valid: bytes, name: str) -> list[Hostile]:
    laughs = _parts(valid)
    sheet = _sheet_part(laughs, layout.SHEET_INFO)
    # the reference sits in a new cell of row 1 (the title row: its only cell is A1)
    body = _text(laughs[sheet]).replace(
        b"</row>", b'<c r="Z1" t="inlineStr"><is><t>&lol9;</t></is></c></row>', 1)
    laughs[sheet] = _DECLARATION + _LAUGHS + body
    xxe = _parts(valid)
    book = _text(xxe["xl/workbook.xml"]).replace(
        b"</definedNames>", b'<definedName name="DuLieu">&e;</definedName></definedNames>', 1)
    xxe["xl/workbook.xml"] = _DECLARATION + _XXE + book
    return [
        Hostile("xml_billion_laughs", name, _zip(laughs), UnsafeXml,
                "a valid report whose ThongTin sheet declares 'billion laughs' entities "
                "and uses them in a cell"),
        Hostile("xml_external_entity", name, _zip(xxe), UnsafeXml,
                "a valid report whose workbook.xml declares an external entity "
                "(file:///etc/passwd) and uses it in a defined name"),
    ]


# ---- huge sheets: raw sheet XML streamed into the zip (openpyxl would take minutes) ----

_SHEET_OPEN = (b'<worksheet xmlns="' + _MAIN_NS.encode() + b'"><dimension ref="%s"/>'
               b"<sheetData>")
_SHEET_CLOSE = b"</sheetData></worksheet>"
_ROWS_PER_CHUNK = 10_000


def _huge_sheets(valid: bytes, name: str) -> list[Hostile]:
    # The instructions sheet is replaced: the report itself stays valid, only its extent
    # is hostile. Each file stays under the size cap, the unpacked total and the ratio
    # limit, so that the extent guard is the one that answers (the tests check it).
    million, wide = 1_000_000, 16_384
    return [
        Hostile("sheet_million_rows", name,
                _with_sheet(valid, f"A1:A{million}", lambda: _column_a(million)),
                OversizedWorkbook, "a valid report whose HuongDan sheet has 1,000,000 filled rows"),
        Hostile("sheet_all_columns", name,
                _with_sheet(valid, f"A1:{get_column_letter(wide)}1", lambda: _row_1(wide)),
                OversizedWorkbook,
                "a valid report whose HuongDan sheet has one row of 16,384 filled columns"),
        Hostile("sheet_far_corners", name,
                _with_sheet(valid, "A1:AD99000", _far_corners), OversizedWorkbook,
                "a valid report whose HuongDan sheet holds only A99000 and AD1: each within "
                "the row and column limits, together a rectangle of ~3 million cells"),
    ]


def _with_sheet(valid: bytes, dimension: str, rows: Callable[[], Iterable[bytes]]) -> bytes:
    parts = _parts(valid)

    def sheet() -> Iterator[bytes]:
        yield _SHEET_OPEN % dimension.encode()
        yield from rows()
        yield _SHEET_CLOSE

    parts[_sheet_part(parts, layout.SHEET_INSTRUCTIONS)] = sheet
    return _zip(parts)


def _column_a(rows: int) -> Iterator[bytes]:
    for start in range(1, rows + 1, _ROWS_PER_CHUNK):
        yield b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r)
                       for r in range(start, min(start + _ROWS_PER_CHUNK, rows + 1)))


def _row_1(columns: int) -> Iterator[bytes]:
    yield b'<row r="1">'
    yield b"".join(b'<c r="%s1"><v>%d</v></c>' % (get_column_letter(c).encode(), c)
                   for c in range(1, columns + 1))
    yield b"</row>"


@functools.lru_cache(maxsize=1)
def heavy_but_legal(unit_code: str = "BL01", period: str = "2024-03") -> bytes:
    """Not in the corpus: a valid report whose HuongDan sheet fills 99,000 rows × 20 columns,
    just within every container limit (1,980,000 cells), yet reading it takes seconds and
    hundreds of MB — the file the read sandbox's memory and time limits are for."""
    valid = make_workbook(header=make_header(unit_code, period))
    return _with_sheet(valid, "A1:T99000", lambda: _block(99_000, 20))


def _block(rows: int, columns: int) -> Iterator[bytes]:
    letters = [get_column_letter(c).encode() for c in range(1, columns + 1)]
    for start in range(1, rows + 1, _ROWS_PER_CHUNK):
        yield b"".join(
            b'<row r="%d">%s</row>' % (r, b"".join(b'<c r="%s%d"><v>%d</v></c>' % (col, r, r)
                                                 for col in letters))
            for r in range(start, min(start + _ROWS_PER_CHUNK, rows + 1)))


def _far_corners() -> Iterator[bytes]:
    yield b'<row r="1"><c r="AD1" t="inlineStr"><is><t>x</t></is></c></row>'
    yield b'<row r="99000"><c r="A99000" t="inlineStr"><is><t>x</t></is></c></row>'


# ---- readable workbooks: macros, misleading extensions, formulas, odd names ------------

_VBA_TYPE = b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject" />'
_MAIN_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_MACRO_MAIN_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_VBA_REL = (b'<Relationship Type="http://schemas.microsoft.com/office/2006/relationships/'
            b'vbaProject" Target="vbaProject.bin" Id="rIdVba" />')


def _macros(valid: bytes, name: str) -> list[Hostile]:
    parts = _parts(valid)
    types = _text(parts["[Content_Types].xml"]).replace(_MAIN_TYPE, _MACRO_MAIN_TYPE)
    parts["[Content_Types].xml"] = types.replace(b"<Default ", _VBA_TYPE + b"<Default ", 1)
    rels = _text(parts["xl/_rels/workbook.xml.rels"])
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(b"</Relationships>",
                                                       _VBA_REL + b"</Relationships>")
    # the look of a VBA project (an OLE container naming its streams); nobody runs it
    parts["xl/vbaProject.bin"] = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
                                  + "_VBA_PROJECT".encode("utf-16-le") + bytes(512))
    xlsm = _zip(parts, level=6)
    stem = name.rsplit(".", 1)[0]
    return [
        Hostile("macros_xlsm", f"{stem}.xlsm", xlsm, None,
                "a valid report with a VBA project (macro-enabled workbook)"),
        Hostile("macros_named_xlsx", name, xlsm, None,
                "the same macro-enabled workbook named .xlsx"),
    ]


def _hidden_sheet_of_another_cell(unit_code: str, period: str, name: str) -> Hostile:
    """The report of ``unit_code`` whose workbook also carries, first and very hidden,
    another cell's «ThongTin»: whichever sheet a reader took first would decide the unit."""
    other = "BL04" if unit_code != "BL04" else "BL01"
    book = load_workbook(io.BytesIO(make_workbook(header=make_header(unit_code, period))))
    theirs = load_workbook(io.BytesIO(make_workbook(header=make_header(other, period))))
    book[layout.SHEET_INFO].title = "Thông tin"
    hidden = book.create_sheet(layout.SHEET_INFO, 0)
    for row in theirs[layout.SHEET_INFO].iter_rows():
        for cell in row:
            hidden[cell.coordinate] = cell.value
    hidden.sheet_state = "veryHidden"
    return Hostile("hidden_thongtin_of_another_cell", name, deterministic_xlsx(book),
                   AmbiguousSheet, f"a report of {unit_code} with a very hidden ThongTin of "
                   f"{other} before its own visible «Thông tin»")


def _roster_over_the_cap(unit_code: str, period: str, name: str) -> Hostile:
    """A valid report whose roster lists one person more than the cap (500): a file far
    above a school's size costs validation and loading what a real one never does."""
    roster = make_roster(tuple([1] * (DEFAULT_LIMITS.max_roster_rows + 1)))
    content = make_workbook(header=make_header(unit_code, period), roster=roster,
                            summary=make_summary(roster, period))
    return Hostile("roster_over_the_cap", name, content, RosterTooLong,
                   f"a report listing {len(roster)} people, one over the roster cap")


def _wrong_extensions(valid: bytes, name: str) -> list[Hostile]:
    stem = name.rsplit(".", 1)[0]
    return [
        Hostile("xlsx_named_xls", f"{stem}.xls", valid, None, "a valid .xlsx report named .xls"),
        Hostile("xlsx_named_pdf", f"{stem}.pdf", valid, None, "a valid .xlsx report named .pdf"),
    ]


# Text a spreadsheet program would run if it were pasted into a cell unquoted. The writer
# keeps it as text (core.xlsxio.write_value), as a cell secretary's Excel would.
INJECTED_NOTES = ("=cmd|' /C calc'!A0", "+84 912 345 678", "-2+3+cmd|' /C calc'!A0",
                  "@SUM(1+1)*cmd|' /C calc'!A0")
INJECTED_PREPARER = '=HYPERLINK("http://example.invalid/x","Bấm vào đây")'
LIVE_FORMULA_CELL = "Z1"


def _formula_injection(unit_code: str, period: str, name: str) -> Hostile:
    roster = make_roster()
    for i, note in enumerate(INJECTED_NOTES):
        roster[i] = replace(roster[i], note=note)
    plain = make_workbook(header=make_header(unit_code, period, prepared_by=INJECTED_PREPARER),
                          roster=roster)
    workbook = load_workbook(io.BytesIO(plain))
    workbook[layout.SHEET_INFO][LIVE_FORMULA_CELL] = "=1+1"  # a real formula, no cached value
    workbook[layout.SHEET_INFO]["B4"].hyperlink = "http://example.invalid/x"  # the unit name
    return Hostile("formula_injection", name, deterministic_xlsx(workbook), None,
                   "a valid report whose notes and 'Người lập' start with =, +, -, @, "
                   "plus a live formula and a hyperlink")


def _odd_names(valid: bytes, unit_code: str, period: str) -> list[Hostile]:
    stem = f"{unit_code}_{period}"
    long_name = ("Báo cáo chi bộ " * 20)[:295] + ".xlsx"
    names = {
        "name_path_traversal": (f"../../etc/{stem}.xlsx", "a name climbing out of the folder"),
        "name_rtl_override": (f"{stem}\u202exslx.exe",
                              "an RTL override: a .exe name shown as '...exe.xlsx'"),
        "name_nfd": (unicodedata.normalize("NFD", "Báo cáo tháng 3.xlsx"),
                     "a Vietnamese name in decomposed (NFD) form"),
        "name_300_chars": (long_name, "a 300-character name (over 255 bytes in UTF-8)"),
        "name_control_chars": (f"{unit_code}\x00_{period}\x1b[2J\r\n\t.xlsx",
                               "a name with NUL, escape, CR, LF and tab characters"),
        "name_con_device": ("CON.xlsx", "a Windows device name"),
        "name_dot_dot": ("..", "a name that is only '..'"),
        "name_dots_only": ("...", "a name made only of dots"),
    }
    return [Hostile(key, filename, valid, None, f"a valid report under {what}")
            for key, (filename, what) in names.items()]


# ---- the script -----------------------------------------------------------------------

# only the extensions a cell may send: a double-click on a written case opens, never runs
_SAFE_SUFFIX = re.compile(r"\.(xlsx|xlsm|xls|ods|pdf|csv)$", re.IGNORECASE)


def safe_name(index: int, case: Hostile) -> str:
    """The case's key and its extension when a known one: nothing of the odd name itself."""
    suffix = _SAFE_SUFFIX.search(case.filename)
    return f"{index:02d}_{case.key}{suffix.group(0).lower() if suffix else '.bin'}"


def write_corpus(out_dir: Path, cases: list[Hostile]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, case in enumerate(cases, 1):
        path = out_dir / safe_name(index, case)
        path.write_bytes(case.content)
        paths.append(path)
    return paths


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/hostile_corpus.py OUT_DIR", file=sys.stderr)
        return 2
    cases = corpus()
    for path, case in zip(write_corpus(Path(argv[0]), cases), cases, strict=True):
        expected = case.error.__name__ if case.error else "readable"
        # ascii(): an RTL override or a control character must not rewrite the terminal
        print(f"{path}\t{len(case.content)}\t{expected}\t{ascii(case.filename)}\t{case.what}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
