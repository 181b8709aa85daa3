"""The layout of form BC-PTĐ-HS/1: sheet names, labels, codes.

One source of truth shared by the template writer, the reader, the validations and the
reports, so that a label changes in one place only.
"""

from __future__ import annotations

from dataclasses import dataclass

FORM_VERSION = "BC-PTĐ-HS/1"
KNOWN_FORM_VERSIONS = (FORM_VERSION,)

SHEET_INFO = "ThongTin"
SHEET_SUMMARY = "TongHop"
SHEET_ROSTER = "DanhSach"
SHEET_INSTRUCTIONS = "HuongDan"
REQUIRED_SHEETS = (SHEET_INFO, SHEET_SUMMARY, SHEET_ROSTER)

# Sheet ThongTin: field key -> (label as printed in the form, required)
INFO_FIELDS: dict[str, tuple[str, bool]] = {
    "unit_code": ("Mã chi bộ", True),
    "unit_name": ("Tên chi bộ", True),
    "period": ("Kỳ báo cáo", True),
    "report_date": ("Ngày lập", True),
    "prepared_by": ("Người lập", False),
    "secretary": ("Bí thư chi bộ", True),
    "form_version": ("Phiên bản biểu mẫu", True),
}
INFO_SEARCH_ROWS = 30

# Sheet TongHop
SUMMARY_HEADERS = {
    "code": "Mã số", "label": "Chỉ tiêu", "hoc_sinh": "Học sinh", "vien_chuc": "Viên chức",
}
POPULATIONS = ("hoc_sinh", "vien_chuc")
POPULATION_LABELS = {"hoc_sinh": "Học sinh", "vien_chuc": "Viên chức"}


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    from_roster: bool


INDICATORS: tuple[Indicator, ...] = (
    Indicator("TH01", "Tổng số", False),
    Indicator("TH02", "Trong đó: đủ 18 tuổi trở lên", False),
    Indicator("TH03", "Đoàn viên", False),
    Indicator("TH04", "Đảng viên", False),
    Indicator("TH05", "Quần chúng trong danh sách cảm tình đảng", True),
    Indicator("TH06", "– đã được phân công đảng viên giúp đỡ", True),
    Indicator("TH07", "– đã có giấy chứng nhận bồi dưỡng nhận thức về Đảng", True),
    Indicator("TH08", "– đang khai lý lịch, hoàn thiện hồ sơ", True),
    Indicator("TH09", "– đang thẩm tra, xác minh lý lịch", True),
    Indicator("TH10", "– chi bộ đã có nghị quyết đề nghị kết nạp", True),
    Indicator("TH11", "Kết nạp trong tháng", True),
    Indicator("TH12", "Lũy kế kết nạp từ đầu năm", True),
    Indicator("TH13", "Chỉ tiêu kết nạp năm", False),
    Indicator("TH14", "Đảng viên dự bị", True),
    Indicator("TH15", "Chuyển đảng chính thức trong tháng", True),
)
INDICATOR_CODES = tuple(i.code for i in INDICATORS)
ROSTER_INDICATORS = tuple(i.code for i in INDICATORS if i.from_roster)
INDICATOR_LABELS = {i.code: i.label for i in INDICATORS}

