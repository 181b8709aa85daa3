"""The feedback workbook sent back to a cell: its own workbook, annotated.

A first sheet ``KetQuaKiemTra`` gives the verdict in large coloured words (NHẬN / TRẢ LẠI)
with the date to send a correction by, and every finding, whole, linked to its cell; each
offending cell of the cell's own sheets is highlighted and carries a comment saying what to
fix. Only links inside the workbook go out (``keep_internal_links_only``).
"""

from __future__ import annotations

import io
import re
import textwrap
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from core.errors import ReadError
from core.findings import ERROR, Finding
from core.xlsxio import deterministic_xlsx
from reports.cells import merge, put

SHEET = "KetQuaKiemTra"
FEEDBACK_SUFFIX = "_KetQuaKiemTra"
# A name the sender already got back from us, sent in again as the correction: our suffix
# and whatever followed it ("_lan2", the outbox's "_<key>", a copy's " (2)" or "- Copy"),
# whatever its case or separator. Everything from our suffix on is ours, never the cell's.
_OUR_SUFFIX = re.compile(r"[\s_.\-]*ketquakiemtra.*$", re.IGNORECASE)


def feedback_name(received: str, version: int | None, max_length: int = 150, *,
                  unit: str | None = None, period: str | None = None) -> str:
    """The feedback file's name for a received file: its stem, ``_KetQuaKiemTra``, ``_lanN``
    from the second version on, ``.xlsx``. A stem that already carries our suffix (the cell
    sent our feedback back, corrected) loses it and all after it, so the suffix is never
    doubled; a stem left empty by that is the submission's ``<unit>_<month>``. A long stem
    is cut so that the suffix always survives."""
    stem = _OUR_SUFFIX.sub("", Path(received).stem).strip(" .")
    if not stem:
        stem = f"{unit}_{period}" if unit and period else "tep"
    again = f"_lan{version}" if version and version > 1 else ""
    tail = f"{FEEDBACK_SUFFIX}{again}.xlsx"
    return stem[:max(1, max_length - len(tail) - 9)].rstrip(" .") + tail


FONT = "Times New Roman"
FILLS = {ERROR: PatternFill("solid", fgColor="FFC7CE"),
         "WARNING": PatternFill("solid", fgColor="FFEB9C")}
SEVERITY_VI = {ERROR: "Lỗi", "WARNING": "Cảnh báo"}
COLUMNS = ("STT", "Quy tắc", "Mức độ", "Trang", "Dòng", "Cột", "Nội dung")
# 109 units: a landscape A4 page at 100 % within 0.5" margins even where a unit is widest
# (LibreOffice with DejaVu Serif for a form whose default font is Times New Roman: 6.9 pt)
WIDTHS = (5, 9, 9, 10, 6, 5, 65)
# the verdict in words a secretary reads from across the room: Excel's own good / bad
# colours, darker for large type
VERDICTS = {True: ("NHẬN", "006100", "C6EFCE"), False: ("TRẢ LẠI", "C00000", "FFC7CE")}
LINK_FONT = Font(name=FONT, size=12, color="0563C1", underline="single")


@dataclass(frozen=True)
class FeedbackContext:
    filename: str
    unit_label: str
    period: str | None
    version: int | None
    received_at: datetime  # local time: its date decides "before the deadline"
    accepted: bool
    replaces_version: int | None = None  # the earlier version this one supersedes
    earlier_findings: tuple[Finding, ...] = ()  # that version's findings
    # valid, but the month was already approved: kept until the district reopens it
    pending: bool = False
    deadline: date | None = None  # the month's last on-time day (None: month unknown)


def resend_by(ctx: FeedbackContext) -> str:
    """When a turned-back file should come back corrected. RULES.md has no grace period
    after the deadline (a report is on time when its first valid version arrived by it),
    so a file refused before the deadline has until the deadline, one refused after it
    should come back as soon as possible."""
    if ctx.deadline is None:
        return "càng sớm càng tốt"
    due = ctx.deadline.strftime("%d/%m/%Y")
    if ctx.received_at.date() <= ctx.deadline:
        return f"trước hạn nộp {due}"
    return f"càng sớm càng tốt (đã quá hạn nộp {due})"


