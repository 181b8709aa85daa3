"""Recognising a spreadsheet by its content, before any parser sees it.

Readers do not guard against zip bombs and report encrypted workbooks badly, so the
container is inspected first: its magic bytes, and for zips the member table.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from forms.errors import (
    CorruptWorkbook,
    EmptyFile,
    EncryptedWorkbook,
    OversizedWorkbook,
    UnsupportedFormat,
)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Size limits of a received file (rule F01)."""

    max_file_bytes: int = 20 * MB
    max_unpacked_bytes: int = 200 * MB
    max_ratio: float = 200.0
    max_members: int = 2_000


@dataclass(frozen=True)
class Container:
    kind: str  # "xlsx" | "xlsm" | "ods" | "xls"
    has_macros: bool


DEFAULT_LIMITS = Limits()


def inspect_container(content: bytes, limits: Limits = DEFAULT_LIMITS) -> Container:
    if not content:
        raise EmptyFile("Tệp rỗng, không có nội dung.")
    if len(content) > limits.max_file_bytes:
        raise OversizedWorkbook(
            f"Tệp quá lớn ({len(content) // MB} MB), "
            f"vượt giới hạn {limits.max_file_bytes // MB} MB."
        )
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
    return Container(kind="xls", has_macros=has_macros)


def _inspect_zip(content: bytes, limits: Limits) -> Container:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            mimetype = archive.read("mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, EOFError, KeyError, ValueError) as exc:
        raise CorruptWorkbook("Tệp bị hỏng hoặc không trọn vẹn (có thể tải về chưa xong).") from exc
    unpacked = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    if (len(members) > limits.max_members or unpacked > limits.max_unpacked_bytes
            or unpacked / packed > limits.max_ratio):
        raise OversizedWorkbook(
            "Tệp có cấu trúc nén bất thường (quá lớn khi giải nén), không thể xử lý an toàn."
        )
    if mimetype.strip() == ODS_MIMETYPE:
        return Container(kind="ods", has_macros=any(n.startswith("Basic/") for n in names))
    if "xl/workbook.xml" in names:
        macros = "xl/vbaProject.bin" in names
        return Container(kind="xlsm" if macros else "xlsx", has_macros=macros)
    raise UnsupportedFormat(
        "Tệp nén không phải bảng tính Excel hoặc LibreOffice; đề nghị gửi đúng biểu mẫu."
    )
