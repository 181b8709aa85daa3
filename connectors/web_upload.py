"""The web page as a channel: a cell's upload is handed over by the page itself, and its
feedback goes to the same outbox as the folder inbox's (the page offers it for download)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from connectors.base import IncomingFile
from connectors.folder_inbox import FolderInbox
from core.kinds import WEB


class WebUpload(FolderInbox):
    """Nothing to fetch or acknowledge: the upload is the request. The sender is the
    signed-in account's unit; feedback is written to ``outbox/<unit>/``."""

    channel = WEB

    def __init__(self, outbox: Path):
        super().__init__(outbox / ".none", outbox / ".none", outbox)

    def fetch(self) -> Iterator[IncomingFile]:
        return iter(())

    def acknowledge(self, item: IncomingFile) -> None:
        return None

    def acknowledge_many(self, items: Iterable[IncomingFile]) -> None:
        return None
