"""Reading a district's upward data file (shared spec EXPORT.md) into typed rows.

The file is CSV (UTF-8, a byte-order mark tolerated, one header row) or its JSON twin (an
array of records with the same keys). Columns may come in any order; a column the spec
does not have is kept aside (``ExportFile.extra_columns``) so that the validation can
refuse it as possible personal data (rule P08) rather than silently drop it.

A file that cannot be read raises one of the named errors below (each a
``forms.errors.ReadError`` with its rule id and a Vietnamese message for the district).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata

from core.errors import ReadError
from core.export_format import CSV, EXPORT_COLUMNS, FORMULA_TRIGGERS, JSON, ExportFile, ExportRow
from core.limits import DEFAULT_LIMITS, MB
from forms.errors import EmptyFile, OversizedWorkbook

_INTEGER = re.compile(r"^[+-]?\d+$")
_BINARY_MARKERS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG")


class ExportFileError(ReadError):
    """A district data file could not be read; the base of the errors below."""

    default_message = "Không đọc được tệp dữ liệu."

    def __init__(self, message_vi: str | None = None, *, line: int | None = None):
        super().__init__(message_vi or self.default_message)
        self.line = line


class NotUtf8(ExportFileError):
    """The bytes are not UTF-8 text (e.g. saved as Windows-1258 or UTF-16)."""

    rule_id = "F01"
    default_message = ("Tệp dữ liệu không được lưu bằng mã UTF-8. Đề nghị lưu lại dạng "
                       "«CSV UTF-8 (phân tách bằng dấu phẩy)».")


class NotCsv(ExportFileError):
    """The content is not a CSV table (a workbook, a picture, broken quoting, no rows)."""

    rule_id = "F01"
    default_message = ("Tệp không phải tệp dữ liệu CSV (hoặc JSON kèm theo). Đề nghị gửi "
                       "đúng tệp dữ liệu do phần mềm xuất ra.")


class NotJsonRecords(ExportFileError):
    """The JSON twin is not an array of records with text keys."""

    rule_id = "F01"
    default_message = ("Tệp JSON không đúng định dạng (phải là một mảng các bản ghi). Đề "
                       "nghị gửi tệp CSV do phần mềm xuất ra.")


class WrongColumns(ExportFileError):
    """A column of the spec is missing, or a column name appears twice."""

    rule_id = "F07"
    default_message = "Tệp dữ liệu thiếu cột theo quy định."


class NotWholeNumber(ExportFileError):
    """A ``value`` is empty or not a whole number."""

    rule_id = "F07"
    default_message = "Cột value phải là số nguyên."


def read_export(content: bytes) -> ExportFile:
    """The rows of a data file (CSV, or the JSON twin); raises an ExportFileError."""
    if not content.strip():
        raise EmptyFile("Tệp dữ liệu rỗng.")
    # the inbox hands over only the first bytes of a file over the limit: never parse those
    if len(content) > DEFAULT_LIMITS.max_file_bytes:
        raise OversizedWorkbook(
            f"Tệp dữ liệu quá lớn, vượt giới hạn {DEFAULT_LIMITS.max_file_bytes // MB} MB.")
    if content.startswith(_BINARY_MARKERS) or b"\x00" in content[:4096]:
        if content.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise NotUtf8()
        raise NotCsv()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotUtf8() from exc
    text = unicodedata.normalize("NFC", text)
    if text.lstrip().startswith(("[", "{")):
        return _read_json(text)
    return _read_csv(text)


def _read_csv(text: str) -> ExportFile:
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise NotCsv() from exc
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table or len(table[0]) < 2:
        raise NotCsv()
    header = tuple(_clean(name).lower() for name in table[0])
    _check_header(header)
    records, lines = [], []
    for number, row in enumerate(table[1:], start=2):
        if len(row) > len(header):
            raise NotCsv(f"Dòng {number} có nhiều ô hơn dòng tiêu đề; tệp không đúng "
                         "định dạng CSV.", line=number)
        records.append(dict(zip(header, [*row, *[""] * (len(header) - len(row))],
                                strict=True)))
        lines.append(number)
    return _typed(records, lines, header, CSV)


def _read_json(text: str) -> ExportFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotJsonRecords() from exc
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data) or not data:
        raise NotJsonRecords()
    header: list[str] = []
    for record in data:
        header.extend(_clean(str(k)).lower() for k in record if _clean(str(k)).lower()
                      not in header)
    records = [{_clean(str(k)).lower(): "" if v is None else str(v) for k, v in r.items()}
               for r in data]
    _check_header(tuple(header), json_keys=True)
    return _typed(records, list(range(1, len(records) + 1)), tuple(header), JSON)


def _check_header(header: tuple[str, ...], *, json_keys: bool = False) -> None:
    missing = [c for c in EXPORT_COLUMNS if c not in header]
    twice = sorted({c for c in header if header.count(c) > 1})
    if missing:
        where = "Các bản ghi" if json_keys else "Dòng tiêu đề"
        raise WrongColumns(f"{where} thiếu cột: {', '.join(missing)}. Đề nghị dùng đúng tệp "
                           "do phần mềm xuất ra, không sửa tên cột.", line=1)
    if twice:
        raise WrongColumns(f"Cột bị lặp lại: {', '.join(twice)}.", line=1)


def _typed(records: list[dict[str, str]], lines: list[int], header: tuple[str, ...],
           kind: str) -> ExportFile:
    extra = tuple(c for c in header if c not in EXPORT_COLUMNS)
    rows = []
    for record, line in zip(records, lines, strict=True):
        values = {c: _clean(record.get(c, "")) for c in EXPORT_COLUMNS}
        if not _INTEGER.match(values["value"]):
            shown = values["value"] or "(trống)"
            raise NotWholeNumber(f"Dòng {line}: giá trị «{shown}» ở cột value không phải số "
                                 "nguyên. Đề nghị ghi số nguyên, kể cả số 0.", line=line)
        rows.append(ExportRow(
            period=values["period"], unit_code=values["unit_code"],
            unit_level=values["unit_level"], parent_code=values["parent_code"] or None,
            population=values["population"], indicator=values["indicator"],
            breakdown=values["breakdown"], value=int(values["value"])))
    return ExportFile(
        rows=tuple(rows), lines=tuple(lines), kind=kind, columns=header, extra_columns=extra,
        extras=tuple(tuple(_clean(r.get(c, "")) for c in extra) for r in records))


def _clean(text: str) -> str:
    """Trimmed text, without the apostrophe the writer puts before formula-like text."""
    text = text.strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text

