"""A finding: one rule broken at one place, with a message for the cell in Vietnamese."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "ERROR"
WARNING = "WARNING"

# Severity of each rule (shared/spec/RULES.md). A rule not listed here is a programming error.
# A rule with two levels gives the other one per expectation (suites.py: F11's hidden sheet,
# read and reported, is a WARNING; R04's province code and R05's upper age likewise).
SEVERITY: dict[str, str] = {
    **{r: ERROR for r in ("F01", "F02", "F03", "F04", "F05", "F07", "F10", "F11")},
    **{r: WARNING for r in ("F06", "F08", "F09")},
    **{r: ERROR for r in ("R01", "R02", "R03", "R04", "R05", "R06", "R08", "R09")},
    **{r: WARNING for r in ("R07", "R10", "R11")},
    "X01": ERROR, "X02": ERROR, "X03": WARNING,
    "H02": ERROR,
    **{r: WARNING for r in ("H01", "H03", "H04", "H05", "H06", "H07", "H08")},
    "C01": WARNING,
    # the province's checks of the districts' upward data files (docs/province.md)
    **{r: ERROR for r in ("P01", "P03", "P04", "P05", "P06", "P07", "P08")},
    "P02": WARNING,
}

# Short Vietnamese titles of the rules, for Data Docs and the feedback sheet.
RULE_TITLES: dict[str, str] = {
    "F01": "Tệp đọc được, không mã hóa, không quá giới hạn",
    "F02": "Đủ ba trang tính, đúng phiên bản biểu mẫu",
    "F03": "Đủ thông tin bắt buộc ở trang ThongTin, kỳ báo cáo đọc được",
    "F04": "Mã chi bộ có trong danh mục, còn hoạt động và thuộc đơn vị đang tổng hợp",
    "F05": "Gửi từ nơi được phép gửi cho chi bộ",
    "F06": "Kỳ báo cáo khác kỳ đang tổng hợp",
    "F07": "Đủ các cột của danh sách và các chỉ tiêu tổng hợp",
    "F08": "Tên chi bộ khớp danh mục",
    "F09": "Tệp có macro (đã bỏ qua)",
    "F10": "Kỳ báo cáo không sau tháng nhận tệp",
    "F11": "Mỗi trang của biểu mẫu có đúng một trang tính; danh sách không quá số dòng cho phép",
    "R01": "Đủ các ô bắt buộc theo giai đoạn",
    "R02": "Ngày tháng hợp lệ và hợp lý",
    "R03": "Giá trị mã hóa hợp lệ",
    "R04": "Số định danh cá nhân hợp lệ",
    "R05": "Đủ 18 tuổi (tính theo tháng), không quá 60 tuổi khi chi bộ đề nghị kết nạp",
    "R06": "Giấy chứng nhận BDNTVĐ còn giá trị khi chi bộ đề nghị kết nạp",
    "R07": "Giấy chứng nhận BDNTVĐ sắp hết hạn",
    "R08": "Thứ tự các ngày; đủ 12 tháng dự bị",
    "R09": "Không trùng STT, không trùng người",
    "R10": "Học sinh từ giai đoạn 4 là đoàn viên",
    "R11": "Dừng theo dõi có ghi lý do",
    "X01": "Số tổng hợp khớp danh sách",
    "X02": "Các chỉ tiêu tổng hợp nhất quán",
    "X03": "Chỉ tiêu kết nạp năm khớp chỉ tiêu được giao",
    "H01": "Giai đoạn không lùi so với tháng trước",
    "H02": "Lũy kế kết nạp không giảm",
    "H03": "Người của tháng trước không biến mất",
    "H04": "Không dừng lâu ở một giai đoạn",
    "H05": "Quyết định kết nạp đúng hạn",
    "H06": "Chuyển đảng chính thức đúng hạn",
    "H07": "Một người không ở hai chi bộ cùng kỳ",
    "H08": "Số liệu không biến động bất thường",
    "C01": "Giấy chứng nhận có trong sổ của Trung tâm Chính trị",
    "P01": "Tệp dữ liệu đủ các dòng bắt buộc (kể cả số 0), không trùng, đúng mã",
    "P02": "Kỳ của tệp dữ liệu khớp kỳ đang tổng hợp",
    "P03": "Đơn vị có trong danh mục của tỉnh, còn hoạt động, đúng cấp trên",
    "P04": "Cấp và mã cấp trên của đơn vị khớp danh mục",
    "P05": "Số của huyện bằng tổng số của các chi bộ",
    "P06": "Số chung bằng học sinh cộng viên chức",
    "P07": "Số báo cáo phải nộp, đã hợp lệ, đúng hạn nhất quán",
    "P08": "Không có dữ liệu cá nhân trong tệp dữ liệu",
}


@dataclass(frozen=True, order=True)
class Finding:
    rule_id: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str
    # a rule with two levels (R04's province code, R05's upper age) overrides its default
    level: str | None = None

    @property
    def severity(self) -> str:
        return self.level or SEVERITY[self.rule_id]

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def reading_order(finding: Finding) -> tuple[str, int, str, str, str]:
    """The order a file's findings are listed in: by sheet, row and column, then rule."""
    return (finding.sheet or "", finding.row or 0, finding.column or "", finding.rule_id,
            finding.message)


def count(findings: list[Finding]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = sum(1 for f in findings if f.is_error)
    return errors, len(findings) - errors
