"""The feedback workbook as a cell secretary reads it (issue 20, points 6–8): the verdict in
large coloured words with the date to send a correction by, each finding linking to its
cell, every message whole in its row, links that never leave the workbook, and a reply's
name that never doubles its suffix."""

from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from factories import make_workbook
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from core.findings import WARNING, Finding
from reports.feedback import (
    SHEET,
    FeedbackContext,
    build_feedback,
    feedback_name,
    internal_link,
    keep_internal_links_only,
)
from services.feedback import feedback_workbook
from warehouse.feedback_log import Answer

RECEIVED = datetime(2024, 3, 20, 9, 0)
DEADLINE = date(2024, 3, 25)
TURNED_BACK = FeedbackContext("BL01_2024-03.xlsx", "Chi bộ Trường THPT Bảo Lâm (BL01)",
                              "2024-03", 1, RECEIVED, False, deadline=DEADLINE)
ACCEPTED = FeedbackContext("BL01_2024-03.xlsx", "Chi bộ Trường THPT Bảo Lâm (BL01)",
                           "2024-03", 1, RECEIVED, True, deadline=DEADLINE)
R03 = Finding("R03", "DanhSach", 8, "F", "Giới tính «Nm» không đúng danh mục.")
LONG = Finding("R02", "DanhSach", 9, "C", " ".join(
    ["Ngày sinh «31/02/2007» không phải là ngày có thật; đề nghị ghi lại đúng ngày, tháng,"
     " năm sinh theo giấy khai sinh hoặc căn cước công dân của quần chúng, dạng dd/mm/yyyy."]
    * 4))
TWO_PARAGRAPHS = Finding("H04", "DanhSach", 10, "J", "Quần chúng Nguyễn Văn Nam 3 dừng ở giai "
                         "đoạn 4 đã 7 tháng (từ 08/2023).\nĐề nghị chi bộ đôn đốc hoàn thiện "
                         "hồ sơ, báo cáo Ban Tổ chức.", WARNING)
WHOLE_FILE = Finding("F06", None, None, None, "Kỳ báo cáo khác kỳ đang tổng hợp.", WARNING)


def _first(content: bytes) -> Worksheet:
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames[0] == SHEET
    return workbook[SHEET]


def _texts(ws: Worksheet) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def _cell_with(ws: Worksheet, value: str):  # type: ignore[no-untyped-def]
    [cell] = [c for row in ws.iter_rows() for c in row if c.value == value]
    return cell


def _finding_rows(ws: Worksheet) -> dict[str, int]:
    """Rule id -> the row of its finding in the table (column B)."""
    return {str(ws.cell(r, 2).value): r for r in range(1, ws.max_row + 1)
            if re.fullmatch(r"[A-Z]\d\d", str(ws.cell(r, 2).value))}


# ---- 6. the verdict and the date to send a corrected file by


def test_a_turned_back_file_says_tra_lai_in_large_red_words_at_the_top():
    ws = _first(build_feedback(make_workbook(), [R03], TURNED_BACK))
    verdict = _cell_with(ws, "TRẢ LẠI")
    assert verdict.row <= 3
    assert verdict.font.sz >= 24 and verdict.font.b
    assert verdict.font.color.rgb.endswith("C00000")
    assert "NHẬN" not in _texts(ws)


def test_an_accepted_file_says_nhan_in_large_green_words_at_the_top():
    ws = _first(build_feedback(make_workbook(), [], ACCEPTED))
    verdict = _cell_with(ws, "NHẬN")
    assert verdict.row <= 3
    assert verdict.font.sz >= 24 and verdict.font.b
    assert verdict.font.color.rgb.endswith("006100")
    assert "Không cần gửi lại." in _texts(ws)
    assert not any("Gửi lại bản đã sửa" in t for t in _texts(ws))


def test_a_correction_kept_for_an_approved_month_says_nhan_and_that_it_waits():
    pending = replace(ACCEPTED, pending=True)
    ws = _first(build_feedback(make_workbook(), [], pending))
    assert _cell_with(ws, "NHẬN").row <= 3
    assert any(t.startswith("Không cần gửi lại: bản này được lưu, chờ Ban Tổ chức mở lại")
               for t in _texts(ws))


