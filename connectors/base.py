"""The one small base class every channel implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from core.run import Skipped

__all__ = ["Connector", "IncomingFile", "Skipped"]


@dataclass(frozen=True)
class IncomingFile:
    """A file as a channel handed it over, before anything has read it."""

    content: bytes = field(repr=False)
    filename: str
    channel: str
    sender: str
    received_at: datetime  # timezone-aware
    handle: str  # the channel's own reference (a path, a message id) for acknowledge()
    # the file's real size when ``content`` holds only its first bytes (a file over the size
    # limit is not read whole: its first bytes are enough to refuse it)
    size: int | None = None


class Connector(ABC):
    """A channel that files arrive through and feedback goes back through."""

    channel: str
    # what the last fetch() passed over (lock files, symbolic links…), with the reason
    skipped: list[Skipped]

    @abstractmethod
    def fetch(self) -> Iterator[IncomingFile]:
        """Every file waiting in the channel, oldest first."""

    @abstractmethod
    def acknowledge(self, item: IncomingFile) -> None:
        """Mark a file handled; called only after it is archived and loaded."""

    def acknowledge_many(self, items: Iterable[IncomingFile]) -> None:
        """Mark these files handled (a channel whose unit is a message overrides this)."""
        for item in items:
            self.acknowledge(item)

    @abstractmethod
    def send_feedback(self, item: IncomingFile, filename: str, content: bytes,
                      key: str = "") -> Path | str:
        """Return the feedback for ``item`` to its sender; returns where it went. ``key``
        (short, unique to the submission) tells its file apart from another's of the same
        name: no feedback ever overwrites another submission's."""
