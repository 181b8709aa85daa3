"""The folder inbox: files dropped in a folder (or a sub-folder per unit).

The sub-folder's name is the sender (compared with the registry's ``senders``); files in
the inbox root have no sender. Handled files move to the processed folder, never deleted;
feedback is written to the outbox, in a sub-folder per sender.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from connectors.base import Connector, IncomingFile
from connectors.safe_names import readable_name, safe_filename, unique_path
from forms.container import DEFAULT_LIMITS


class FolderInbox(Connector):
    channel = "folder"

    def __init__(self, inbox: Path, processed: Path, outbox: Path,
                 max_bytes: int = DEFAULT_LIMITS.max_file_bytes):
        self.inbox, self.processed, self.outbox = inbox, processed, outbox
        # a file over the limit is read only this far (+1 byte): enough to refuse it,
        # without holding (and archiving) gigabytes
        self.max_bytes = max_bytes

    def fetch(self) -> Iterator[IncomingFile]:
        if not self.inbox.exists():
            return
        paths = [p for p in self.inbox.rglob("*") if p.is_file() and not _hidden(p, self.inbox)]
        for path in sorted(paths, key=lambda p: (p.stat().st_mtime, str(p))):
            relative = path.relative_to(self.inbox)
            sender = relative.parts[0] if len(relative.parts) > 1 else ""
            stat = path.stat()
            with path.open("rb") as file:
                content = file.read(self.max_bytes + 1)
            yield IncomingFile(
                content=content,
                filename=readable_name(path.name),
                channel=self.channel,
                sender=readable_name(sender, 100) if sender else "",
                # the spec: a folder file arrives at its modification time
                received_at=datetime.fromtimestamp(stat.st_mtime, tz=UTC),
                handle=str(relative),
                size=stat.st_size if stat.st_size > len(content) else None,
            )

    def acknowledge(self, item: IncomingFile) -> None:
        source = self.inbox / item.handle
        # a file still being copied when it was fetched, or replaced during the run, is not
        # what was archived and loaded: leave it for the next run
        if not source.exists() or not _unchanged(source, item):
            return
        day = item.received_at.strftime("%Y-%m-%d")
        target_dir = self.processed / day / safe_filename(item.sender or "_")
        target_dir.mkdir(parents=True, exist_ok=True)
        shutil.move(str(source), unique_path(target_dir, safe_filename(item.filename)))

    def send_feedback(self, item: IncomingFile, filename: str, content: bytes) -> Path:
        target_dir = self.outbox / safe_filename(item.sender or "_chung")
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / safe_filename(filename)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(content)
        os.replace(tmp, target)  # feedback for the same file is replaced, not duplicated
        return target


def _unchanged(source: Path, item: IncomingFile) -> bool:
    """The file is still what was fetched (of a file over the limit: its size and the
    first bytes that were read)."""
    if source.stat().st_size != (item.size or len(item.content)):
        return False
    with source.open("rb") as file:
        return file.read(len(item.content)) == item.content


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in path.relative_to(root).parts)
