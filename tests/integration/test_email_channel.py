"""The e-mail channel against a real Dovecot (IMAP) and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from factories import make_header, make_workbook
from pydantic import SecretStr
from sqlalchemy import select

from connectors.imap_mailbox import HANDLED, ImapMailbox
from warehouse import models as m
from warehouse.db import make_engine, session_factory

pytestmark = pytest.mark.usefixtures("prefect_server")
BL01_ADDRESS = "chibo.thptbaolam@baolam.edu.vn"  # BL01's sender in the registry


def _message(sender: str, *files: tuple[str, bytes], subject: str = "Báo cáo tháng 3"
             ) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "bantochuc@baolam.vn", subject
    message["Message-ID"] = make_msgid(domain="baolam.edu.vn")  # as every mail client sets
    message.set_content("Kính gửi Ban Tổ chức, chi bộ gửi báo cáo.")
    for name, content in files:
        message.add_attachment(content, maintype="application", subtype="octet-stream",
                               filename=name)
    return message


@pytest.fixture
def mail_settings(settings, mailbox, smtp_server):
    return settings.model_copy(update={
        "imap_host": mailbox.host, "imap_port": mailbox.port, "imap_ssl": False,
        "imap_user": mailbox.user, "imap_password": SecretStr(mailbox.password),
        "smtp_host": smtp_server.host, "smtp_port": smtp_server.port, "smtp_starttls": False,
        "smtp_from": "bantochuc@baolam.vn"})


def _submissions(settings) -> dict[str, tuple]:
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:
        found = {s.filename: (s.unit_code, s.status, s.channel, s.sender) for s in
                 session.scalars(select(m.Submission))}
        f05 = {f.rule_id for f in session.scalars(select(m.Finding))}
    engine.dispose()
    return found, f05


def test_attachments_become_submissions_and_each_sender_gets_its_feedback_by_mail(
        mail_settings, mailbox, smtp_server):
    from flows.monthly import monthly_consolidation

    mailbox.deliver(_message(BL01_ADDRESS, ("BL01_2024-03.xlsx", make_workbook())))
    mailbox.deliver(_message("nguoi.la@gmail.com", ("BL02_2024-03.xlsx", make_workbook(
        header=make_header("BL02", unit_name="Chi bộ Trường THPT Lộc An")))))
    mailbox.deliver(_message(BL01_ADDRESS, subject="Hỏi về biểu mẫu"))  # no attachment
    summary = monthly_consolidation("2024-03", mail_settings)

    found, rules = _submissions(mail_settings)
    assert found == {
        "BL01_2024-03.xlsx": ("BL01", "accepted", "imap", BL01_ADDRESS),
        "BL02_2024-03.xlsx": ("BL02", "rejected", "imap", "nguoi.la@gmail.com")}
    assert "F05" in rules  # a sender the registry does not know for BL02
    assert all(HANDLED in message.flags for message in mailbox.messages())
    replies = smtp_server.wait_for(2)
    assert sorted(r.rcpt_tos[0] for r in replies) == [BL01_ADDRESS, "nguoi.la@gmail.com"]
    for reply in replies:
        assert reply.message["Subject"].startswith("Kết quả kiểm tra báo cáo: BL0")
        assert reply.message["In-Reply-To"]
        (attached,) = list(reply.message.iter_attachments())
        assert attached.get_filename().endswith("_KetQuaKiemTra.xlsx")
        assert attached.get_payload(decode=True)[:2] == b"PK"
    assert {r.status for r in summary.rows} == {"accepted", "rejected"}

    monthly_consolidation("2024-03", mail_settings)  # handled messages are not read again
    assert len(smtp_server.received) == 2
    assert len(_submissions(mail_settings)[0]) == 2


def test_a_message_is_marked_handled_only_when_all_of_its_files_are(mailbox):
    mailbox.deliver(_message(BL01_ADDRESS, ("a.xlsx", b"one"), ("b.xlsx", b"two")))
    connector = ImapMailbox(mailbox.host, mailbox.port, mailbox.user, mailbox.password,
                            ssl=False)
    first, second = connector.fetch()
    assert (first.content, second.content, first.sender) == (b"one", b"two", BL01_ADDRESS)
    connector.acknowledge_many([first])
    assert HANDLED not in mailbox.messages()[0].flags
    assert len(list(connector.fetch())) == 2  # still waiting
    connector.acknowledge_many([first, second])
    assert HANDLED in mailbox.messages()[0].flags
    assert list(connector.fetch()) == []


def test_nothing_is_marked_handled_when_the_warehouse_cannot_be_reached(mail_settings,
                                                                      mailbox):
    from flows.monthly import monthly_consolidation

    mailbox.deliver(_message(BL01_ADDRESS, ("BL01_2024-03.xlsx", make_workbook())))
    broken = mail_settings.model_copy(update={
        "warehouse_url": "postgresql+psycopg://postgres@127.0.0.1:9/x?connect_timeout=2"})
    with pytest.raises(Exception, match="127.0.0.1"):
        monthly_consolidation("2024-03", broken)
    assert HANDLED not in mailbox.messages()[0].flags
