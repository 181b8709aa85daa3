"""Sending mail by SMTP: feedback to a cell, reminders, the officer's list of missing units."""

from __future__ import annotations

import email.policy
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from core.errors import CellreportsError

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
# Python's header folder loses a space where it cuts a non-ASCII subject into encoded
# words ("Lượt chạy smooth-sturgeonbị trễ"), depending on the subject's length. Headers
# therefore go out unfolded: one encoded word per header, our subjects stay far below the
# 998-character line limit. The body is encoded before this policy is set.
UNFOLDED = email.policy.SMTP.clone(max_line_length=None)


class MailNotConfigured(CellreportsError):
    """Mail must go out but no SMTP server is set (CELLREPORTS_SMTP_HOST)."""

    heading = "Mail is not configured"
    exit_code = 2


@dataclass(frozen=True)
class SmtpSender:
    host: str
    port: int
    sender: str
    user: str = ""
    password: str = ""
    starttls: bool = True

    @classmethod
    def from_settings(cls, settings) -> SmtpSender:  # type: ignore[no-untyped-def]
        if not settings.smtp_host:
            raise MailNotConfigured("set CELLREPORTS_SMTP_HOST to send mail")
        return cls(settings.smtp_host, settings.smtp_port,
                   settings.smtp_from or settings.imap_user, settings.smtp_user,
                   settings.smtp_password.get_secret_value(), settings.smtp_starttls)

    def send(self, to: str, subject: str, body: str,
             attachments: tuple[tuple[str, bytes], ...] = (),
             in_reply_to: str | None = None) -> str:
        """Send one message; returns its Message-ID."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        if in_reply_to:
            message["In-Reply-To"] = message["References"] = in_reply_to
        message.set_content(body)
        for name, content in attachments:
            message.add_attachment(content, maintype=XLSX[0], subtype=XLSX[1], filename=name)
        message.policy = UNFOLDED  # smtplib flattens with the message's own policy
        with smtplib.SMTP(self.host, self.port, timeout=60) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(message)
        return str(message["Message-ID"])