def test_a_file_turned_back_before_the_deadline_is_to_come_back_by_the_deadline():
    ws = _first(build_feedback(make_workbook(), [R03], TURNED_BACK))
    texts = _texts(ws)
    assert ("Đề nghị chi bộ sửa các lỗi dưới đây và gửi lại trước hạn nộp 25/03/2024."
            in texts)
    assert texts[texts.index("Gửi lại bản đã sửa:") + 1] == "trước hạn nộp 25/03/2024"


def test_a_file_turned_back_on_the_deadline_day_itself_still_has_until_that_day():
    late_evening = replace(TURNED_BACK, received_at=datetime(2024, 3, 25, 23, 30))
    texts = _texts(_first(build_feedback(make_workbook(), [R03], late_evening)))
    assert "trước hạn nộp 25/03/2024" in texts


def test_a_file_turned_back_after_the_deadline_is_to_come_back_as_soon_as_possible():
    """RULES.md allows no working days after the deadline: no date is promised."""
    late = replace(TURNED_BACK, received_at=datetime(2024, 3, 26, 8))
    texts = _texts(_first(build_feedback(make_workbook(), [R03], late)))
    assert "càng sớm càng tốt (đã quá hạn nộp 25/03/2024)" in texts
    assert not any("trước hạn nộp" in t for t in texts)


def test_a_file_of_unknown_month_is_to_come_back_as_soon_as_possible():
    unread = replace(TURNED_BACK, period=None, deadline=None)
    refused = Finding("F01", None, None, None, "Tệp không phải bảng tính Excel.")
    texts = _texts(_first(build_feedback(b"%PDF-1.4", [refused], unread)))
    assert "càng sớm càng tốt" in texts
    assert not any("hạn nộp" in t for t in texts)


def _answer(filename: str, version: int, received_at: datetime) -> Answer:
    return Answer(submission_id=1, filename=filename, unit_code="BL01", period="2024-03",
                  version=version, received_at=received_at, status="rejected",
                  sha256="0" * 64, sent=False, findings=(R03,), replaces_version=None,
                  earlier_findings=())


def test_the_service_takes_the_deadline_from_the_rule_book_in_local_time(settings, registry):
    """limits.csv: the 25th; 18:00 UTC on the 25th is already the 26th in Hồ Chí Minh."""
    before, _ = feedback_workbook(_answer("BL01_2024-03.xlsx", 1,
                                          datetime(2024, 3, 25, 16, 0, tzinfo=UTC)),
                                  make_workbook(), registry, settings)
    after, _ = feedback_workbook(_answer("BL01_2024-03.xlsx", 1,
                                         datetime(2024, 3, 25, 18, 0, tzinfo=UTC)),
                                 make_workbook(), registry, settings)
    assert "trước hạn nộp 25/03/2024" in _texts(_first(before))
    assert "25/03/2024 23:00" in _texts(_first(before))
    assert "càng sớm càng tốt (đã quá hạn nộp 25/03/2024)" in _texts(_first(after))


# ---- 7. each finding links to its cell; the links never leave the workbook


def test_each_finding_links_to_its_cell_in_the_senders_own_sheet():
    content = build_feedback(make_workbook(), [R03, LONG, WHOLE_FILE], TURNED_BACK)
    workbook = load_workbook(io.BytesIO(content))
    ws = workbook[SHEET]
    rows = _finding_rows(ws)
    for finding in (R03, LONG):
        links = [ws.cell(rows[finding.rule_id], c).hyperlink for c in (4, 5, 6)]
        expected = f"'DanhSach'!${finding.column}${finding.row}"
        assert all(link is not None and link.location == expected and not link.target
                   for link in links), links
        # following the link lands on the cell that carries the finding's comment
        sheet, cell = expected.replace("$", "").split("!")
        assert finding.rule_id in workbook[sheet.strip("'")][cell].comment.text
    assert all(ws.cell(rows["F06"], c).hyperlink is None for c in range(1, 8))


def test_the_links_are_written_as_locations_without_any_relationship():
    content = build_feedback(make_workbook(), [R03], TURNED_BACK)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        first = archive.read("xl/worksheets/sheet1.xml").decode()
        rels = b"".join(archive.read(n) for n in archive.namelist() if n.endswith(".rels"))
    assert "location=\"'DanhSach'!$F$8\"" in first
    assert "r:id" not in re.search(r"<hyperlinks>.*</hyperlinks>", first).group(0)
    assert b"relationships/hyperlink" not in rels


def test_a_findings_sheet_without_the_senders_sheets_has_no_links():
    """The cell's workbook could not be copied (here: not a workbook): nothing to go to."""
    ws = _first(build_feedback(b"not a workbook", [R03], TURNED_BACK))
    assert all(c.hyperlink is None for row in ws.iter_rows() for c in row)


