"""The words of reminders and of the officer's list of missing units (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.registry import Unit


@dataclass(frozen=True)
class Notice:
    """A message to send: to whom (an address or a unit code), its subject and text."""

    to: str
    subject: str
    body: str


def _month_vi(period: str) -> str:
    year, month = period.split("-")
    return f"tháng {int(month)} năm {year}"


def reminder(unit: Unit, period: str, due: date, to: str) -> Notice:
    return Notice(
        to=to,
        subject=f"Nhắc gửi báo cáo phát triển Đảng {_month_vi(period)}",
        body=(f"Kính gửi: {unit.name}.\n\n"
              f"Đến nay Ban Tổ chức chưa nhận được báo cáo phát triển Đảng trong học sinh, "
              f"viên chức {_month_vi(period)} (biểu mẫu BC-PTĐ-HS/1) hợp lệ của chi bộ. "
              f"Thời hạn gửi báo cáo là ngày {due:%d/%m/%Y}.\n\n"
              "Đề nghị chi bộ hoàn thành và gửi báo cáo đúng hạn. Nếu đã gửi nhưng bị trả "
              "lại, đề nghị sửa theo tệp kết quả kiểm tra và gửi lại.\n"))


def missing_list(consolidating: Unit, period: str, due: date, missing: list[Unit],
                 to: str, escalation: bool = False) -> Notice:
    lines = "\n".join(f"  {i}. {u.name} ({u.code})" for i, u in enumerate(missing, start=1))
    head = (f"Kính gửi: Ban Tổ chức cấp trên.\n\n{consolidating.name} báo cáo" if escalation
            else f"Kính gửi: Ban Tổ chức {consolidating.name}.\n\nHệ thống ghi nhận")
    return Notice(
        to=to,
        subject=(f"{'Báo cáo cấp trên: ' if escalation else ''}Danh sách đơn vị chưa có báo "
                 f"cáo hợp lệ {_month_vi(period)}"),
        body=(f"{head}: đến hết hạn ngày {due:%d/%m/%Y}, {len(missing)} đơn vị chưa có báo "
              f"cáo phát triển Đảng {_month_vi(period)} hợp lệ:\n\n{lines}\n\n"
              "Đề nghị đôn đốc các đơn vị gửi báo cáo.\n"))