def _advice(ctx: FeedbackContext, findings: list[Finding]) -> str:
    """The sentence under the verdict: what the cell does next."""
    if not ctx.accepted:
        return f"Đề nghị chi bộ sửa các lỗi dưới đây và gửi lại {resend_by(ctx)}."
    if ctx.pending:
        return ("Không cần gửi lại: bản này được lưu, chờ Ban Tổ chức mở lại kỳ báo cáo "
                "để đưa vào tổng hợp.")
    if findings:
        return "Không cần gửi lại. Đề nghị chi bộ xem các cảnh báo dưới đây."
    return "Không cần gửi lại."


def fixed_findings(earlier: tuple[Finding, ...], now: list[Finding]) -> list[Finding]:
    """Findings of the earlier version that the new version no longer has (same rule and
    cell); a roster row moved by an inserted line counts as fixed-and-new, which is honest."""
    remaining = {(f.rule_id, f.sheet, f.row, f.column) for f in now}
    return [f for f in earlier if (f.rule_id, f.sheet, f.row, f.column) not in remaining]


def build_feedback(original: bytes, findings: list[Finding], ctx: FeedbackContext) -> bytes:
    """The cell's workbook with the findings sheet first and the cells marked. If the
    cell's own workbook cannot be annotated, the findings sheet alone still goes back.
    A file without findings gets the findings sheet alone too: there is nothing to mark in
    its own sheets, and copying the workbook is most of the cost (about 70 ms a file).
    A file refused at reading (F01: a bomb, encrypted, too large…) is never opened here:
    openpyxl in this process has none of the reading sandbox's limits (a million-row sheet
    took it 65 s and 800 MB)."""
    if not findings or any(_refused_unread(f) for f in findings) or not _small(original):
        return _feedback(_empty_workbook(), findings, ctx)
    try:
        return _feedback(_open_copy(original), findings, ctx)
    except Exception:  # feedback must reach the cell whatever its workbook holds
        return _feedback(_empty_workbook(), findings, ctx)


def _feedback(workbook: Workbook, findings: list[Finding], ctx: FeedbackContext) -> bytes:
    if SHEET in workbook.sheetnames:
        # our earlier answer, sent back with the correction: its verdict is stale
        workbook.remove(workbook[SHEET])
    sheet = workbook.create_sheet(SHEET, 0)
    workbook.active = 0
    for ws in workbook.worksheets:
        # a sheet the sender left selected too would group the two: typing would fill both
        ws.sheet_view.tabSelected = ws is sheet
    _write_summary(sheet, findings, ctx)
    _annotate(workbook, findings)
    keep_internal_links_only(workbook)
    return deterministic_xlsx(workbook)


def _empty_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


READ_REFUSED = ReadError.rule_id  # F01


def _refused_unread(finding: Finding) -> bool:
    """Refused while it was read: F01 (a bomb, encrypted, too large…) or an F11 error (two
    sheets of one name, a roster over the cap): nothing to annotate, maybe a lot to open."""
    return finding.rule_id == READ_REFUSED or (finding.rule_id == "F11" and finding.is_error)
# what a cell's workbook unpacks to is ~200 KB; an annotated copy of anything much larger
# costs openpyxl seconds and hundreds of MB in the flow's own process
MAX_ANNOTATED_UNPACKED = 20 * 1024 * 1024


def _small(original: bytes) -> bool:
    """The zip's members, by their declared sizes, are small enough to open and copy."""
    try:
        with zipfile.ZipFile(io.BytesIO(original)) as archive:
            return sum(m.file_size for m in archive.infolist()) <= MAX_ANNOTATED_UNPACKED
    except (zipfile.BadZipFile, ValueError, EOFError):
        return False  # not a zip (an .xls): openpyxl could not open it anyway


def _open_copy(original: bytes) -> Workbook:
    """The cell's own workbook when openpyxl can open it (.xlsx), disarmed, else a fresh
    one. ``data_only``: every formula comes back as the value it last showed, so nothing
    the sender typed (``=HYPERLINK(…)``, a DDE call) is live in what we send; macros and
    links to other workbooks are dropped on loading."""
    try:
        workbook = load_workbook(io.BytesIO(original), data_only=True, keep_vba=False,
                                 keep_links=False, rich_text=False)
    except Exception:  # .xls, .ods or a broken file: the findings sheet alone
        return _empty_workbook()
    _disarm(workbook)
    return workbook


