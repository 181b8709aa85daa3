"""Named errors of reading a workbook, each with its rule id and a Vietnamese reason."""

from __future__ import annotations

from core.errors import ReadError


class UnsupportedFormat(ReadError):
    """The content is not an .xlsx, .xlsm, .xls or .ods spreadsheet, whatever its name says."""


class CorruptWorkbook(ReadError):
    """The file looks like a spreadsheet but is broken or truncated."""


class EncryptedWorkbook(ReadError):
    """The workbook is protected by a password (an OLE container holding an encrypted package)."""


class OversizedWorkbook(ReadError):
    """The file, or what it unpacks to, exceeds the size limits (zip bomb guard)."""


class UnsafeXml(ReadError):
    """A part of the workbook declares a DTD or entities (XML bomb guard): Office never does."""


class ReadLimitExceeded(ReadError):
    """Reading the workbook took more time or memory than allowed, so it was stopped."""


class EmptyFile(ReadError):
    """The file has no content at all."""


class MissingSheet(ReadError):
    """One of the sheets ThongTin, TongHop, DanhSach is absent."""

    rule_id = "F02"


class MissingHeaderRow(ReadError):
    """A table's header row (TongHop or DanhSach) cannot be found."""

    rule_id = "F07"


class NotACellReport(ReadError):
    """The workbook is another form (e.g. the course register) rather than BC-PTĐ-HS/1."""

    rule_id = "F02"


class AmbiguousSheet(ReadError):
    """The workbook holds two sheets that both match one form sheet (one may be hidden)."""

    rule_id = "F11"


class RosterTooLong(ReadError):
    """The roster lists far more people than any school's cell follows (F11's row cap)."""

    rule_id = "F11"
