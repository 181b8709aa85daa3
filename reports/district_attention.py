"""Sheet CanQuanTam of the district workbook: named people the district officer should
follow up — district-internal, never sent up (the upward data file carries no names).

One section per concern: stalled at a stage (H04), admission decision overdue (H05), full
membership overdue (H06), course certificate expiring (R07); within a section by cell and
name. The items come from the warnings of this month's accepted reports.
"""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from core.layout import POPULATION_LABELS, STAGES
from core.month import AttentionItem, MonthData
from reports.cells import Style, put, put_merged, set_widths
from reports.sheetstyle import (
    CENTER,
    DATE_FORMAT,
    FONT,
    RED,
    centre_style,
    fit_row,
    font,
    grid,
    note,
    print_setup,
    text_style,
    write_header_row,
    write_sheet_title,
)

SHEET_ATTENTION = "CanQuanTam"
INTERNAL = "Tài liệu nội bộ — không gửi cấp trên"
ATTENTION_TITLE = "DANH SÁCH QUẦN CHÚNG, ĐẢNG VIÊN DỰ BỊ CẦN QUAN TÂM"
NOTHING = "Trong tháng không có trường hợp nào cần quan tâm."

# rule -> section heading, in the order the sections are printed
SECTIONS = {
    "H04": "Chậm chuyển giai đoạn (từ 6 tháng trở lên ở cùng một giai đoạn)",
    "H05": "Quá hạn ra quyết định kết nạp (quá 60 ngày làm việc từ nghị quyết chi bộ)",
    "H06": "Quá hạn xét chuyển đảng chính thức",
    "R07": "Giấy chứng nhận bồi dưỡng nhận thức về Đảng sắp hết hạn hoặc đã hết hạn",
}
# Within the width of an A4 landscape page (sheetstyle.page_width): printed at 11 pt.
ATTENTION_COLUMNS = (
    ("STT", 5), ("Chi bộ", 15), ("Họ và tên", 16), ("Ngày sinh", 10.5), ("Đối tượng", 9),
    ("Giai đoạn", 14), ("Từ ngày", 10.5), ("Nội dung", 21),
)
ATTENTION_HEADER_ROW = 5


def stage_label(stage: int | None) -> str | None:
    if stage is None:
        return None
    return f"{stage}. {STAGES[stage]}" if stage in STAGES else str(stage)


def sections(items: list[AttentionItem]) -> list[tuple[str, list[AttentionItem]]]:
    """Non-empty sections in SECTIONS order (unknown rules last), items by cell and name."""
    rules = [r for r in SECTIONS if any(i.rule_id == r for i in items)]
    rules += sorted({i.rule_id for i in items} - set(SECTIONS))
    return [(f"{SECTIONS.get(rule, rule)} ({rule})",
             sorted((i for i in items if i.rule_id == rule),
                    key=lambda i: (i.unit_code, i.full_name, i.birth_date or 0, i.message)))
            for rule in rules]


def item_values(item: AttentionItem, unit_names: dict[str, str]) -> list[object]:
    """Columns Chi bộ … Nội dung of one item (None = blank)."""
    return [
        unit_names.get(item.unit_code, item.unit_code),
        item.full_name,
        item.birth_date,
        POPULATION_LABELS.get(item.population or "", item.population),
        stage_label(item.stage),
        item.since,
        item.message,
    ]


def write_item(ws: Worksheet, row: int, number: int, item: AttentionItem,
               unit_names: dict[str, str]) -> None:
    put(ws, row, 1, number, centre_style())
    for column, value in enumerate(item_values(item, unit_names), start=2):
        if value is None:
            grid(ws, row, [column])
        elif column in (4, 7):
            put(ws, row, column, value, Style(font(11), CENTER, text_style().border,
                                              DATE_FORMAT))
        elif column == 5:
            put(ws, row, column, value, centre_style())
        else:
            put(ws, row, column, value, text_style(bold=column == 3))
    fit_row(ws, row, dict(enumerate(item_values(item, unit_names), start=2)))


def build_attention_sheet(ws: Worksheet, month: MonthData) -> None:
    last_column = len(ATTENTION_COLUMNS)
    set_widths(ws, [w for _, w in ATTENTION_COLUMNS])
    put_merged(ws, 1, (1, last_column), INTERNAL,
               Style(font(12, bold=True, italic=True, color=RED), CENTER))
    write_sheet_title(ws, month, ATTENTION_TITLE, last_column, row=2)
    ws.oddHeader.center.text = INTERNAL
    ws.oddHeader.center.font = f"{FONT},Bold Italic"
    ws.oddHeader.center.size = 11
    ws.oddHeader.center.color = RED[2:]
    row = ATTENTION_HEADER_ROW
    if not month.attention:
        last = note(ws, row, last_column, NOTHING, italic=True) - 1
        print_setup(ws, title_rows="1:3", last_row=last, last_column=last_column)
        return
    write_header_row(ws, row, [label for label, _ in ATTENTION_COLUMNS], height=20)
    unit_names = {c.unit.code: c.unit.name for c in month.cells}
    number = 0
    for heading, items in sections(month.attention):
        row += 1
        put_merged(ws, row, (1, last_column), heading, text_style(bold=True, wrap=False))
        for item in items:
            row += 1
            number += 1
            write_item(ws, row, number, item, unit_names)
    last = note(ws, row + 2, last_column,
                f"Tổng cộng {number} trường hợp. Danh sách có họ tên, chỉ dùng trong Ban "
                "Tổ chức để đôn đốc các chi bộ; không gửi kèm báo cáo lên cấp trên.",
                italic=True) - 1
    ws.freeze_panes = ws.cell(row=ATTENTION_HEADER_ROW + 1, column=1)
    print_setup(ws, title_rows=f"{ATTENTION_HEADER_ROW}:{ATTENTION_HEADER_ROW}",
                last_row=last, last_column=last_column)