# a defined name that is a plain range ('Sheet 1'!$A$1:$B$9); any other (a formula, a DDE
# call, another workbook) would be evaluated by Excel when the feedback opens
_PLAIN_RANGE = re.compile(
    r"^(?:'[^']+'|[^'!\s()|\[\]]+)!\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?$")


def _disarm(workbook: Workbook) -> None:
    """Hyperlinks of the submitted workbook are not carried back, nor non-range names."""
    for ws in workbook.worksheets:
        # ws._cells holds only the cells the file has; iter_rows would create every cell of
        # the used rectangle
        for cell in ws._cells.values():
            if cell.hyperlink is not None:
                cell.hyperlink = None
        _drop_live_names(ws.defined_names)
    _drop_live_names(workbook.defined_names)


def _drop_live_names(names: dict[str, DefinedName]) -> None:
    for name, defined in list(names.items()):
        if not _PLAIN_RANGE.match(defined.attr_text or ""):
            del names[name]


# Characters of 12 pt text a line holds per unit of column width (the width of a "0" in
# the default font). Times New Roman holds about 1.25; where it is missing LibreOffice sets
# DejaVu Serif, wider: 1.12 measured on its PDF. 1.0 keeps a message whole in both.
_CHARS_PER_WIDTH = 1.0
LINE_PT = 16.0  # one wrapped line of 12 pt text, with its leading (Excel: 15.75)


def _wrapped_lines(text: str, width: float) -> int:
    """The lines ``text`` needs wrapped at word boundaries in a column ``width`` wide.
    Neither Excel nor LibreOffice grows a row with an explicit height (nor a merged cell)
    when it opens the file: the height we write is the height they show and print."""
    per_line = max(1, int(width * _CHARS_PER_WIDTH))
    return sum(max(1, len(textwrap.wrap(paragraph, per_line, break_long_words=True)))
               for paragraph in str(text).split("\n"))


def _fit(ws: Worksheet, row: int, text: object, width: float, line: float = LINE_PT) -> None:
    """Give ``row`` the height its wrapped ``text`` needs (never lower than it is)."""
    needed = _wrapped_lines(str(text), width) * line + 3
    ws.row_dimensions[row].height = max(ws.row_dimensions[row].height or 0, needed)


