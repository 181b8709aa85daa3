"""The Political Center's course register (form BC-BDNTVĐ/1, sheet HocVien) as plain data:
its columns, and a register as read. The district checks the certificates the cells claim
against it (rule C01)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

COURSE_FORM_VERSION = "BC-BDNTVĐ/1"
SHEET_ATTENDEES = "HocVien"
PASSED, FAILED = "Đạt", "Không đạt"

# field -> header label, in the register's column order
COURSE_COLUMNS: dict[str, str] = {
    "stt": "STT",
    "full_name": "Họ và tên",
    "birth_date": "Ngày sinh",
    "pid": "Số định danh cá nhân",
    "unit_code": "Mã chi bộ",
    "course_code": "Khóa học",
    "date_from": "Từ ngày",
    "date_to": "Đến ngày",
    "passed": "Kết quả",
    "cert_no": "Số GCN",
    "cert_date": "Ngày cấp GCN",
}
REGISTER_SHEET = SHEET_ATTENDEES


@dataclass
class RegisterRow:
    """One learner of a course; unreadable values are kept as raw text in ``invalid``."""

    excel_row: int
    full_name: str | None = None
    birth_date: date | None = None
    pid: str | None = None
    unit_code: str | None = None
    course_code: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    passed: bool | None = None
    cert_no: str | None = None
    cert_date: date | None = None
    invalid: dict[str, str] = field(default_factory=dict)


@dataclass
class CourseRegister:
    rows: list[RegisterRow]
    columns: dict[str, str]  # field -> Excel column letter
    header_row: int
