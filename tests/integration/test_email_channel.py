"""The e-mail channel against a real Dovecot (IMAP) and a real SMTP server (aiosmtpd).

A message a cell really sent reaches the mailbox through the district's mail server, which
vouches for its From address in the Authentication-Results header it adds
(``received_by_district``); the tests' settings trust that server (``DISTRICT_MX``). Forged
messages come without it, or with results that do not vouch for the From address."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from factories import make_header, make_workbook
from mailservers import DISTRICT_MX, received_by_district
from pydantic import SecretStr
from sqlalchemy import select

from connectors.imap_mailbox import HANDLED, ImapMailbox
from connectors.mail_auth import MailAuth
from warehouse import models as m
from warehouse.archive import Archive, sha256_of
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
        "smtp_from": "bantochuc@baolam.vn", "mail_auth_servid": DISTRICT_MX})


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

    mailbox.deliver(received_by_district(
        _message(BL01_ADDRESS, ("BL01_2024-03.xlsx", make_workbook()))))
    mailbox.deliver(received_by_district(_message("nguoi.la@gmail.com", (
        "BL02_2024-03.xlsx", make_workbook(
            header=make_header("BL02", unit_name="Chi bộ Trường THPT Lộc An"))))))
    mailbox.deliver(received_by_district(_message(BL01_ADDRESS, subject="Hỏi về biểu mẫu")))
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
    mailbox.deliver(received_by_district(
        _message(BL01_ADDRESS, ("a.xlsx", b"one"), ("b.xlsx", b"two"))))
    connector = ImapMailbox(mailbox.host, mailbox.port, mailbox.user, mailbox.password,
                            ssl=False, auth=MailAuth([DISTRICT_MX]))
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

    mailbox.deliver(received_by_district(
        _message(BL01_ADDRESS, ("BL01_2024-03.xlsx", make_workbook()))))
    broken = mail_settings.model_copy(update={
        "warehouse_url": "postgresql+psycopg://postgres@127.0.0.1:9/x?connect_timeout=2"})
    with pytest.raises(Exception, match="127.0.0.1"):
        monthly_consolidation("2024-03", broken)
    assert HANDLED not in mailbox.messages()[0].flags


# --- who sent it: only the district's mail server can say (issue 15, item 7) ----------------

BL02_ADDRESS = "chibo.thptlocan@baolam.edu.vn"
BL03_ADDRESS = "chibo.thptlocthanh@baolam.edu.vn"
BL04_ADDRESS = "chibo.thcsthptlocbac@baolam.edu.vn"
NOTHING_FOR_THE_DOMAIN = (  # the domain publishes no DMARC policy, the message no signature
    "spf=none smtp.mailfrom={sender}; dkim=none (no signatures found); "
    "dmarc=none header.from=baolam.edu.vn")


def _workbook(unit: str, name: str) -> bytes:
    return make_workbook(header=make_header(unit, unit_name=name))


def _genuine_and_forged(mailbox) -> dict[str, bytes]:
    """One message from BL01 as its mail server delivered it, and three that only claim to
    come from a cell (its registered address in From, a valid workbook of its own):
    delivered straight, with a header the forger wrote under another authserv-id, and with
    the district server's SPF pass for a different domain (the forger's own envelope)."""
    files = {"BL01": make_workbook(),
             "BL02": _workbook("BL02", "Chi bộ Trường THPT Lộc An"),
             "BL03": _workbook("BL03", "Chi bộ Trường THPT Lộc Thành"),
             "BL04": _workbook("BL04", "Chi bộ Trường THCS-THPT Lộc Bắc")}
    mailbox.deliver(received_by_district(
        _message(BL01_ADDRESS, ("BL01_2024-03.xlsx", files["BL01"]))))
    mailbox.deliver(_message(BL02_ADDRESS, ("BL02_2024-03.xlsx", files["BL02"])))
    forged = _message(BL03_ADDRESS, ("BL03_2024-03.xlsx", files["BL03"]))
    forged["Authentication-Results"] = (
        f"{DISTRICT_MX}.mail-check.example; dkim=pass header.d=baolam.edu.vn; "
        f"spf=pass smtp.mailfrom={BL03_ADDRESS}; dmarc=pass header.from=baolam.edu.vn")
    mailbox.deliver(received_by_district(
        forged, NOTHING_FOR_THE_DOMAIN.format(sender=BL03_ADDRESS)))
    mailbox.deliver(received_by_district(
        _message(BL04_ADDRESS, ("BL04_2024-03.xlsx", files["BL04"])),
        "spf=pass (sender SPF authorized) smtp.mailfrom=bulk@mailer.example.net; "
        "dkim=none; dmarc=none header.from=baolam.edu.vn"))
    return files


def test_the_mailbox_trusts_a_sender_only_when_the_district_server_vouches_for_it(mailbox):
    _genuine_and_forged(mailbox)
    connector = ImapMailbox(mailbox.host, mailbox.port, mailbox.user, mailbox.password,
                            ssl=False, auth=MailAuth([DISTRICT_MX]))
    assert {item.filename: item.sender for item in connector.fetch()} == {
        "BL01_2024-03.xlsx": BL01_ADDRESS,
        "BL02_2024-03.xlsx": f"unverified:{BL02_ADDRESS}",  # no header at all
        "BL03_2024-03.xlsx": f"unverified:{BL03_ADDRESS}",  # the forger's own header
        "BL04_2024-03.xlsx": f"unverified:{BL04_ADDRESS}"}  # SPF pass for another domain


def test_forged_senders_are_archived_and_rejected_with_f05_and_answered_the_genuine_accepted(
        mail_settings, mailbox, smtp_server):
    from flows.monthly import monthly_consolidation

    files = _genuine_and_forged(mailbox)
    monthly_consolidation("2024-03", mail_settings)

    engine = make_engine(mail_settings.database_url)
    with session_factory(engine)() as session:
        found = {s.unit_code: (s.status, s.sender, sorted(
            f.rule_id for f in session.scalars(select(m.Finding).where(
                m.Finding.submission_id == s.id, m.Finding.severity == "ERROR"))))
            for s in session.scalars(select(m.Submission))}
        reasons = list(session.scalars(select(m.Finding.message).where(
            m.Finding.rule_id == "F05")))
    engine.dispose()
    # the cell is told its message could not be authenticated, not that it used a wrong box
    assert len(reasons) == 3 and all(r.startswith("Không xác thực được thư gửi đến")
                                     for r in reasons)
    assert found == {
        "BL01": ("accepted", BL01_ADDRESS, []),
        "BL02": ("rejected", f"unverified:{BL02_ADDRESS}", ["F05"]),
        "BL03": ("rejected", f"unverified:{BL03_ADDRESS}", ["F05"]),
        "BL04": ("rejected", f"unverified:{BL04_ADDRESS}", ["F05"])}
    archive = Archive(mail_settings.archive)
    assert all(archive.read(sha256_of(content)) == content for content in files.values())
    assert all(HANDLED in message.flags for message in mailbox.messages())
    # each answer goes to the address in From: the cell itself learns of a forged report
    replies = smtp_server.wait_for(4)
    assert sorted(r.rcpt_tos[0] for r in replies) == sorted(
        [BL01_ADDRESS, BL02_ADDRESS, BL03_ADDRESS, BL04_ADDRESS])


def test_with_the_policy_off_from_is_trusted_as_written_and_every_fetch_warns(mailbox, caplog):
    mailbox.deliver(_message(BL02_ADDRESS, ("BL02_2024-03.xlsx", b"bytes")))  # no header
    connector = ImapMailbox(mailbox.host, mailbox.port, mailbox.user, mailbox.password,
                            ssl=False, auth=MailAuth([DISTRICT_MX], policy="off"))
    with caplog.at_level(logging.WARNING):
        assert [item.sender for item in connector.fetch()] == [BL02_ADDRESS]
        assert [item.sender for item in connector.fetch()] == [BL02_ADDRESS]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert all("CELLREPORTS_MAIL_AUTH_POLICY=off" in w and "forged" in w for w in warnings)
