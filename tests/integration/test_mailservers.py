"""The test mail servers themselves (tests/mailservers.py): a real Dovecot and a real SMTP
server, spoken to over IMAP and SMTP as the mailbox connector will."""

from __future__ import annotations

import email
import email.policy
import imaplib
import smtplib
from email.message import EmailMessage

import pytest

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_mail(subject: str = "Báo cáo tháng 03/2024 — Chi bộ 1",
                attachment: bytes = b"PK\x03\x04 not really a workbook \x00\xff",
                filename: str = "BC-PTĐ-HS 03-2024.xlsx") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Chi bộ 1 <chibo1@example.org>"
    message["To"] = "reports@example.org"
    message["Subject"] = subject
    message.set_content("Kính gửi: báo cáo tháng kèm theo.")
    maintype, subtype = XLSX.split("/")
    message.add_attachment(attachment, maintype=maintype, subtype=subtype, filename=filename)
    return message


def attachments(message: EmailMessage) -> list[tuple[str | None, str, bytes]]:
    return [(part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
            for part in message.iter_attachments()]


def test_each_test_gets_an_empty_inbox_of_its_own(imap_server, mailbox):
    assert mailbox.messages() == []
    other = imap_server.add_user()
    assert other.user != mailbox.user
    mailbox.deliver(report_mail())
    assert other.messages() == [] and len(mailbox.messages()) == 1


def test_a_delivered_message_is_fetched_over_imap_with_its_attachment(mailbox):
    payload = bytes(range(256)) * 40
    uid = mailbox.deliver(report_mail(attachment=payload))

    client = imaplib.IMAP4(mailbox.host, mailbox.port)
    try:
        assert client.login(mailbox.user, mailbox.password)[0] == "OK"
        status, (count,) = client.select("INBOX")
        assert (status, count) == ("OK", b"1")
        status, uids = client.uid("SEARCH", None, "UNSEEN")
        assert uids == [str(uid).encode()]
        status, data = client.uid("FETCH", str(uid), "(RFC822)")
        assert status == "OK"
        fetched = email.message_from_bytes(data[0][1], policy=email.policy.default)
    finally:
        client.logout()

    assert fetched["Subject"] == "Báo cáo tháng 03/2024 — Chi bộ 1"
    assert attachments(fetched) == [("BC-PTĐ-HS 03-2024.xlsx", XLSX, payload)]
    # FETCH RFC822 (not PEEK) marked it read, as a real client would
    assert mailbox.flags(uid) == {"\\Seen"}
    assert attachments(mailbox.fetch(uid)) == [("BC-PTĐ-HS 03-2024.xlsx", XLSX, payload)]


def test_flags_set_over_imap_are_read_back(mailbox):
    first = mailbox.deliver(report_mail("first"))
    second = mailbox.deliver(report_mail("second"), flags="\\Seen")
    assert mailbox.messages() == [(first, frozenset(), "first"),
                                  (second, frozenset({"\\Seen"}), "second")]

    with mailbox.session() as client:
        assert client.uid("STORE", str(first), "+FLAGS", "(\\Seen \\Flagged cellreports-done)"
                          )[0] == "OK"
        assert client.uid("STORE", str(second), "-FLAGS", "(\\Seen)")[0] == "OK"

    assert mailbox.flags(first) == {"\\Seen", "\\Flagged", "cellreports-done"}
    assert mailbox.flags(second) == frozenset()
    [message] = [m for m in mailbox.messages() if m.uid == first]
    assert message.flags == {"\\Seen", "\\Flagged", "cellreports-done"}
    with pytest.raises(KeyError):
        mailbox.flags(second + 100)


def test_messages_can_be_moved_to_another_folder(mailbox):
    uid = mailbox.deliver(report_mail("to move"))
    mailbox.create_folder("Processed")
    assert set(mailbox.folders()) == {"INBOX", "Processed"}
    with mailbox.session() as client:
        assert client.uid("MOVE", str(uid), "Processed")[0] == "OK"
    assert mailbox.messages() == []
    assert [m.subject for m in mailbox.messages("Processed")] == ["to move"]


def test_a_wrong_password_is_refused(mailbox):
    client = imaplib.IMAP4(mailbox.host, mailbox.port)
    try:
        with pytest.raises(imaplib.IMAP4.error):
            client.login(mailbox.user, mailbox.password + "x")
    finally:
        client.shutdown()


def test_a_message_sent_with_smtplib_is_collected_with_its_attachment(smtp_server):
    assert smtp_server.received == []
    payload = b"\x00\x01feedback workbook\xff" * 100
    message = report_mail("Phản hồi báo cáo tháng 03/2024", payload, "Phản hồi BL01.xlsx")
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=30) as client:
        client.send_message(message, from_addr="reports@example.org",
                            to_addrs=["chibo1@example.org", "district@example.org"])

    [received] = smtp_server.received
    assert received.mail_from == "reports@example.org"
    assert received.rcpt_tos == ["chibo1@example.org", "district@example.org"]
    assert received.auth_user is None
    assert received.message["Subject"] == "Phản hồi báo cáo tháng 03/2024"
    assert attachments(received.message) == [("Phản hồi BL01.xlsx", XLSX, payload)]


def test_the_smtp_server_accepts_its_login_and_refuses_a_wrong_one(smtp_server):
    with (smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=30) as client,
          pytest.raises(smtplib.SMTPAuthenticationError)):
        client.login(smtp_server.user, "wrong")
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=30) as client:
        client.login(smtp_server.user, smtp_server.password)
        client.send_message(report_mail("with login"))
    [received] = smtp_server.wait_for(1)
    assert received.auth_user == smtp_server.user
    assert received.mail_from == "chibo1@example.org"
    assert received.rcpt_tos == ["reports@example.org"]
