"""A Prefect notification block that sends e-mail through the district's own SMTP server.

Prefect's automations notify through a *block* that the Prefect server loads and calls when
an automation fires. Prefect ships e-mail only through SendGrid's web API; this block sends
through any SMTP server, the one of the ``CELLREPORTS_SMTP_*`` settings, with the code that
sends the reminders (``connectors.smtp_sender``: STARTTLS when asked, login when a user is
given). The password is a secret field: the server keeps it encrypted and never shows it.

The Prefect server finds the class through the ``prefect.collections`` entry point of this
package (pyproject.toml), so the server must run from an environment where cellreports is
installed (``.venv/bin/prefect server start``). This module imports nothing but Prefect and
the standard library at import time: every Prefect process of the environment imports it.
"""

from __future__ import annotations

import asyncio
import smtplib

from prefect.blocks.abstract import NotificationBlock, NotificationError
from pydantic import Field, SecretStr

BLOCK_TYPE_SLUG = "cellreports-smtp-email"


class SmtpEmail(NotificationBlock):
    """E-mail through an SMTP server (the district's own): automations of cellreports notify
    the officer with it."""

    _block_type_name = "cellreports SMTP e-mail"
    _block_type_slug = BLOCK_TYPE_SLUG
    _description = ("E-mail through an SMTP server of your own (STARTTLS or plain, optional "
                    "login), as cellreports sends its reminders.")

    host: str = Field(description="The SMTP server.")
    port: int = Field(default=587, description="Its port (587: submission with STARTTLS).")
    starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS.")
    username: str = Field(default="", description="Login; empty: no login.")
    password: SecretStr = Field(default=SecretStr(""), description="The login's password.")
    from_address: str = Field(description="The From address.")
    to: list[str] = Field(description="Who receives the notifications.")

    def _send(self, body: str, subject: str | None) -> None:
        from connectors.smtp_sender import SmtpSender

        sender = SmtpSender(self.host, self.port, self.from_address, self.username,
                            self.password.get_secret_value(), self.starttls)
        for address in self.to:
            sender.send(address, subject or "cellreports", body)

    async def notify(self, body: str, subject: str | None = None) -> None:
        """Send ``body`` with ``subject`` to every address of ``to`` (the Prefect server
        awaits it when an automation fires; ``asyncio.run(block.notify(...))`` by hand)."""
        try:
            await asyncio.to_thread(self._send, body, subject)
        except (OSError, smtplib.SMTPException) as exc:
            # the class and the server's answer, never the password
            failure = f"{type(exc).__name__}: {exc}"
            if self._raise_on_failure:
                raise NotificationError(log=failure) from None
            self.logger.error("could not send the notification by e-mail: %s", failure)
