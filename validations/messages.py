"""Vietnamese messages for findings: what is wrong, where, and what to do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pandas as pd

from core import layout
from core.register import COURSE_COLUMNS

# connectors/mail_auth.py: the sender of a file whose message the district's mail server did
# not vouch for (its From address follows the marker)
UNVERIFIED = "unverified:"

LABELS = {**COURSE_COLUMNS, **{f: label for f, (label, _req) in layout.INFO_FIELDS.items()},
          **layout.ROSTER_COLUMNS}


def show(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def _d(extra: dict[str, Any], column: str) -> str:
    """A derived value of the frame row, for the sentence."""
    derived = extra.get("derived")
    return show(derived[column]) if derived is not None else ""


def _population(extra: dict[str, Any]) -> str:
    return layout.POPULATION_LABELS.get(str(extra.get("population")), "")


def _person(row: Any) -> str:
    """A person of the roster by row and name: the identification number itself is never
    repeated (findings are stored, shown in artifacts, logs and other cells' views)."""
    name = f" ({row.full_name})" if row.full_name else ""
    return f"Người ở dòng {row.excel_row}{name}"


def _required(label: str, field: str | None, value: object, extra: dict[str, Any]) -> str:
    stage = layout.REQUIRED_FROM_STAGE.get(field or "", 8)
    when = f" (bắt buộc từ giai đoạn {stage})" if stage else ""
    return f"Thiếu «{label}»{when}. Đề nghị điền đầy đủ."


def _quoted(value: object, limit: int = 80) -> str:
    """A received value quoted in a sentence: at most ``limit`` characters and "…" — a
    10,000-character name must not make a 10,000-character finding (stored, shown)."""
    text = show(value)
    return text if len(text) <= limit else f"{text[:limit]}…"


def _d_raw(extra: dict[str, Any], column: str) -> object:
    """A derived value of the frame row as it is (a name, a month), None without a row."""
    derived = extra.get("derived")
    return None if derived is None else derived[column]


def _month(period: object) -> str:
    """A YYYY-MM period as the form writes it: 06/2027."""
    text = show(period)
    return f"{text[5:]}/{text[:4]}" if len(text) == 7 and text[4] == "-" else text


# F04: what the sender should do depends on why the code is not one of the run's cells
_UNIT_STATUS: dict[str, str] = {
    "inactive": "Mã chi bộ «{v}» không còn hoạt động trong kỳ {period}. "
                "Đề nghị kiểm tra lại mã chi bộ.",
    "not_a_cell": "Mã «{v}» là mã của cấp ủy hoặc đơn vị khác, không phải chi bộ báo cáo. "
                  "Đề nghị ghi mã chi bộ của mình.",
    "unknown": "Mã chi bộ «{v}» không có trong danh mục đơn vị của huyện. "
               "Đề nghị kiểm tra lại mã chi bộ.",
}


def _unit_status(value: object, extra: dict[str, Any]) -> str:
    status = str(extra.get("status"))
    if status == "elsewhere":
        return _elsewhere(show(value), extra)
    template = _UNIT_STATUS.get(status, _UNIT_STATUS["unknown"])
    return template.format(v=_quoted(value), period=extra.get("period"))


def _elsewhere(code: str, extra: dict[str, Any]) -> str:
    """Another unit's cell (a province-wide registry): the unit it belongs to, so that the
    report reaches it, or the code is corrected if it was a slip."""
    name, home, here = (_d_raw(extra, c) for c in ("registry_name", "home_unit", "run_unit"))
    cell = f"Chi bộ {code} ({name})" if name else f"Chi bộ {code}"
    if not home:
        return (f"{cell} không thuộc {here}; đề nghị gửi báo cáo cho cấp ủy cấp trên của chi "
                "bộ (nếu ghi nhầm mã chi bộ, đề nghị sửa lại rồi gửi lại).")
    return (f"{cell} thuộc {home}, không thuộc {here}; đề nghị gửi báo cáo cho {home} "
            "(nếu ghi nhầm mã chi bộ, đề nghị sửa lại rồi gửi lại).")


def _hidden_sheets(names: object) -> str:
    """F11 (WARNING): the hidden form sheets that were read, named as the sender sees them."""
    sheets = list(names) if isinstance(names, tuple | list) else [show(names)]
    quoted = ", ".join(f"«{_quoted(n, 40)}»" for n in sheets)
    how = ("(nhấp chuột phải vào tên một trang tính, chọn «Bỏ ẩn») trước khi gửi các báo cáo "
           "sau.")
    if len(sheets) == 1:
        return (f"Trang {quoted} đang bị ẩn; hệ thống đã đọc trang này vì không có trang "
                f"{quoted} hiển thị. Đề nghị bỏ ẩn trang này {how}")
    return (f"Các trang {quoted} đang bị ẩn; hệ thống đã đọc các trang này vì không có trang "
            f"cùng tên hiển thị. Đề nghị bỏ ẩn các trang này {how}")


def _counted_from_roster(codes: object) -> str:
    """X01 (WARNING): TongHop's formulas saved without their results, counted from the roster."""
    listed = ", ".join(str(codes).split(";"))
    return (f"Các chỉ tiêu {listed} ở trang TongHop là công thức chưa được tính (tệp được lưu "
            "bằng chương trình không tự tính công thức) nên hệ thống đã tự đếm các chỉ tiêu "
            "này từ trang DanhSach. Đề nghị mở tệp bằng Excel hoặc LibreOffice và lưu lại "
            "trước khi gửi các báo cáo sau.")


MESSAGES: dict[str, Callable[[str, str | None, object, dict[str, Any]], str]] = {
    # F — file and structure
    "form_version": lambda label, f, v, x: (
        f"Phiên bản biểu mẫu «{show(v)}» không đúng; đề nghị dùng biểu mẫu {layout.FORM_VERSION}."),
    "header_required": lambda label, f, v, x: (
        f"Trang ThongTin thiếu «{label}». Đề nghị điền đầy đủ."),
    "header_bad": lambda label, f, v, x: (
        f"«{label}» ghi «{show(v)}» không đọc được "
        f"({'ví dụ 03/2024' if f == 'period' else 'ví dụ 20/03/2024'})."),
    "unit_status": lambda label, f, v, x: _unit_status(v, x),
    "sender": lambda label, f, v, x: (
        f"Không xác thực được thư gửi đến: máy chủ thư của huyện không xác nhận thư được gửi "
        f"từ địa chỉ «{_quoted(str(x['sender']).removeprefix(UNVERIFIED))}» (địa chỉ người "
        f"gửi có thể bị giả mạo), nên tệp không được tiếp nhận cho chi bộ «{show(v)}». "
        "Đề nghị gửi lại từ hộp thư đã đăng ký với Ban Tổ chức Huyện ủy; nếu thư đã được gửi "
        "đúng từ hộp thư đó, đề nghị báo Ban Tổ chức Huyện ủy để kiểm tra."
        if str(x.get("sender") or "").startswith(UNVERIFIED) else
        f"Tệp được gửi từ nơi không được phép gửi báo cáo cho chi bộ «{show(v)}». "
        "Đề nghị gửi từ địa chỉ (thư mục) đã đăng ký với Ban Tổ chức Huyện ủy."),
    "other_period": lambda label, f, v, x: (
        f"Báo cáo ghi kỳ {show(v)}, khác kỳ đang tổng hợp {x.get('run_period')}; "
        "báo cáo được lưu vào đúng kỳ đã ghi."),
    "future_period": lambda label, f, v, x: (
        f"Báo cáo ghi kỳ {_month(v)}, sau tháng nhận tệp ({_month(_d_raw(x, 'arrival_period'))})"
        ": không nhận báo cáo cho tháng chưa đến. Đề nghị kiểm tra lại «Kỳ báo cáo» ở trang "
        "ThongTin (ghi tháng/năm của kỳ báo cáo, ví dụ 03/2024) rồi gửi lại."),
    "hidden_sheet": lambda label, f, v, x: _hidden_sheets(v),
    "counted_from_roster": lambda label, f, v, x: _counted_from_roster(v),
    "missing_columns": lambda label, f, v, x: (
        "Trang DanhSach thiếu cột: "
        f"{', '.join(layout.ROSTER_COLUMNS[c] for c in str(v).split(';'))}. "
        "Đề nghị dùng đúng biểu mẫu."),
    "missing_codes": lambda label, f, v, x: (
        f"Trang TongHop thiếu chỉ tiêu: {str(v).replace(';', ', ')}. Đề nghị dùng đúng biểu mẫu."),
    "register_unit": lambda label, f, v, x: (
        f"Mã chi bộ «{show(v)}» trong sổ học viên không có trong danh mục đơn vị."),
    "unit_name": lambda label, f, v, x: (
        f"Tên chi bộ «{_quoted(v)}» khác tên trong danh mục đơn vị; đề nghị ghi đúng tên."),
    "macros": lambda label, f, v, x: (
        "Tệp có chứa macro; macro đã được bỏ qua, không chạy. Đề nghị lưu tệp dạng .xlsx."),
    # R — roster rows
    "required": _required,
    "bad_date": lambda label, f, v, x: (
        f"«{label}» ghi «{show(v)}» không phải ngày hợp lệ. "
        "Đề nghị ghi theo dạng ngày/tháng/năm (ví dụ 05/03/2007)."),
    "birth_too_early": lambda label, f, v, x: (
        f"Ngày sinh {show(v)} không hợp lý (trước năm {_d(x, 'earliest_birth')[-4:]}). "
        "Đề nghị kiểm tra lại."),
    "birth_too_late": lambda label, f, v, x: (
        f"Ngày sinh {show(v)} sau kỳ báo cáo, không hợp lý. Đề nghị kiểm tra lại."),
    "after_report": lambda label, f, v, x: (
        f"«{label}» {show(v)} sau «Ngày lập» báo cáo {_d(x, 'report_date')}. "
        "Ngày của các giai đoạn không thể sau ngày lập báo cáo."),
    "coded": lambda label, f, v, x: (
        f"«{label}» ghi «{show(v)}» không thuộc danh mục. "
        "Đề nghị chọn một giá trị trong danh sách thả xuống."),
    # the number itself is never repeated: findings are stored and PIDs only as keyed hashes
    "pid_digits": lambda label, f, v, x: (
        "Số định danh cá nhân ở ô này không đủ 12 chữ số. Đề nghị ghi đúng 12 chữ số."),
    "pid_gender": lambda label, f, v, x: (
        "Số định danh cá nhân ở ô này: chữ số thứ 4 không khớp giới tính và thế kỷ sinh "
        "(0/1: nam/nữ sinh 1900–1999; 2/3: nam/nữ sinh 2000–2099). Đề nghị kiểm tra lại."),
    "pid_year": lambda label, f, v, x: (
        "Số định danh cá nhân ở ô này: chữ số thứ 5–6 không khớp năm sinh. "
        "Đề nghị kiểm tra lại số định danh hoặc ngày sinh."),
    "pid_province": lambda label, f, v, x: (
        "Số định danh cá nhân ở ô này: ba chữ số đầu không phải mã tỉnh, thành phố. "
        "Đề nghị kiểm tra lại."),
    "stt_twice": lambda label, f, v, x: (
        f"Số thứ tự {show(v)} bị trùng trong danh sách. Đề nghị đánh số lại."),
    "person_twice": lambda label, f, v, x: (
        f"«{show(v)}» được ghi hai lần trong danh sách (trùng số định danh hoặc họ tên và "
        "ngày sinh). Đề nghị bỏ dòng trùng."),
    "too_young": lambda label, f, v, x: (
        f"Ngày nghị quyết đề nghị kết nạp {show(v)}: quần chúng (sinh {show(x['row'].birth_date)})"
        " chưa đủ 18 tuổi tính theo tháng. Đề nghị kiểm tra lại."),
    "too_old": lambda label, f, v, x: (
        f"Quần chúng (sinh {show(x['row'].birth_date)}) đã quá 60 tuổi tại ngày nghị quyết "
        f"{show(v)}: việc kết nạp cần Ban Thường vụ Tỉnh ủy đồng ý."),
    "cert_expired": lambda label, f, v, x: (
        f"Giấy chứng nhận BDNTVĐ cấp ngày {show(v)} đã hết hạn (giá trị đến "
        f"{_d(x, 'cert_valid_until')}) trước ngày nghị quyết đề nghị kết nạp. "
        "Quần chúng cần học lại lớp bồi dưỡng."),
    "cert_expiring": lambda label, f, v, x: (
        f"Giấy chứng nhận BDNTVĐ cấp ngày {show(v)} hết hạn ngày {_d(x, 'cert_valid_until')}"
        "; đề nghị chi bộ hoàn thiện hồ sơ trước khi giấy hết hạn."),
    "order": lambda label, f, v, x: (
        f"«{label}» {show(v)} sớm hơn ngày của giai đoạn trước. Thứ tự phải là: cấp GCN ≤ "
        "nghị quyết chi bộ ≤ quyết định kết nạp ≤ chuyển chính thức."),
    "probation": lambda label, f, v, x: (
        f"Ngày chuyển chính thức {show(v)} chưa đủ 12 tháng dự bị kể từ ngày quyết định kết nạp "
        f"{show(x['row'].decision_date)}. Đề nghị kiểm tra lại."),
    "youth_union": lambda label, f, v, x: (
        "Học sinh từ giai đoạn khai lý lịch trở đi nhưng chưa là đoàn viên; "
        "học sinh trong độ tuổi đoàn cần được Đoàn giới thiệu."),
    "stop_reason": lambda label, f, v, x: (
        "Dừng theo dõi (giai đoạn 0) nhưng chưa ghi lý do ở cột «Ghi chú»."),
    # X — summary against roster
    "roster_count": lambda label, f, v, x: (
        f"Chỉ tiêu {x.get('code')} ({_population(x)}) ghi {show(v)} nhưng danh sách trang "
        f"DanhSach cho {x.get('derived')}. Đề nghị đối chiếu và sửa cho khớp."),
    "not_a_number": lambda label, f, v, x: (
        f"Chỉ tiêu {x.get('code')} ghi «{show(v)}» không phải số nguyên."),
    "negative": lambda label, f, v, x: (
        f"Chỉ tiêu {x.get('code')} ghi {show(v)}: số liệu không được âm."),
    "part_of_total": lambda label, f, v, x: (
        f"Chỉ tiêu {f} ({_population(x)}) = {show(v)} lớn hơn TH01 Tổng số = "
        f"{_d(x, 'TH01')}. Đề nghị kiểm tra lại."),
    "ytd_below_month": lambda label, f, v, x: (
        f"Lũy kế kết nạp từ đầu năm (TH12, {_population(x)}) = {show(v)} nhỏ hơn số kết nạp "
        f"trong tháng (TH11) = {_d(x, 'TH11')}."),
    "target": lambda label, f, v, x: (
        f"Chỉ tiêu kết nạp năm (TH13, {_population(x)}) ghi {show(v)}, khác chỉ tiêu được giao "
        f"{_d(x, 'target')}."),
    # H — against history
    "ytd_fell": lambda label, f, v, x: (
        f"Lũy kế kết nạp từ đầu năm (TH12, {_population(x)}) = {show(v)} thấp hơn lũy kế tháng "
        f"trước cộng số kết nạp trong tháng ({_d(x, 'min_TH12')})."),
    "outlier": lambda label, f, v, x: (
        f"Chỉ tiêu {f} ({_population(x)}) = {show(v)} thay đổi "
        f"{float(x['derived'][f'{f}_change']):.0%} so với tháng trước. Đề nghị kiểm tra lại."),
    "stage_back": lambda label, f, v, x: (
        f"Giai đoạn {show(v)} lùi so với tháng trước (giai đoạn {_d(x, 'prev_stage')}). "
        "Đề nghị kiểm tra lại hoặc ghi rõ lý do."),
    "missing_person": lambda label, f, v, x: (
        f"«{show(v)}» có trong danh sách kỳ {x.get('last_period')} (giai đoạn "
        f"{show(x.get('last_stage'))}) nhưng không có trong danh sách kỳ này, cũng chưa ghi "
        "dừng theo dõi (giai đoạn 0) hay chuyển chính thức (giai đoạn 8)."),
    "stalled": lambda label, f, v, x: (
        f"Ở cùng giai đoạn {show(x['row'].stage)} từ ngày {show(v)}, đã quá "
        "thời gian theo dõi bình thường; đề nghị chi bộ đôn đốc hoàn thiện hồ sơ."),
    "decision_overdue": lambda label, f, v, x: (
        f"Chi bộ đề nghị kết nạp từ {show(v)}, quá thời hạn ra quyết định (hạn "
        f"{_d(x, 'decision_due')}) mà chưa có quyết định kết nạp."),
    "membership_overdue": lambda label, f, v, x: (
        f"Kết nạp ngày {show(v)}, quá thời hạn xét chuyển đảng chính thức (hạn "
        f"{_d(x, 'full_member_due')})."),
    "listed_elsewhere": lambda label, f, v, x: (
        f"{_person(x['row'])} cũng có trong danh sách của chi bộ {_d(x, 'other_cells')} "
        "cùng kỳ (cùng số định danh cá nhân). Đề nghị hai chi bộ thống nhất."),
    # C — across sources
    "cert_unknown": lambda label, f, v, x: (
        f"Giấy chứng nhận số «{show(v)}» không có trong sổ học viên của Trung tâm Chính trị. "
        "Đề nghị kiểm tra lại số và ngày cấp."),
}


def message(check: str, field: str | None, value: object = None, **extra: Any) -> str:
    label = LABELS.get(field or "", field or "")
    return MESSAGES[check](label, field, value, extra)
