"""SmtpSender against a real SMTP server (aiosmtpd): what the officer reads is what was sent."""

from __future__ import annotations

import pytest
from factories import make_workbook

from connectors.smtp_sender import SmtpSender

# The alert texts put a Prefect run's name (two words of any length) inside Vietnamese text;
# Python's header folder used to drop the space at the place where it cut such a subject.
RUN_NAMES = ["tan-owl", "smooth-sturgeon", "quick-fox", "ultramarine-hippopotamus", "x"]


@pytest.mark.parametrize("run_name", RUN_NAMES)
def test_a_vietnamese_subject_arrives_with_every_space_whatever_its_length(smtp_server,
                                                                           run_name):
    sender = SmtpSender(smtp_server.host, smtp_server.port, "bantochuc@baolam.vn",
                        starttls=False)
    subjects = [f"Lượt chạy {run_name}{'-' * pad} bị trễ (Late) — huyện Bảo Lâm"
                for pad in range(40)]
    for subject in subjects:
        sender.send("canbo@baolam.vn", subject, "Nội dung thư.")
    received = [str(mail.message["Subject"]) for mail in smtp_server.wait_for(len(subjects))]
    assert received == subjects


def test_a_long_subject_with_an_attachment_keeps_its_subject_body_and_file(smtp_server):
    sender = SmtpSender(smtp_server.host, smtp_server.port, "bantochuc@baolam.vn",
                        starttls=False)
    subject = "Kết quả kiểm tra báo cáo tháng 03/2024 của Chi bộ Trường THPT Bảo Lâm " * 3
    workbook = make_workbook()
    sender.send("chibo@baolam.edu.vn", subject.strip(), "Kính gửi chi bộ,\nđồng chí Bí thư.",
                attachments=(("BL01_2024-03_KetQuaKiemTra.xlsx", workbook),))
    mail = smtp_server.wait_for(1)[0].message
    assert str(mail["Subject"]) == subject.strip()
    body = mail.get_body().get_content().replace("\r\n", "\n")  # SMTP's line ends
    assert body.strip() == "Kính gửi chi bộ,\nđồng chí Bí thư."
    attachment = next(mail.iter_attachments())
    assert attachment.get_filename() == "BL01_2024-03_KetQuaKiemTra.xlsx"
    assert attachment.get_content() == workbook
    assert all(len(line) <= 998 for line in mail.as_bytes().split(b"\n"))
