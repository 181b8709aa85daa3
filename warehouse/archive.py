"""The raw file archive: content-addressed, written once, never overwritten or deleted."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    relative_path: str


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class Archive:
    """Files under ``root/objects/ab/cd/<sha256>``; the path depends on the content only."""

    def __init__(self, root: Path):
        self.root = root

    def path_of(self, sha256: str) -> Path:
        return self.root / "objects" / sha256[:2] / sha256[2:4] / sha256

    def store(self, content: bytes) -> StoredFile:
        """Write the bytes if absent (atomically: a crash leaves no half-written file)."""
        digest = sha256_of(content)
        target = self.path_of(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(content)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, target)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        return StoredFile(digest, len(content), str(target.relative_to(self.root)))

    def read(self, sha256: str) -> bytes:
        return self.path_of(sha256).read_bytes()

    def held_or_read(self, held: bytes, sha256: str) -> bytes:
        """A received file's bytes: those still ``held`` (an upload), else read back from
        here (a run lets a file's bytes go once it is archived; an empty file's copy is empty
        too)."""
        return held or self.read(sha256)
