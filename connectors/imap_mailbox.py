"""The e-mail channel: attachments of new messages in an IMAP mailbox become submissions.

The sender is the message's From address (the validation compares it with the registry's
``senders`` of the unit: F05 otherwise, the file still archived) — when the district's own
mail server vouches for it (connectors/mail_auth.py: its Authentication-Results header,
CELLREPORTS_MAIL_AUTH_SERVID and _POLICY). Otherwise the files' sender is
``unverified:<address>``, which no unit lists: they are archived, answered and rejected with
F05 like a stranger's. A message is marked
handled — the IMAP keyword ``CellreportsHandled``, so people reading the mailbox do not
interfere — only once every one of its files is archived and loaded. Feedback is a reply
by SMTP to the sender.
"""

from __future__ import annotations

import imaplib
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parseaddr

from connectors.base import Connector, IncomingFile, Skipped
from connectors.mail_auth import MailAuth, reply_address, shown
from connectors.safe_names import safe_filename
from connectors.smtp_sender import SmtpSender
from core.errors import CellreportsError

HANDLED = "CellreportsHandled"
log = logging.getLogger(__name__)


class MailboxUnavailable(CellreportsError):
    """The IMAP server refused the login or the folder."""

    heading = "The mailbox cannot be reached"
    exit_code = 3


class ImapMailbox(Connector):
    channel = "imap"

    def __init__(self, host: str, port: int, user: str, password: str, *, folder: str = "INBOX",
                 ssl: bool = True, smtp: SmtpSender | None = None,
                 auth: MailAuth | None = None):
        self.host, self.port, self.user, self.password = host, port, user, password
        self.folder, self.ssl, self.smtp = folder, ssl, smtp
        # by default no server is trusted: every sender is unverified
        self.auth = auth or MailAuth()
        self.skipped: list[Skipped] = []

    @classmethod
    def from_settings(cls, settings) -> ImapMailbox:  # type: ignore[no-untyped-def]
        smtp = SmtpSender.from_settings(settings) if settings.smtp_host else None
        return cls(settings.imap_host, settings.imap_port, settings.imap_user,
                   settings.imap_password.get_secret_value(), folder=settings.imap_folder,
                   ssl=settings.imap_ssl, smtp=smtp, auth=MailAuth.from_settings(settings))

    @contextmanager
    def _session(self) -> Iterator[imaplib.IMAP4]:
        kind = imaplib.IMAP4_SSL if self.ssl else imaplib.IMAP4
        imap = kind(self.host, self.port, timeout=60)
        try:
            try:
                imap.login(self.user, self.password)
            except imaplib.IMAP4.error as exc:
                raise MailboxUnavailable(f"{self.user}@{self.host}: {exc}") from None
            status, _ = imap.select(self.folder)
            if status != "OK":
                raise MailboxUnavailable(f"no folder {self.folder!r} on {self.host}")
            yield imap
        finally:
            with suppress(imaplib.IMAP4.error, OSError):
                imap.logout()

    def fetch(self) -> Iterator[IncomingFile]:
        logger = _run_logger()
        self.auth.announce(logger)
        with self._session() as imap:
            _status, found = imap.uid("SEARCH", None, "UNKEYWORD", HANDLED)
            uids = [u.decode() for u in (found[0] or b"").split()]
            for uid in sorted(uids, key=int):
                raw, arrived = _fetch(imap, uid)
                files = list(attachments(raw))
                if not files:  # nothing to load: handled at once
                    imap.uid("STORE", uid, "+FLAGS", f"({HANDLED})")
                    continue
                message = message_from_bytes(raw, policy=policy.default)
                address = parseaddr(str(message.get("From", "")))[1].lower()
                sender, verdict = self.auth.sender(message, address)
                if not verdict.trusted:
                    logger.warning("message %s from %s is not authenticated (%s): its %d "
                                   "file(s) are rejected (F05)", uid, shown(address or "—"),
                                   shown(verdict.why), len(files))
                for index, (name, content) in enumerate(files):
                    yield IncomingFile(
                        content=content, filename=safe_filename(name), channel=self.channel,
                        sender=sender, received_at=arrived,
                        handle=f"{uid}:{index}:{len(files)}:{message.get('Message-ID', '')}")

    def acknowledge(self, item: IncomingFile) -> None:
        self.acknowledge_many([item])

    def acknowledge_many(self, items: Iterable[IncomingFile]) -> None:
        """Flag a message once all of its files are among ``items``."""
        done: dict[str, set[int]] = defaultdict(set)
        sizes: dict[str, int] = {}
        for item in items:
            uid, index, count, _id = item.handle.split(":", 3)
            done[uid].add(int(index))
            sizes[uid] = int(count)
        complete = [uid for uid, seen in done.items() if len(seen) == sizes[uid]]
        if not complete:
            return
        with self._session() as imap:
            imap.uid("STORE", ",".join(complete), "+FLAGS", f"({HANDLED})")

    def send_feedback(self, item: IncomingFile, filename: str, content: bytes,
                      key: str = "") -> str:
        if self.smtp is None:
            raise RuntimeError("the e-mail channel needs CELLREPORTS_SMTP_HOST for feedback")
        message_id = item.handle.split(":", 3)[3] or None
        # an unauthenticated message is answered at its From address too: a cell whose
        # server failed it learns why, a cell whose address was forged learns of it
        to = reply_address(item.sender)
        self.smtp.send(to, f"Kết quả kiểm tra báo cáo: {item.filename}",
                       FEEDBACK_BODY.format(filename=item.filename),
                       attachments=((filename, content),), in_reply_to=message_id)
        return f"mailto:{to}"


FEEDBACK_BODY = (
    "Kính gửi đồng chí Bí thư chi bộ,\n\n"
    "Ban Tổ chức Huyện ủy đã nhận tệp báo cáo «{filename}». Kết quả kiểm tra nằm ở trang "
    "đầu của tệp đính kèm; các ô cần sửa được tô màu và có ghi chú.\n\n"
    "Nếu báo cáo bị trả lại, đề nghị chi bộ sửa và gửi lại bằng cách trả lời thư này.\n\n"
    "Thư này được gửi tự động; xin đừng thay đổi tên tệp đính kèm khi gửi lại.\n")


def _run_logger() -> logging.Logger | logging.LoggerAdapter:  # type: ignore[type-arg]
    """Prefect's logger of the current run (its log, on the server too), else this
    module's."""
    from prefect import get_run_logger
    from prefect.exceptions import MissingContextError

    try:
        return get_run_logger()
    except MissingContextError:
        return log


def _fetch(imap: imaplib.IMAP4, uid: str) -> tuple[bytes, datetime]:
    """The message's bytes (not marking it read) and when the server received it — the
    arrival that counts for the deadline, whatever the sender's clock says."""
    _status, data = imap.uid("FETCH", uid, "(BODY.PEEK[] INTERNALDATE)")
    raw, arrived = b"", datetime.now(UTC)
    for part in data:
        if isinstance(part, tuple):
            raw = part[1]
            stamp = imaplib.Internaldate2tuple(part[0])  # local time.struct_time
            if stamp is not None:
                arrived = datetime.fromtimestamp(time.mktime(stamp), tz=UTC)
    return raw, arrived


def attachments(raw: bytes) -> Iterator[tuple[str, bytes]]:
    """(file name, bytes) of every attached file of a message."""
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    for part in message.iter_attachments():
        name = part.get_filename()
        content = part.get_payload(decode=True)
        if name and isinstance(content, bytes):
            yield name, content
