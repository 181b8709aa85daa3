"""The folder inbox: files dropped in a folder (or a sub-folder per unit).

The sub-folder's name is the sender (compared with the registry's ``senders``); files in
the inbox root have no sender. Handled files move to the processed folder, never deleted;
feedback is written to the outbox, in a sub-folder per sender.

Every name is read, a dotted one (``.BL02.xlsx``, a folder ``.cu``) like any other: a file
the officer cannot see in the folder still gets its answer. Passed over, and listed in the
run summary with the reason: office lock files (``~$…``, ``.~lock.…#``), which exist only
while a program has the file open, and symbolic links, which are never followed (a link to
``/etc/passwd`` would otherwise be read and archived) but moved aside, with anything else
that is not a plain file (a pipe, a device), to the set-aside folder.
"""

from __future__ import annotations

import os
import shutil
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from connectors.base import Connector, IncomingFile, Skipped
from connectors.safe_names import readable_name, safe_filename, unique_path
from core.limits import DEFAULT_LIMITS

LOCK_FILE = "an office lock file: the workbook is open in Excel or LibreOffice"
SYMLINK = "a symbolic link, never followed; moved aside"
NOT_A_FILE = "not a plain file (a pipe, a socket or a device); moved aside"
VANISHED = "it disappeared or changed into a link while it was being read"


_CHOOSING = threading.Lock()  # FolderInbox.send_feedback's choice of a file name


class FolderInbox(Connector):
    channel = "folder"

    def __init__(self, inbox: Path, processed: Path, outbox: Path,
                 max_bytes: int = DEFAULT_LIMITS.max_file_bytes, aside: Path | None = None):
        self.inbox, self.processed, self.outbox = inbox, processed, outbox
        # where links and other things that are not files go, out of the inbox
        self.aside = aside if aside is not None else processed.parent / "set-aside"
        # a file over the limit is read only this far (+1 byte): enough to refuse it,
        # without holding (and archiving) gigabytes
        self.max_bytes = max_bytes
        self.skipped: list[Skipped] = []

    def fetch(self) -> Iterator[IncomingFile]:
        self.skipped = []
        if not self.inbox.is_dir() or self.inbox.is_symlink():
            return
        found = []
        for path in _walk(self.inbox):
            reason = _pass_over(path)
            if reason is None:
                found.append((path, path.lstat()))
            elif reason == LOCK_FILE:
                self._skip(path, reason)
            else:
                self._skip(path, reason, moved_to=self._set_aside(path))
        for path, _status in sorted(found, key=lambda f: (f[1].st_mtime, str(f[0]))):
            relative = path.relative_to(self.inbox)
            sender = relative.parts[0] if len(relative.parts) > 1 else ""
            try:
                status, content = _read_plain(path, self.max_bytes + 1)
            except OSError:  # replaced by a link, or gone, since the walk
                self._skip(path, VANISHED)
                continue
            yield IncomingFile(
                content=content,
                filename=readable_name(path.name),
                channel=self.channel,
                sender=readable_name(sender, 100) if sender else "",
                # the spec: a folder file arrives at its modification time
                received_at=datetime.fromtimestamp(status.st_mtime, tz=UTC),
                handle=str(relative),
                size=status.st_size if status.st_size > len(content) else None,
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

    def send_feedback(self, item: IncomingFile, filename: str, content: bytes,
                      key: str = "") -> Path:
        """Write the feedback into the sender's outbox folder, never over another
        submission's: a name already taken by other bytes gets ``_<key>`` (then `` (2)``…).
        The same bytes again (a run that died before recording the answer) reuse the file."""
        target_dir = self.outbox / safe_filename(item.sender or "_chung")
        target_dir.mkdir(parents=True, exist_ok=True)
        name = safe_filename(filename)
        # uploads answered side by side (the web page's threads) must not pick the same
        # free name, nor share a temporary file: the choice and the write go together
        with _CHOOSING:
            target = target_dir / name
            if _taken(target, content) and key:
                stem, suffix = Path(name).stem, Path(name).suffix
                target = target_dir / safe_filename(f"{stem}_{key}{suffix}")
            if _taken(target, content):
                target = unique_path(target_dir, target.name)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(content)
            os.replace(tmp, target)
        return target

    def _skip(self, path: Path, reason: str, moved_to: Path | None = None) -> None:
        name = readable_name(str(path.relative_to(self.inbox)), 300)
        self.skipped.append(Skipped(name, reason, moved_to))

    def _set_aside(self, path: Path) -> Path | None:
        """Move a link (itself, not what it points to) or a special file out of the inbox."""
        relative = path.relative_to(self.inbox)
        sender = safe_filename(relative.parts[0]) if len(relative.parts) > 1 else "_"
        target_dir = self.aside / datetime.now(UTC).strftime("%Y-%m-%d") / sender
        target_dir.mkdir(parents=True, exist_ok=True)
        target = unique_path(target_dir, safe_filename(path.name))
        try:
            os.rename(path, target)  # renames the link itself; never reads through it
        except OSError:
            return None
        return target


def _taken(target: Path, content: bytes) -> bool:
    """Is ``target`` another file than these bytes would be (a link counts as taken)?"""
    if target.is_symlink():
        return True
    if not target.exists():
        return False
    try:
        return target.stat().st_size != len(content) or target.read_bytes() != content
    except OSError:
        return True


def _walk(root: Path) -> Iterator[Path]:
    """Every entry below ``root`` that is not a folder, without following any link (a link
    to a folder is an entry too, never entered)."""
    for folder, directories, files in os.walk(root, followlinks=False):
        base = Path(folder)
        for name in directories:
            if (base / name).is_symlink():
                yield base / name
        for name in files:
            yield base / name


def _pass_over(path: Path) -> str | None:
    """Why an entry is not read as a submission, or None for a plain file."""
    if path.name.startswith("~$") or (path.name.startswith(".~lock.")
                                      and path.name.endswith("#")):
        return LOCK_FILE
    if path.is_symlink():
        return SYMLINK
    try:
        plain = stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return VANISHED
    return None if plain else NOT_A_FILE


def _read_plain(path: Path, limit: int) -> tuple[os.stat_result, bytes]:
    """The file's status and first ``limit`` bytes, opened without following a link: a
    file swapped for a link after the walk fails here instead of being read through."""
    # O_NONBLOCK: a pipe put there after the walk must not block the run on open()
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as file:
        status = os.fstat(file.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise OSError(f"{path} is not a plain file")
        return status, file.read(limit)


def _unchanged(source: Path, item: IncomingFile) -> bool:
    """The file is still what was fetched (of a file over the limit: its size and the
    first bytes that were read), and still a plain file, not a link put in its place."""
    try:
        status, content = _read_plain(source, len(item.content))
    except OSError:
        return False
    return status.st_size == (item.size or len(item.content)) and content == item.content

