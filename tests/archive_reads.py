"""Counting what a run reads back from the archive (warehouse.archive.Archive.read)."""

from __future__ import annotations

import pytest

from warehouse.archive import Archive


def archive_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SHA-256 of every file read from the archive from now on, in order."""
    reads: list[str] = []
    original = Archive.read

    def read(self: Archive, sha256: str) -> bytes:
        reads.append(sha256)
        return original(self, sha256)

    monkeypatch.setattr(Archive, "read", read)
    return reads
