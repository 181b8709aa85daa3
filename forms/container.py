"""Recognising a spreadsheet by its content, before any parser sees it.

Readers do not guard against zip bombs and report encrypted workbooks badly, so the
container is inspected first: its magic bytes, and for zips the member table.
"""

from __future__ import annotations

import io
import lzma
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from core.limits import DEFAULT_LIMITS, MB, Limits
from forms.errors import (
    CorruptWorkbook,
    EmptyFile,
    EncryptedWorkbook,
    OversizedWorkbook,
    UnsafeXml,
    UnsupportedFormat,
)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass(frozen=True)
class Container:
    kind: str  # "xlsx" | "xlsm" | "ods" | "xls"
    has_macros: bool
    # Date serials count from 1904-01-01 (old Mac Excel). Readers convert cells formatted
    # as dates themselves; a date shown as a plain number needs this flag.
    date1904: bool = False


# .xlsx: <workbookPr date1904="1"/> (or "true"), with or without a namespace prefix
_DATE1904 = re.compile(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904\s*=\s*[\"'](?:1|true)[\"']")
_WORKBOOK_PART = "xl/workbook.xml"
_MAX_WORKBOOK_PART = 4 * MB  # the part lists sheets and names; anything bigger is not read
# .ods: <table:null-date table:date-value="1904-01-01"/> in the calculation settings, which
# come before the first table of content.xml: the scan stops there.
_NULL_DATE_1904 = re.compile(
    rb"<(?:\w+:)?null-date\b[^>]*\bdate-value\s*=\s*[\"']1904-01-01[\"']")
_FIRST_TABLE = re.compile(rb"<(?:\w+:)?table\s")
_ODS_CONTENT = "content.xml"
_SCAN_CHUNK = 64 * 1024
_MAX_SCAN = 4 * MB




def inspect_container(content: bytes, limits: Limits = DEFAULT_LIMITS) -> Container:
    if not content:
        raise EmptyFile("Tệp rỗng, không có nội dung.")
    if len(content) > limits.max_file_bytes:
        # the channel may hand over only the first bytes of a huge file: no size is claimed
        raise OversizedWorkbook(
            f"Tệp quá lớn, vượt giới hạn {limits.max_file_bytes // MB} MB; đề nghị chỉ gửi "
            "biểu mẫu báo cáo (không kèm hình ảnh, dữ liệu khác).")
    if content.startswith(OLE_MAGIC):
        return _inspect_ole(content)
    if content.startswith(ZIP_MAGIC):
        return _inspect_zip(content, limits)
    raise UnsupportedFormat(
        "Tệp không phải bảng tính Excel (.xlsx, .xls) hoặc LibreOffice (.ods); "
        "đề nghị gửi lại đúng biểu mẫu BC-PTĐ-HS/1."
    )


def _inspect_ole(content: bytes) -> Container:
    # An encrypted .xlsx is an OLE container with these stream names (MS-OFFCRYPTO).
    if "EncryptedPackage".encode("utf-16-le") in content:
        raise EncryptedWorkbook(
            "Tệp được đặt mật khẩu (mã hóa) nên không đọc được; đề nghị gỡ mật khẩu rồi gửi lại."
        )
    has_macros = "_VBA_PROJECT".encode("utf-16-le") in content
    return Container(kind="xls", has_macros=has_macros, date1904=_xls_date1904(content))


def _inspect_zip(content: bytes, limits: Limits) -> Container:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return _inspect_archive(archive, limits)
    # one flipped byte of the zip's directory gives the others: an unknown compression
    # method (NotImplementedError), an encrypted member (RuntimeError), a broken bzip2 or
    # lzma stream (OSError, LZMAError) (found by tests/unit/test_reader_properties.py)
    except (zipfile.BadZipFile, EOFError, KeyError, ValueError, zlib.error,
            NotImplementedError, RuntimeError, OSError, lzma.LZMAError) as exc:
        raise CorruptWorkbook("Tệp bị hỏng hoặc không trọn vẹn (có thể tải về chưa xong).") from exc


def _inspect_archive(archive: zipfile.ZipFile, limits: Limits) -> Container:
    """The member table first (zip bomb guard), only then a look inside small parts."""
    members = archive.infolist()
    names = {m.filename for m in members}
    unpacked = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    if (len(members) > limits.max_members or unpacked > limits.max_unpacked_bytes
            or unpacked / packed > limits.max_ratio):
        raise OversizedWorkbook(
            "Tệp có cấu trúc nén bất thường (quá lớn khi giải nén), không thể xử lý an toàn."
        )
    _check_xml_prologs(archive, members)
    mimetype = archive.read("mimetype") if "mimetype" in names else b""
    if mimetype.strip() == ODS_MIMETYPE:
        return Container(kind="ods", has_macros=any(n.startswith("Basic/") for n in names),
                         date1904=_ods_date1904(archive, names))
    if _WORKBOOK_PART in names:
        _check_extent(archive, [n for n in names if _SHEET_PART.match(n)], limits)
        macros = "xl/vbaProject.bin" in names
        return Container(kind="xlsm" if macros else "xlsx", has_macros=macros,
                         date1904=_date1904(archive))
    raise UnsupportedFormat(
        "Tệp nén không phải bảng tính Excel hoặc LibreOffice; đề nghị gửi đúng biểu mẫu."
    )


_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")
# a cell with content (not the self-closing <c r=".." s=".."/> of a merely styled cell)
_FILLED_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*?(?<!/)>')
_CHUNK = 1 << 20


def _check_extent(archive: zipfile.ZipFile, parts: list[str], limits: Limits) -> None:
    for name in parts:
        rows = columns = 0
        tail = b""
        with archive.open(name) as part:
            while chunk := part.read(_CHUNK):
                data = tail + chunk
                # a sheet repeats few distinct rows and columns over many cells (a cell's
                # workbook: ~70 and ~21 over ~1,900): each distinct one converted once
                found = _FILLED_CELL.findall(data)
                if found:
                    rows = max(rows, *map(int, {number for _l, number in found}))
                    columns = max(columns, *map(_column_index, {cl for cl, _n in found}))
                tail = data[-512:]  # a tag cut by the chunk boundary is seen again
        check_extent(rows, columns, limits)


def check_extent(rows: int, columns: int, limits: Limits, sheet: str | None = None) -> None:
    """A sheet's filled extent (its last row and column, 1-based) within the limits."""
    if (rows > limits.max_rows or columns > limits.max_columns
            or rows * columns > limits.max_cells):
        where = f"Trang tính {sheet}" if sheet else "Trang tính"
        raise OversizedWorkbook(
            f"{where} có dữ liệu ở ô quá xa (đến dòng {rows}, cột {columns}), vượt giới hạn "
            f"{limits.max_rows} dòng, {limits.max_columns} cột và {limits.max_cells} ô. "
            "Đề nghị xóa các ô thừa rồi gửi lại.")


# XML bombs (billion laughs, quadratic blowup) and external entities both need a DTD.
# Office and LibreOffice never write one, so a part that declares one is refused before any
# parser sees it; defusedxml (openpyxl) and quick-xml (calamine) would refuse or ignore it
# too, but each in its own way, and with an error no cell secretary could act on.
_XML_PART = re.compile(r"\.(xml|rels|vml)$", re.IGNORECASE)
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_PROLOG_SCAN = 64 * 1024  # a real part opens its root element within its first few bytes


def _check_xml_prologs(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    for member in members:
        if not _XML_PART.search(member.filename):
            continue
        with archive.open(member) as part:
            head = part.read(_PROLOG_SCAN)
        root = _ROOT_START.search(head)
        prolog = head[:root.start()] if root else head
        if _DTD.search(prolog) or (root is None and len(head) == _PROLOG_SCAN):
            raise UnsafeXml(
                "Tệp chứa cấu trúc XML không an toàn (khai báo DTD/thực thể, dấu hiệu «bom "
                "XML»), không thể xử lý. Đề nghị lưu lại biểu mẫu bằng Excel rồi gửi lại.")


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index


def _date1904(archive: zipfile.ZipFile) -> bool:
    with archive.open(_WORKBOOK_PART) as part:
        return bool(_DATE1904.search(part.read(_MAX_WORKBOOK_PART)))


def _ods_date1904(archive: zipfile.ZipFile, names: set[str]) -> bool:
    if _ODS_CONTENT not in names:
        return False
    seen = b""
    with archive.open(_ODS_CONTENT) as part:
        while len(seen) < _MAX_SCAN:
            chunk = part.read(_SCAN_CHUNK)
            if not chunk:
                break
            seen += chunk
            if _NULL_DATE_1904.search(seen):
                return True
            if _FIRST_TABLE.search(seen):
                return False
    return False


# ---- .xls: the DATEMODE record of the Workbook stream -------------------------------------
# calamine converts cells formatted as dates by the workbook's date system, but does not say
# which one it is. A minimal compound-file (OLE) walk finds the stream; any inconsistency
# means "not 1904" rather than an error (calamine judges the file itself).
_FREE = 0xFFFFFFFA  # sector numbers from here up are markers (end of chain, free, …)
_BIFF_DATEMODE, _BIFF_EOF = 0x0022, 0x000A


def _xls_date1904(content: bytes) -> bool:
    try:
        stream = _ole_stream(content, ("Workbook", "Book"))
    except (struct.error, IndexError, ValueError, UnicodeDecodeError):
        return False
    return stream is not None and _biff_datemode(stream) == 1


def _ole_stream(content: bytes, wanted: tuple[str, ...]) -> bytes | None:
    """A stream of a compound file, by name; None when absent or in the mini stream.

    Hostile input cannot make it loop or grow: chains and tables are capped by the
    number of sectors the file really has."""
    shift = struct.unpack_from("<H", content, 30)[0]
    if shift not in (9, 12):  # the only sector sizes of the format: 512 and 4096 bytes
        return None
    size = 1 << shift
    sectors = len(content) // size - 1
    per_sector = size // 4
    n_fat, first_dir, mini_cutoff, first_difat, n_difat = (
        struct.unpack_from("<I", content, offset)[0] for offset in (44, 48, 56, 68, 72))

    def sector(i: int) -> bytes:
        if i >= sectors:
            raise IndexError(i)
        return content[(i + 1) * size:(i + 2) * size]

    fat = _fat(content, sector, sectors, per_sector, n_fat, first_difat, n_difat)

    def chain(start: int) -> bytes:
        parts: list[bytes] = []
        while start < _FREE and len(parts) < sectors:
            parts.append(sector(start))
            start = fat[start]
        return b"".join(parts)

    directory = chain(first_dir)
    for at in range(0, len(directory) - 127, 128):
        entry = directory[at:at + 128]
        name_len = min(64, struct.unpack_from("<H", entry, 64)[0])
        name = entry[:max(0, name_len - 2)].decode("utf-16-le")
        if entry[66] == 2 and name in wanted:  # 2 = a stream
            start, length = struct.unpack_from("<II", entry, 116)
            return chain(start)[:length] if length >= mini_cutoff else None
    return None


def _fat(content: bytes, sector: Callable[[int], bytes], sectors: int, per_sector: int,
         n_fat: int, first_difat: int, n_difat: int) -> list[int]:
    """The file allocation table, through the DIFAT's chain; both capped by the sectors the
    file really has."""
    difat = list(struct.unpack_from("<109I", content, 76))
    for _ in range(min(n_difat, sectors)):
        if first_difat >= _FREE:
            break
        *entries, first_difat = struct.unpack(f"<{per_sector}I", sector(first_difat))
        difat += entries
    fat: list[int] = []
    for i in [d for d in difat if d < _FREE][:min(n_fat, sectors // per_sector + 1)]:
        fat += struct.unpack(f"<{per_sector}I", sector(i))
    return fat


def _biff_datemode(stream: bytes) -> int | None:
    """DATEMODE of the workbook globals (the records before their EOF): 1 = 1904."""
    pos = 0
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        if kind == _BIFF_DATEMODE and length >= 2:
            return int(struct.unpack_from("<H", stream, pos + 4)[0])
        if kind == _BIFF_EOF:
            return None
        pos += 4 + length
    return None
