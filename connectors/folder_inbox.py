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
from hashlib import sha256
from pathlib import Path

from connectors.base import Connector, IncomingFile
from connectors.safe_names import safe_filename, unique_path


class FolderInbox(Connector):
    channel = "folder"

    def __init__(self, inbox: Path, processed: Path, outbox: Path):
        self.inbox, self.processed, self.outbox = inbox, processed, outbox

    def fetch(self) -> Iterator[IncomingFile]:
        if not self.inbox.exists():
            return
        paths = [p for p in self.inbox.rglob("*") if p.is_file() and not _hidden(p, self.inbox)]
        for path in sorted(paths, key=lambda p: (p.stat().st_mtime, str(p))):
            relative = path.relative_to(self.inbox)
            sender = relative.parts[0] if len(relative.parts) > 1 else ""
            yield IncomingFile(
                content=path.read_bytes(),
                filename=path.name,
                channel=self.channel,
                sender=sender,
                # the spec: a folder file arrives at its modification time
                received_at=datetime.fromtimestamp(path.stat().st_mtime, tz=UTC),
                handle=str(relative),
            )

    def acknowledge(self, item: IncomingFile) -> None:
        source = self.inbox / item.handle
        # a file still being copied when it was fetched, or replaced during the run, is not
        # what was archived and loaded: leave it for the next run
        if not source.exists() or sha256(source.read_bytes()).digest() != sha256(
                item.content).digest():
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


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in path.relative_to(root).parts)