# Sheet DanhSach: field key -> label. Order is the template's column order.
ROSTER_COLUMNS: dict[str, str] = {
    "stt": "STT",
    "full_name": "Họ và tên",
    "birth_date": "Ngày sinh",
    "gender": "Giới tính",
    "pid": "Số định danh cá nhân",
    "ethnicity": "Dân tộc",
    "religion": "Tôn giáo",
    "population": "Đối tượng",
    "class_or_position": "Lớp / Chức vụ",
    "youth_union": "Đoàn viên",
    "stage": "Giai đoạn",
    "stage_date": "Ngày vào giai đoạn",
    "helper_1": "Người giúp đỡ 1",
    "helper_2": "Người giúp đỡ 2",
    "cert_no": "Số GCN BDNTVĐ",
    "cert_date": "Ngày cấp GCN",
    "resolution_date": "Ngày nghị quyết đề nghị kết nạp",
    "decision_no": "Số quyết định kết nạp",
    "decision_date": "Ngày quyết định kết nạp",
    "full_member_date": "Ngày chuyển chính thức",
    "note": "Ghi chú",
}
# Columns that must exist in the header row (F07). The PID column is "strongly recommended".
REQUIRED_ROSTER_COLUMNS = (
    "stt", "full_name", "birth_date", "gender", "ethnicity", "religion",
    "population", "youth_union", "stage", "stage_date",
)
ROSTER_DATE_FIELDS = (
    "birth_date", "stage_date", "cert_date", "resolution_date", "decision_date", "full_member_date",
)
# Required cells by stage (R01): field -> the lowest stage from which it is required.
REQUIRED_FROM_STAGE: dict[str, int] = {
    "stt": 0, "full_name": 0, "birth_date": 0, "gender": 0, "ethnicity": 0, "religion": 0,
    "population": 0, "stage": 0, "stage_date": 0,
    "helper_1": 2, "helper_2": 2,
    "cert_no": 3, "cert_date": 3,
    "resolution_date": 6,
    "decision_no": 7, "decision_date": 7,
}
# Stage 8 additionally requires the full-membership date; stage 0 requires none of 2+.

STAGES: dict[int, str] = {
    1: "Cảm tình đảng",
    2: "Được phân công giúp đỡ",
    3: "Đã học lớp BDNTVĐ",
    4: "Khai lý lịch",
    5: "Thẩm tra lý lịch",
    6: "Chi bộ đề nghị kết nạp",
    7: "Đảng viên dự bị",
    8: "Đảng viên chính thức",
    0: "Dừng theo dõi",
}
# Roster columns holding a code from a list (R03 checks all but religion, which is free text
# with "Không" for none).
CODED_FIELDS = ("gender", "ethnicity", "religion", "population", "youth_union", "stage")
CHECKED_CODES = tuple(f for f in CODED_FIELDS if f != "religion")
GENDERS = ("Nam", "Nữ")
YES, NO = "Có", "Không"
NO_RELIGION = "Không"

# Vietnam's 54 ethnic groups (official names) and common spellings of them.
ETHNIC_GROUPS: tuple[str, ...] = (
    "Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "Mông", "Dao", "Gia Rai",
    "Ê Đê", "Ba Na", "Sán Chay", "Chăm", "Cơ Ho", "Xơ Đăng", "Sán Dìu", "Hrê", "Ra Glai",
    "Mnông", "Thổ", "Xtiêng", "Khơ Mú", "Bru - Vân Kiều", "Cơ Tu", "Giáy", "Tà Ôi", "Mạ",
    "Giẻ Triêng", "Co", "Chơ Ro", "Xinh Mun", "Hà Nhì", "Chu Ru", "Lào", "La Chí",
    "Kháng", "Phù Lá", "La Hủ", "La Ha", "Pà Thẻn", "Lự", "Ngái", "Chứt", "Lô Lô",
    "Mảng", "Cơ Lao", "Bố Y", "Cống", "Si La", "Pu Péo", "Rơ Măm", "Brâu", "Ơ Đu",
)
ETHNIC_ALIASES: dict[str, str] = {
    "K'Ho": "Cơ Ho", "Koho": "Cơ Ho", "Cơ-ho": "Cơ Ho", "H'Mông": "Mông", "Hmông": "Mông",
    "Mèo": "Mông", "Êđê": "Ê Đê", "Ê-đê": "Ê Đê", "Gia-rai": "Gia Rai", "Jrai": "Gia Rai",
    "Bahnar": "Ba Na", "Raglai": "Ra Glai", "M'Nông": "Mnông", "X'Tiêng": "Xtiêng",
    "Churu": "Chu Ru", "Bru Vân Kiều": "Bru - Vân Kiều", "Vân Kiều": "Bru - Vân Kiều",
    "Khơ-me": "Khmer", "Khơme": "Khmer", "Việt": "Kinh",
}
MAJORITY_ETHNICITY = "Kinh"

# Breakdowns of the upward data file (EXPORT.md), in file order.
BREAKDOWNS = ("tong", "nu", "dan_toc_thieu_so", "ton_giao", "doan_vien")