@pytest.mark.parametrize(("link", "internal"), [
    (Hyperlink(ref="A1", location="'DanhSach'!$F$8"), True),
    (Hyperlink(ref="A1", location="DanhSach!B2"), True),
    (Hyperlink(ref="A1", location="'Tên có ''nháy'''!C3:D4"), True),
    (Hyperlink(ref="A1", target="http://evil.invalid/a"), False),
    (Hyperlink(ref="A1", target="https://evil.invalid/b"), False),
    (Hyperlink(ref="A1", target="file:///etc/passwd"), False),
    (Hyperlink(ref="A1", target="\\\\evil-host\\share\\x.xlsx"), False),
    (Hyperlink(ref="A1", target="mailto:x@evil.invalid"), False),
    (Hyperlink(ref="A1", target="#DanhSach!A1"), False),
    (Hyperlink(ref="A1", target="http://evil.invalid", location="DanhSach!A1"), False),
    (Hyperlink(ref="A1", location="'[khac.xlsx]DanhSach'!A1"), False),
    (Hyperlink(ref="A1", location="[khac.xlsx]DanhSach!A1"), False),
    (Hyperlink(ref="A1", location="'KhongCo'!A1"), False),
    (Hyperlink(ref="A1", location="DM_GioiTinh"), False),
    (Hyperlink(ref="A1", location="DanhSach!A1 http://evil.invalid"), False),
])
def test_only_a_location_on_a_sheet_of_the_workbook_is_an_internal_link(link, internal):
    assert internal_link(link, ["DanhSach", "Tên có 'nháy'"]) is internal


def test_the_safety_rule_keeps_internal_links_and_removes_external_ones_from_the_file():
    workbook = Workbook()
    ws = workbook.active
    ws.title = "DanhSach"
    workbook.create_sheet("Khac")
    planted = {"A1": "http://evil.invalid/a", "A2": "https://evil.invalid/b",
               "A3": "file:///etc/passwd", "A4": "\\\\evil-host\\share\\x.xlsx",
               "A5": "mailto:x@evil.invalid"}
    for coordinate, target in planted.items():
        ws[coordinate] = "bấm vào đây"
        ws[coordinate].hyperlink = target
    ws["A6"] = "xem tệp khác"
    ws["A6"].hyperlink = Hyperlink(ref="A6", location="'[khac.xlsx]Sheet1'!A1")
    ws["B1"].hyperlink = Hyperlink(ref="B1", location="'Khac'!$C$3")
    ws["B2"].hyperlink = Hyperlink(ref="B2", location="DanhSach!A1")
    assert keep_internal_links_only(workbook) == 6
    out = io.BytesIO()
    workbook.save(out)
    result = load_workbook(io.BytesIO(out.getvalue()))
    links = {(s.title, c.coordinate): c.hyperlink.location for s in result.worksheets
             for row in s.iter_rows() for c in row if c.hyperlink is not None}
    assert links == {("DanhSach", "B1"): "'Khac'!$C$3", ("DanhSach", "B2"): "DanhSach!A1"}
    with zipfile.ZipFile(out) as archive:
        every_part = b"".join(archive.read(name) for name in archive.namelist())
    for text in (b"evil", b"passwd", b"mailto", b"khac.xlsx"):
        assert text not in every_part


# ---- 7. whole messages: wrapped, in a wide column, rows high enough


def _lines_needed(text: str, width: float) -> int:
    """At most one character per unit of column width, each paragraph on its own lines."""
    return sum(max(1, math.ceil(len(p) / width)) for p in text.split("\n"))


def test_every_message_row_is_high_enough_for_its_wrapped_message():
    fixed_earlier = Finding("R01", "DanhSach", 5, "B", LONG.message)
    ctx = replace(TURNED_BACK, version=2, replaces_version=1,
                  earlier_findings=(fixed_earlier,))
    findings = [R03, LONG, TWO_PARAGRAPHS, WHOLE_FILE]
    ws = _first(build_feedback(make_workbook(), findings, ctx))
    width = ws.column_dimensions["G"].width
    assert width >= 60
    rows = [r for r in range(1, ws.max_row + 1)
            if ws.cell(r, 7).value in {f.message for f in [*findings, fixed_earlier]}]
    assert len(rows) == len(findings) + 1
    for r in rows:
        message = ws.cell(r, 7).value
        assert ws.cell(r, 7).alignment.wrap_text
        assert ws.row_dimensions[r].height >= _lines_needed(message, width) * 15, message
    assert ws.row_dimensions[rows[1]].height >= 5 * 15  # the long one: ~330 characters