def _write_summary(ws: Worksheet, findings: list[Finding], ctx: FeedbackContext) -> None:
    for letter, width in zip("ABCDEFG", WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    row = _write_verdict(ws, findings, ctx)
    header_row = _write_details(ws, row + 1, findings, ctx) + 1
    _write_table(ws, header_row, findings)
    _write_fixed(ws, header_row + max(len(findings), 1) + 2,
                 fixed_findings(ctx.earlier_findings, findings), ctx)
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    # the widths add up to a landscape A4 page at 100 %: fitting the width never shrinks it
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _merged(ws: Worksheet, row: int, first: int, last: int, value: object,
            font: Font, alignment: Alignment) -> Cell:
    # the sheet is new: no range can overlap, so openpyxl's search for one is not needed
    merge(ws, row, first, row, last)
    cell = put(ws, row, first, value)
    cell.font, cell.alignment = font, alignment
    return cell


def _write_verdict(ws: Worksheet, findings: list[Finding], ctx: FeedbackContext) -> int:
    """The title, the verdict in large coloured words and what to do next; the last row."""
    last, full = len(COLUMNS), sum(WIDTHS)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    _merged(ws, 1, 1, last, "KẾT QUẢ KIỂM TRA BÁO CÁO PHÁT TRIỂN ĐẢNG",
            Font(name=FONT, size=14, bold=True), centred)
    ws.row_dimensions[1].height = 21
    word, colour, fill = VERDICTS[ctx.accepted]
    verdict = _merged(ws, 2, 1, last, word, Font(name=FONT, size=28, bold=True, color=colour),
                      centred)
    verdict.fill = PatternFill("solid", fgColor=fill)
    ws.row_dimensions[2].height = 42
    advice = _advice(ctx, findings)
    _merged(ws, 3, 1, last, advice, Font(name=FONT, size=14, bold=True, color=colour),
            centred)
    # 14 pt: fewer characters a line and taller lines than the 12 pt body
    _fit(ws, 3, advice, full * 12 / 14, line=LINE_PT * 14 / 12)
    return 3


def _write_details(ws: Worksheet, row: int, findings: list[Finding],
                   ctx: FeedbackContext) -> int:
    """Unit, month, file, version, arrival, conclusion, counts; the row after them."""
    bold, plain = Font(name=FONT, size=13, bold=True), Font(name=FONT, size=12)
    left = Alignment(horizontal="left", vertical="top", wrap_text=True)
    conclusion = ("HỢP LỆ — CHỜ XỬ LÝ: kỳ báo cáo đã được phê duyệt; bản điều chỉnh này được "
                  "lưu và chỉ đưa vào tổng hợp khi Ban Tổ chức mở lại kỳ báo cáo."
                  if ctx.pending else
                  "CHẤP NHẬN — báo cáo hợp lệ, đã đưa vào tổng hợp." if ctx.accepted else
                  "TRẢ LẠI — báo cáo có lỗi, đề nghị chi bộ sửa và gửi lại.")
    errors = sum(1 for f in findings if f.is_error)
    lines: list[tuple[str, object]] = [
        ("Đơn vị:", ctx.unit_label),
        ("Kỳ báo cáo:", _period_vi(ctx.period)),
        ("Tệp nhận được:", ctx.filename),
        ("Lần gửi thứ:", _version_text(ctx)),
        ("Thời điểm nhận:", ctx.received_at.strftime("%d/%m/%Y %H:%M")),
        ("Kết luận:", conclusion),
        ("Số lỗi / cảnh báo:", f"{errors} lỗi, {len(findings) - errors} cảnh báo"),
    ]
    if not ctx.accepted:
        lines.append(("Gửi lại bản đã sửa:", resend_by(ctx)))
    for r, (label, value) in enumerate(lines, start=row):
        _merged(ws, r, 1, 3, label, bold, left)
        _merged(ws, r, 4, len(COLUMNS), value, plain, left)
        _fit(ws, r, value, sum(WIDTHS[3:]))
    return row + len(lines)


def _write_table(ws: Worksheet, header_row: int, findings: list[Finding]) -> None:
    """One row per finding; its place links to the cell in the sender's own sheet."""
    bold, plain = Font(name=FONT, size=12, bold=True), Font(name=FONT, size=12)
    header = PatternFill("solid", fgColor="D9D9D9")
    for c, label in enumerate(COLUMNS, start=1):
        cell = put(ws, header_row, c, label)
        cell.font, cell.fill = bold, header
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        _fit(ws, header_row, label, WIDTHS[c - 1])
    for i, f in enumerate(findings, start=1):
        row = header_row + i
        _finding_row(ws, row, i, f, plain)
        ws.cell(row, 3).fill = FILLS[f.severity]
        where = _location(ws.parent, f)
        if where is not None:
            for c in (4, 5, 6):  # Trang, Dòng, Cột: any of them takes the reader there
                _link(ws.cell(row, c), where)
    if not findings:
        put(ws, header_row + 1, 1, "Không phát hiện sai sót.").font = plain


def _finding_row(ws: Worksheet, row: int, number: int, f: Finding, font: Font) -> None:
    values = (number, f.rule_id, SEVERITY_VI[f.severity], f.sheet or "", f.row or "",
              f.column or "", f.message)
    for c, value in enumerate(values, start=1):
        cell = put(ws, row, c, value)
        cell.font = font
        cell.alignment = Alignment(horizontal="center" if c in _CENTRED else None,
                                   wrap_text=c == len(COLUMNS), vertical="top")
    _fit(ws, row, f.message, WIDTHS[-1])


_CENTRED = (1, 2, 5, 6)  # STT, Quy tắc, Dòng, Cột: short codes
_COLUMN = re.compile(r"^[A-Z]{1,3}$")


def _location(workbook: Workbook, f: Finding) -> tuple[str, str] | None:
    """Where a finding's link goes (``'DanhSach'!$C$12``) and how its tooltip says it: a cell
    of the sender's own sheet when this feedback carries that sheet; None for a finding
    about the whole file."""
    if not f.sheet or f.sheet == SHEET or f.sheet not in workbook.sheetnames:
        return None
    column = f.column if f.column and _COLUMN.match(f.column) else "A"
    quoted = f.sheet.replace("'", "''")
    row = f.row or 1
    # absolute: LibreOffice reads a relative "C8" as R1C1 notation (column 8) and leaves
    # the link dead; "$C$8" means the same cell to Excel and to LibreOffice
    return f"'{quoted}'!${column}${row}", f"Đến ô {column}{row} của trang {f.sheet}"


def _link(cell: Cell, where: tuple[str, str]) -> None:
    # location only, no target: Excel and LibreOffice move to the cell, nothing is opened
    location, tooltip = where
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=location, tooltip=tooltip)
    cell.font = LINK_FONT


