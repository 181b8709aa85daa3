"""The folder inbox reads every plain file, dotted names too; it never follows a symbolic
link; what it passes over is listed with the reason, and links and special files are moved
aside so that nothing waits in the inbox forever."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from connectors.folder_inbox import LOCK_FILE, NOT_A_FILE, SYMLINK, FolderInbox


@pytest.fixture
def inbox(tmp_path: Path) -> FolderInbox:
    return FolderInbox(tmp_path / "inbox", tmp_path / "processed", tmp_path / "outbox")


def put(inbox: FolderInbox, relative: str, content: bytes = b"PK report") -> Path:
    path = inbox.inbox / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_dotted_names_and_dotted_folders_are_read_like_any_other(inbox: FolderInbox) -> None:
    put(inbox, ".BL02.xlsx", b"one")
    put(inbox, "BL01/.hidden copy.xlsx", b"two")
    put(inbox, ".cu/BL03_2024-03.xlsx", b"three")
    found = {(f.sender, f.filename, f.content) for f in inbox.fetch()}
    assert found == {("", ".BL02.xlsx", b"one"), ("BL01", ".hidden copy.xlsx", b"two"),
                     (".cu", "BL03_2024-03.xlsx", b"three")}
    assert inbox.skipped == []


def test_office_lock_files_are_listed_and_left_where_they_are(inbox: FolderInbox) -> None:
    put(inbox, "BL01/BL01.xlsx")
    lock = put(inbox, "BL01/~$BL01.xlsx", b"lock")
    libre = put(inbox, "BL01/.~lock.BL01.xlsx#", b"lock")
    assert [f.filename for f in inbox.fetch()] == ["BL01.xlsx"]
    assert sorted((s.name, s.reason) for s in inbox.skipped) == [
        ("BL01/.~lock.BL01.xlsx#", LOCK_FILE), ("BL01/~$BL01.xlsx", LOCK_FILE)]
    assert lock.exists() and libre.exists()


def test_a_link_to_a_secret_file_is_never_read_and_is_moved_aside(
        inbox: FolderInbox, tmp_path: Path) -> None:
    secret = tmp_path / "passwd"
    secret.write_bytes(b"root:x:0:0")
    put(inbox, "BL01/real.xlsx")
    link = inbox.inbox / "BL01" / "BL01.xlsx"
    link.symlink_to(secret)
    fetched = list(inbox.fetch())
    assert [f.content for f in fetched] == [b"PK report"]
    [skipped] = inbox.skipped
    assert (skipped.name, skipped.reason) == ("BL01/BL01.xlsx", SYMLINK)
    assert not os.path.lexists(link)
    assert skipped.moved_to is not None and skipped.moved_to.is_symlink()
    assert skipped.moved_to.is_relative_to(inbox.aside)
    assert secret.read_bytes() == b"root:x:0:0"  # the target is untouched


def test_dangling_links_and_links_to_folders_are_moved_aside_never_entered(
        inbox: FolderInbox, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "BL04").mkdir(parents=True)
    (elsewhere / "BL04" / "BL04.xlsx").write_bytes(b"not ours")
    inbox.inbox.mkdir(parents=True)
    (inbox.inbox / "BL04").symlink_to(elsewhere / "BL04", target_is_directory=True)
    (inbox.inbox / "gone.xlsx").symlink_to(tmp_path / "nothing-here.xlsx")
    assert list(inbox.fetch()) == []
    assert sorted((s.name, s.reason) for s in inbox.skipped) == [
        ("BL04", SYMLINK), ("gone.xlsx", SYMLINK)]
    assert sorted(p.name for p in inbox.inbox.iterdir()) == []
    assert (elsewhere / "BL04" / "BL04.xlsx").read_bytes() == b"not ours"
    # a second run finds nothing left to report: nothing waits in the inbox forever
    assert list(inbox.fetch()) == [] and inbox.skipped == []


def test_a_named_pipe_is_moved_aside_without_blocking(inbox: FolderInbox) -> None:
    inbox.inbox.mkdir(parents=True)
    os.mkfifo(inbox.inbox / "pipe.xlsx")
    assert list(inbox.fetch()) == []
    assert [(s.name, s.reason) for s in inbox.skipped] == [("pipe.xlsx", NOT_A_FILE)]


def test_a_file_swapped_for_a_link_after_fetching_is_not_acknowledged(
        inbox: FolderInbox, tmp_path: Path) -> None:
    path = put(inbox, "BL01/BL01.xlsx", b"PK original")
    [item] = inbox.fetch()
    decoy = tmp_path / "decoy"
    decoy.write_bytes(b"PK original")
    path.unlink()
    path.symlink_to(decoy)
    inbox.acknowledge(item)
    assert path.is_symlink()  # left alone: it is not the file that was archived
    assert not list(inbox.processed.rglob("*.xlsx"))
