"""Vietnamese messages for the province's findings on a district data file.

A message never repeats a text that looks like personal data (it is stored with the
finding): such a text is replaced by a placeholder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from validations.export_frames import TOP, personal_kind

HIDDEN = "(giá trị có dạng dữ liệu cá nhân, không hiển thị)"
KINDS = {"name": "họ tên", "date": "ngày tháng", "pid": "số định danh cá nhân",
         "big_number": "một số quá lớn (ngày sinh hoặc số định danh?)"}
ASK_EXPORT = "Đề nghị xuất lại tệp bằng phần mềm, không sửa tay."


def shown(value: object) -> str:
    """A value fit to quote in a message."""
    if value is None or value == TOP:
        return "(trống)"
    text = str(value.item() if hasattr(value, "item") else value)
    if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
        text = text[:-2]
    return HIDDEN if personal_kind(text) else text


def where(hit: Mapping[str, Any]) -> str:
    return f"{shown(hit['population'])}/{shown(hit['indicator'])}/{shown(hit['breakdown'])}"


def _unit_status(hit: Mapping[str, Any]) -> str:
    code, status = shown(hit["unit_code"]), hit.get("unit_status")
    if status == "inactive":
        return f"Đơn vị «{code}» không hoạt động trong kỳ báo cáo theo danh mục của tỉnh."
    if status == "outside":
        return (f"Đơn vị «{code}» không thuộc đơn vị báo cáo này theo danh mục của tỉnh "
                "(cấp trên khác).")
    return f"Mã đơn vị «{code}» không có trong danh mục đơn vị của tỉnh."


MESSAGES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    # file level
    "periods": lambda h: (f"Tệp có {shown(h['periods'])} kỳ báo cáo khác nhau hoặc kỳ không "
                          f"đúng dạng YYYY-MM; mỗi tệp chỉ có một kỳ. {ASK_EXPORT}"),
    "top_count": lambda h: (
        "Tệp phải có số liệu của đúng một đơn vị trên chi bộ (huyện hoặc xã); tệp có "
        f"{shown(h['top_count'])}. {ASK_EXPORT}"),
    "other_period": lambda h: (
        f"Tệp ghi kỳ {shown(h['file_period'])}, khác kỳ đang tổng hợp {shown(h['run_period'])};"
        " tệp được lưu vào đúng kỳ đã ghi."),
    "accepted_cells": lambda h: (
        f"REPORTS_ACCEPTED ghi {shown(h['reports_accepted'])} chi bộ có báo cáo hợp lệ, nhưng "
        f"tệp có số liệu của {shown(h['cells_in_file'])} chi bộ."),
    "expected_accepted": lambda h: (
        f"REPORTS_EXPECTED ({shown(h['reports_expected'])}) nhỏ hơn REPORTS_ACCEPTED "
        f"({shown(h['reports_accepted'])})."),
    "accepted_on_time": lambda h: (
        f"REPORTS_ON_TIME ({shown(h['reports_on_time'])}) lớn hơn REPORTS_ACCEPTED "
        f"({shown(h['reports_accepted'])})."),
    "expected_registry": lambda h: (
        f"REPORTS_EXPECTED ghi {shown(h['reports_expected'])} chi bộ phải báo cáo; danh mục "
        f"của tỉnh có {shown(h['registry_expected'])} chi bộ của đơn vị trong kỳ. Đề nghị "
        "đối chiếu danh mục đơn vị với Ban Tổ chức Tỉnh ủy."),
    "extra_columns": lambda h: (
        f"Tệp có cột ngoài quy định: {h['extra_text']}. Tệp dữ liệu chỉ gồm các cột theo "
        "quy định và không được chứa dữ liệu cá nhân (họ tên, ngày sinh, số định danh); đề "
        "nghị xóa các cột này và gửi lại."),
    # value rows
    "unit_status": _unit_status,
    "level": lambda h: (f"Cấp của đơn vị «{shown(h['unit_code'])}» ghi «{shown(h['unit_level'])}»,"
                        f" danh mục của tỉnh ghi «{shown(h['level_expected'])}»."),
    "parent": lambda h: (f"Mã cấp trên của đơn vị «{shown(h['unit_code'])}» ghi "
                         f"«{shown(h['parent'])}», danh mục của tỉnh ghi "
                         f"«{shown(h['parent_expected'])}»."),
    "bad_code": lambda h: (f"Dòng của «{shown(h['unit_code'])}» có mã không đúng quy định: "
                           f"{where(h)}. {ASK_EXPORT}"),
    "bad_period": lambda h: f"Kỳ báo cáo không đúng dạng YYYY-MM. {ASK_EXPORT}",
    "negative": lambda h: (f"Giá trị âm ({shown(h['value'])}) ở «{shown(h['unit_code'])}» "
                           f"{where(h)}."),
    "duplicate": lambda h: (f"Dòng của «{shown(h['unit_code'])}» {where(h)} bị lặp lại. "
                            f"{ASK_EXPORT}"),
    "children_sum": lambda h: (
        f"Số của «{shown(h['unit_code'])}» ở {where(h)} là {shown(h['value'])}, nhưng tổng "
        f"các chi bộ trong tệp là {shown(h['children_sum'])}."),
    "parts_sum": lambda h: (
        f"Số chung của «{shown(h['unit_code'])}» ở {shown(h['indicator'])}/"
        f"{shown(h['breakdown'])} là {shown(h['value'])}, nhưng học sinh cộng viên chức là "
        f"{shown(h['parts_sum'])}."),
    "personal": lambda h: (
        f"Cột {h['personal_field']} có giá trị dạng {KINDS.get(h['personal'], 'dữ liệu cá nhân')}"
        ". Tệp dữ liệu không được chứa dữ liệu cá nhân; đề nghị kiểm tra và gửi lại."),
    # required rows
    "missing_row": lambda h: (
        f"Đơn vị «{shown(h['unit_code'])}» thiếu {h['count']} dòng bắt buộc (kể cả dòng có "
        f"giá trị 0), ví dụ: {h['examples']}. {ASK_EXPORT}"),
}


def message(check: str, hit: Mapping[str, Any], count: int = 1) -> str:
    text = MESSAGES[check](hit)
    return text if count <= 1 else f"{text} (cùng lỗi ở {count - 1} dòng khác)"