def test_a_long_file_name_gets_a_row_high_enough_in_the_details():
    long_name = "Bao cao phat trien dang vien thang 3 " * 4 + ".xlsx"
    ctx = replace(TURNED_BACK, filename=long_name)
    ws = _first(build_feedback(make_workbook(), [R03], ctx))
    cell = _cell_with(ws, long_name)
    width = sum(ws.column_dimensions[letter].width for letter in "DEFG")
    assert cell.alignment.wrap_text
    assert ws.row_dimensions[cell.row].height >= _lines_needed(long_name, width) * 15


def test_the_findings_sheet_prints_on_landscape_a4_without_shrinking():
    ws = _first(build_feedback(make_workbook(), [R03], TURNED_BACK))
    widths = sum(ws.column_dimensions[letter].width for letter in "ABCDEFG")
    assert widths <= 110  # about 750 pt where a unit is widest: the page holds 770
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.page_margins.left == ws.page_margins.right == 0.5
    header = _cell_with(ws, "Nội dung").row
    assert ws.print_title_rows == f"${header}:${header}"  # repeated on every page


# ---- 8. the second reply's name; our own feedback sent back


@pytest.mark.parametrize(("received", "version", "expected"), [
    ("X_KetQuaKiemTra.xlsx", 2, "X_KetQuaKiemTra_lan2.xlsx"),
    ("X_KetQuaKiemTra_lan2.xlsx", 2, "X_KetQuaKiemTra_lan2.xlsx"),
    ("X_KetQuaKiemTra_lan2.xlsx", 3, "X_KetQuaKiemTra_lan3.xlsx"),
    ("X_KetQuaKiemTra_KetQuaKiemTra_lan2.xlsx", 3, "X_KetQuaKiemTra_lan3.xlsx"),
    ("X_KetQuaKiemTra (2).xlsx", 2, "X_KetQuaKiemTra_lan2.xlsx"),
    ("X_KetQuaKiemTra_lan2_1a2b3c4d.xlsx", 3, "X_KetQuaKiemTra_lan3.xlsx"),
    ("X_ketquakiemtra-lan2 - Copy.xlsx", 3, "X_KetQuaKiemTra_lan3.xlsx"),
    ("X.xlsx", 1, "X_KetQuaKiemTra.xlsx"),
    ("X.xls", 2, "X_KetQuaKiemTra_lan2.xlsx"),
])
def test_a_reply_to_our_own_feedback_sent_back_never_doubles_the_suffix(received, version,
                                                                         expected):
    assert feedback_name(received, version) == expected


def test_a_name_that_is_only_our_suffix_becomes_the_units_month():
    assert (feedback_name("KetQuaKiemTra_lan2.xlsx", 3, unit="BL01", period="2024-03")
            == "BL01_2024-03_KetQuaKiemTra_lan3.xlsx")
    assert feedback_name("_KetQuaKiemTra.xlsx", 2) == "tep_KetQuaKiemTra_lan2.xlsx"


def test_the_service_names_the_reply_to_our_feedback_sent_back(settings, registry):
    _, name = feedback_workbook(_answer("BL01_2024-03_KetQuaKiemTra_lan2.xlsx", 3,
                                        datetime(2024, 3, 21, 2, 0, tzinfo=UTC)),
                                make_workbook(), registry, settings)
    assert name == "BL01_2024-03_KetQuaKiemTra_lan3.xlsx"


def test_our_feedback_sent_back_as_the_correction_gets_one_fresh_findings_sheet():
    first = build_feedback(make_workbook(), [R03], TURNED_BACK)
    again = replace(TURNED_BACK, version=2, replaces_version=1, earlier_findings=(R03,))
    second = load_workbook(io.BytesIO(build_feedback(first, [LONG], again)))
    assert [n for n in second.sheetnames if n.startswith(SHEET)] == [SHEET]
    assert second.sheetnames[0] == SHEET
    texts = _texts(second[SHEET])
    assert LONG.message in texts and "2 (thay cho lần gửi thứ 1)" in texts
    # only the findings sheet is selected: two selected tabs would take typing into both
    assert [ws.title for ws in second.worksheets if ws.sheet_view.tabSelected] == [SHEET]
