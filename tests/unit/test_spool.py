"""An output written to the spool as it is made (warehouse.report_log.SpoolFile): its
hash as written, nothing left behind by a failed one or, a day later, by a crash; and
recorded like bytes (moved into place, copied into the history)."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from warehouse.report_log import (
    SPOOL,
    SPOOL_LEFT_FOR,
    MadeFile,
    SpoolFile,
    discard_made,
    write_atomically,
)


def test_a_spooled_file_holds_its_pieces_and_their_hash(tmp_path: Path) -> None:
    with SpoolFile(tmp_path, ".csv") as out:
        for piece in (b"period,unit_code\n", "2024-03,BL01 Lộc An\n".encode()):
            out.write(piece)
    made = out.made
    content = "period,unit_code\n2024-03,BL01 Lộc An\n".encode()
    assert made.path.parent == tmp_path / SPOOL and made.path.suffix == ".csv"
    assert made.path.read_bytes() == content
    assert made.sha256 == hashlib.sha256(content).hexdigest()


def test_a_file_that_failed_while_made_is_removed(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), SpoolFile(tmp_path, ".json") as out:
        out.write(b"[\n")
        raise RuntimeError("the month could not be read")
    assert list((tmp_path / SPOOL).iterdir()) == []


def test_what_a_crash_left_a_day_ago_is_swept_and_nothing_newer(tmp_path: Path) -> None:
    spool = tmp_path / SPOOL
    spool.mkdir()
    old, recent = spool / "left.csv", spool / "being-made.csv"
    old.write_bytes(b"old")
    recent.write_bytes(b"recent")
    day_ago = time.time() - SPOOL_LEFT_FOR - 60
    os.utime(old, (day_ago, day_ago))
    with SpoolFile(tmp_path, ".csv") as out:
        out.write(b"new")
    assert sorted(p.name for p in spool.iterdir()) == sorted([recent.name, out.path.name])


def test_a_made_file_is_copied_atomically_and_discarded_on_request(tmp_path: Path) -> None:
    with SpoolFile(tmp_path, ".csv") as out:
        out.write(b"a,b\n1,2\n")
    made: MadeFile = out.made
    copy = tmp_path / "history" / "2024-03" / "00001_DuLieu.csv"
    write_atomically(copy, made)
    assert copy.read_bytes() == b"a,b\n1,2\n" and made.path.exists()
    discard_made([made, b"bytes need nothing"])
    assert not made.path.exists()


def test_a_file_moved_away_during_the_sweep_is_passed_over(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spool = tmp_path / SPOOL
    spool.mkdir()
    gone = spool / "recorded-meanwhile.csv"  # listed, then moved away by another build
    listing = Path.iterdir
    monkeypatch.setattr(Path, "iterdir",
                        lambda self: iter([gone, *listing(self)]) if self == spool
                        else listing(self))
    with SpoolFile(tmp_path, ".csv") as out:
        out.write(b"x")
    assert out.made.path.read_bytes() == b"x"
