"""forms.course_register: the Political Center's register, form BC-BDNTVĐ/1."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl

from forms.course_register import (
    COURSE_FIRST_ROW,
    COURSE_HEADER_ROW,
    CourseRecord,
    write_course_register,
)

LABELS = ["STT", "Họ và tên", "Ngày sinh", "Số định danh cá nhân", "Mã chi bộ", "Khóa học",
          "Từ ngày", "Đến ngày", "Kết quả", "Số GCN", "Ngày cấp GCN"]


def records() -> list[CourseRecord]:
    common = dict(unit_code="BL04", course_code="K01/2024", date_from=date(2024, 1, 8),
                  date_to=date(2024, 1, 12))
    return [
        CourseRecord(1, "Ka Điệp", date(2006, 3, 6), "068306962766", passed=True,
                     cert_no="12/GCN-TTCT", cert_date=date(2024, 1, 15), **common),
        CourseRecord(2, "K' Phi", date(2007, 6, 4), None, passed=False, cert_no=None,
                     cert_date=None, **common),
    ]


def test_register_sheet_header_and_rows():
    content = write_course_register(records(), course_code="K01/2024",
                                    title="DANH SÁCH HỌC VIÊN")
    ws = openpyxl.load_workbook(io.BytesIO(content))["HocVien"]
    assert [ws.cell(COURSE_HEADER_ROW, c).value for c in range(1, 12)] == LABELS
    first = [ws.cell(COURSE_FIRST_ROW, c).value for c in range(1, 12)]
    assert first == [1, "Ka Điệp", datetime(2006, 3, 6), "068306962766", "BL04", "K01/2024",
                     datetime(2024, 1, 8), datetime(2024, 1, 12), "Đạt", "12/GCN-TTCT",
                     datetime(2024, 1, 15)]
    assert ws.cell(COURSE_FIRST_ROW, 3).number_format == "dd/mm/yyyy"
    assert ws.cell(COURSE_FIRST_ROW, 4).data_type == "s"
    second = [ws.cell(COURSE_FIRST_ROW + 1, c).value for c in range(1, 12)]
    assert second[8] == "Không đạt" and second[9] is None and second[10] is None
    assert ws.cell(COURSE_FIRST_ROW + 2, 1).value is None
    assert "K01/2024" in ws["A3"].value


def test_register_bytes_are_reproducible():
    one = write_course_register(records(), course_code=None, title="X")
    assert one == write_course_register(records(), course_code=None, title="X")
    assert one != write_course_register(records()[:1], course_code=None, title="X")
