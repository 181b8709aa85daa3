"""Vietnamese messages for findings: what is wrong and what to do."""

from __future__ import annotations

from datetime import date, datetime

from forms import layout

LABELS = {**{f: label for f, (label, _req) in layout.INFO_FIELDS.items()}, **layout.ROSTER_COLUMNS}
REQUIRED_STAGE_TEXT = {0: "", 2: " (bắt buộc từ giai đoạn 2)", 3: " (bắt buộc từ giai đoạn 3)",
                       6: " (bắt buộc từ giai đoạn 6)", 7: " (bắt buộc từ giai đoạn 7)"}


def show(value: object) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def message(check: str, field: str | None, value: object = None, **extra: object) -> str:
    label = LABELS.get(field or "", field or "")
    if check == "required":
        stage = layout.REQUIRED_FROM_STAGE.get(field or "", 8)
        when = REQUIRED_STAGE_TEXT.get(stage, " (bắt buộc ở giai đoạn 8)")
        return f"Thiếu «{label}»{when}. Đề nghị điền đầy đủ."
    if check == "bad_date":
        return (f"«{label}» ghi «{show(value)}» không phải ngày hợp lệ. "
                "Đề nghị ghi theo dạng ngày/tháng/năm (ví dụ 05/03/2007).")
    if check == "birth_too_early":
        return f"Ngày sinh {show(value)} không hợp lý (trước năm 1940). Đề nghị kiểm tra lại."
    if check == "birth_too_late":
        return f"Ngày sinh {show(value)} sau kỳ báo cáo, không hợp lý. Đề nghị kiểm tra lại."
    if check == "after_report":
        return (f"«{label}» {show(value)} sau «Ngày lập» báo cáo {show(extra.get('report_date'))}."
                " Ngày của các giai đoạn không thể sau ngày lập báo cáo.")
    if check == "coded":
        return (f"«{label}» ghi «{show(value)}» không thuộc danh mục. "
                "Đề nghị chọn một giá trị trong danh sách thả xuống.")
    if check == "roster_count":
        population = layout.POPULATION_LABELS.get(str(extra.get("population")), "")
        return (f"Chỉ tiêu {extra.get('code')} ({population}) ghi {show(value)} nhưng danh sách "
                f"trang DanhSach cho {extra.get('derived')}. Đề nghị đối chiếu và sửa cho khớp.")
    if check == "not_a_number":
        return f"Chỉ tiêu {extra.get('code')} ghi «{show(value)}» không phải số nguyên."
    if check == "negative":
        return f"Chỉ tiêu {extra.get('code')} ghi {show(value)}: số liệu không được âm."
    if check == "form_version":
        return (f"Phiên bản biểu mẫu «{show(value)}» không đúng; "
                f"đề nghị dùng biểu mẫu {layout.FORM_VERSION}.")
    if check == "header_required":
        return f"Trang ThongTin thiếu «{label}». Đề nghị điền đầy đủ."
    if check == "header_bad":
        hint = "ví dụ 03/2024" if field == "period" else "ví dụ 20/03/2024"
        return f"«{label}» ghi «{show(value)}» không đọc được ({hint})."
    if check == "other_period":
        return (f"Báo cáo ghi kỳ {show(value)}, khác kỳ đang tổng hợp {extra.get('run_period')}; "
                "báo cáo được lưu vào đúng kỳ đã ghi.")
    if check == "unit_status":
        if extra.get("status") == "inactive":
            return (f"Mã chi bộ «{show(value)}» không còn hoạt động trong kỳ "
                    f"{extra.get('period')}. Đề nghị kiểm tra lại mã chi bộ.")
        return (f"Mã chi bộ «{show(value)}» không có trong danh mục đơn vị của huyện. "
                "Đề nghị kiểm tra lại mã chi bộ.")
    if check == "missing_columns":
        names = ", ".join(layout.ROSTER_COLUMNS[f] for f in str(value).split(";"))
        return f"Trang DanhSach thiếu cột: {names}. Đề nghị dùng đúng biểu mẫu."
    if check == "missing_codes":
        return f"Trang TongHop thiếu chỉ tiêu: {str(value).replace(';', ', ')}."
    raise KeyError(check)