def _version_text(ctx: FeedbackContext) -> object:
    if ctx.version is None:
        return "—"
    if ctx.replaces_version is None:
        return ctx.version
    return f"{ctx.version} (thay cho lần gửi thứ {ctx.replaces_version})"


def _write_fixed(ws: Worksheet, row: int, fixed: list[Finding],
                 ctx: FeedbackContext) -> None:
    if ctx.replaces_version is None:
        return
    title = (f"Các sai sót của lần gửi thứ {ctx.replaces_version} đã được sửa: {len(fixed)}"
             if fixed else f"Lần gửi thứ {ctx.replaces_version} không có sai sót nào đã sửa.")
    put(ws, row, 1, title).font = Font(name=FONT, size=13, bold=True)
    plain = Font(name=FONT, size=12)
    for i, f in enumerate(fixed, start=1):
        _finding_row(ws, row + i, i, f, plain)


# A link that stays inside the workbook: a location only (no target, hence no
# relationship part), naming a cell or range of a sheet. Excel's sheet names cannot hold
# [ ] : \ / ? *, so a location in another file ("[x.xlsx]Sheet1!A1") never matches a name.
_INTERNAL = re.compile(r"^(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[^'!\s\[\]:\\/?*]+))"
                       r"!\$?[A-Z]{1,3}\$?[1-9]\d{0,6}(?::\$?[A-Z]{1,3}\$?[1-9]\d{0,6})?$")


def internal_link(link: Hyperlink, sheetnames: list[str]) -> bool:
    """Does ``link`` only move the reader to a cell of a sheet of this workbook? A target
    (http:, https:, file:, a UNC path, mailto:, anything) or a location elsewhere is not."""
    if link.target or link.id:
        return False
    match = _INTERNAL.match(link.location or "")
    if match is None:
        return False
    name = match["plain"] or match["quoted"].replace("''", "'")
    return name in sheetnames


def keep_internal_links_only(workbook: Workbook) -> int:
    """The output-safety rule for links in what we send: every hyperlink that is not an
    internal one (``internal_link``) is removed; returns how many were."""
    removed = 0
    for ws in workbook.worksheets:
        # ws._cells holds only the cells the file has; iter_rows would create every cell of
        # the used rectangle
        for cell in ws._cells.values():
            if cell.hyperlink is not None and not internal_link(cell.hyperlink,
                                                                workbook.sheetnames):
                cell.hyperlink = None
                removed += 1
    return removed


def _annotate(workbook: Workbook, findings: list[Finding]) -> None:
    notes: dict[tuple[str, int, str], list[Finding]] = {}
    for f in findings:
        if f.sheet in workbook.sheetnames and f.sheet != SHEET and f.row:
            notes.setdefault((f.sheet, f.row, f.column or "A"), []).append(f)
    for (sheet, row, column), found in notes.items():
        cell = _writable(workbook[sheet], f"{column}{row}")
        worst = ERROR if any(f.is_error for f in found) else "WARNING"
        cell.fill = FILLS[worst]
        text = "\n".join(f"[{f.rule_id} – {SEVERITY_VI[f.severity]}] {f.message}" for f in found)
        cell.comment = Comment(text, "cellreports", width=360, height=120)
        # printed too, after the sheet: a secretary who prints the file still sees them
        workbook[sheet].page_setup.cellComments = "atEnd"


def _writable(ws: Worksheet, coordinate: str) -> Cell:
    """A cell inside a merged range takes no comment: use the range's top-left cell."""
    cell = ws[coordinate]
    if isinstance(cell, MergedCell):
        for merged in ws.merged_cells.ranges:
            if coordinate in merged:
                return ws.cell(merged.min_row, merged.min_col)
    return cell


def _period_vi(period: str | None) -> str:
    if not period:
        return "không xác định"
    year, month = period.split("-")
    return f"Tháng {int(month)} năm {year}"
