"""Reminders before the deadline, the list of missing units after it — once each."""

from __future__ import annotations

from datetime import date

import pytest
from warehouse_factories import cell_workbook, load

from flows.reminders import send_reminders

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.fixture
def bl01_reported(settings, sessions, tmp_path):
    load(sessions, tmp_path / "archive", cell_workbook("BL01", "2024-03"), day=20)
    return settings


def _texts(folder) -> list[str]:
    return sorted(p.read_text(encoding="utf-8") for p in folder.glob("*.txt"))


def test_nothing_is_sent_long_before_the_deadline(settings):
    summary = send_reminders(date(2024, 3, 10), settings)
    assert (summary.reminded, summary.sent) == ([], [])


@pytest.mark.both_databases
def test_cells_without_an_accepted_report_are_reminded_once_before_the_deadline(
        bl01_reported):
    settings = bl01_reported
    summary = send_reminders(date(2024, 3, 23), settings)
    assert summary.reminded == ["BL02", "BL03", "BL04"]
    assert not (settings.outbox / "BL01").exists()
    (text,) = _texts(settings.outbox / "BL02")  # no SMTP set: the unit's outbox folder
    assert "Nhắc gửi báo cáo phát triển Đảng tháng 3 năm 2024" in text
    assert "Chi bộ Trường THPT Lộc An" in text and "25/03/2024" in text
    again = send_reminders(date(2024, 3, 23), settings)
    assert again.sent == []  # the same day: not twice


def test_after_the_deadline_the_officer_gets_the_missing_units_and_the_level_above_too(
        bl01_reported):
    settings = bl01_reported
    summary = send_reminders(date(2024, 3, 27), settings)
    assert summary.missing == ["BL02", "BL03", "BL04"]
    assert len(summary.sent) == 2
    officer = _texts(settings.outbox / "_huyen")
    assert len(officer) == 1 and "Chi bộ Trường THPT Lộc An (BL02)" in officer[0]
    assert "BL01" not in officer[0]
    (escalated,) = _texts(settings.outbox / "LD")
    assert "Báo cáo cấp trên" in escalated and "Đảng bộ huyện Bảo Lâm báo cáo" in escalated


def test_with_smtp_set_reminders_go_by_mail_to_the_registered_addresses(bl01_reported,
                                                                       smtp_server):
    settings = bl01_reported.model_copy(update={
        "smtp_host": smtp_server.host, "smtp_port": smtp_server.port, "smtp_starttls": False,
        "smtp_from": "bantochuc@baolam.vn"})
    summary = send_reminders(date(2024, 3, 24), settings)
    assert summary.reminded == ["BL02", "BL03", "BL04"]
    mails = smtp_server.wait_for(3)
    assert "chibo.thptlocan@baolam.edu.vn" in {m.rcpt_tos[0] for m in mails}
    assert all(m.message["Subject"] == "Nhắc gửi báo cáo phát triển Đảng tháng 3 năm 2024"
               for m in mails)
    assert "Thời hạn gửi báo cáo là ngày 25/03/2024" in mails[0].message.get_content()
