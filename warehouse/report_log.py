"""Every version of every output file of a month, kept and retrievable.

A build is recorded in the same transaction that writes its files: if the process dies
before the commit, the month is still "stale" for the next run, which builds it again
(same data, same bytes). A rebuild that yields identical bytes is not a new version.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse import models as m
from warehouse.archive import sha256_of
from warehouse.versions import now

HISTORY = "history"  # beside the live reports: reports/history/<period>/<build>_<name>
SPOOL = ".spool"  # beside them too: outputs written as they are made, until recorded
SPOOL_LEFT_FOR = 24 * 3600  # seconds: a spooled file older than this was left by a crash
CHUNK = 1 << 20


@dataclass(frozen=True)
class MadeFile:
    """An output written to a file of its own as it was made (too large to hold: a large
    district's data file), waiting under ``reports/.spool`` to be recorded."""

    path: Path
    sha256: str


Content = bytes | MadeFile  # an output as recorded: its bytes, or the file it was made in


def discard_made(contents: Iterable[Content]) -> None:
    """The files made for outputs that are not recorded after all (the month changed
    since, or their build failed) removed; bytes need nothing."""
    for content in contents:
        if isinstance(content, MadeFile):
            content.path.unlink(missing_ok=True)


class SpoolFile:
    """A file under ``reports/.spool`` written piece by piece, hashed as it is written
    (``with SpoolFile(root, ".csv") as out: out.write(...)``; then ``out.made``)."""

    def __init__(self, reports_root: Path, suffix: str) -> None:
        folder = reports_root / SPOOL
        folder.mkdir(parents=True, exist_ok=True)
        _sweep(folder)
        self.path = folder / f"{uuid.uuid4().hex}{suffix}"
        self._hash = hashlib.sha256()
        self._file = self.path.open("wb")

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self._hash.update(data)

    def __enter__(self) -> SpoolFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        if kind is not None:
            self.path.unlink(missing_ok=True)

    @property
    def made(self) -> MadeFile:
        return MadeFile(self.path, self._hash.hexdigest())


def _sweep(folder: Path) -> None:
    """Remove what a crashed run left in the spool (a day old: never a file being made)."""
    old = time.time() - SPOOL_LEFT_FOR
    for left in folder.iterdir():
        try:
            if left.stat().st_mtime < old:
                left.unlink(missing_ok=True)
        except FileNotFoundError:  # recorded (moved away) by another build meanwhile
            continue


def in_use_ids(session: Session, unit_codes: list[str], period: str, kind: str) -> list[int]:
    """The accepted submission of each unit for the month: what a report is built from."""
    if not unit_codes:
        return []
    return sorted(session.scalars(select(m.Submission.id).where(
        m.Submission.unit_code.in_(unit_codes), m.Submission.period == period,
        m.Submission.kind == kind, m.Submission.status == "accepted")))


def in_use_units(session: Session, unit_codes: list[str], period: str, kind: str) -> list[str]:
    """The units among ``unit_codes`` with an accepted submission of ``kind`` for the month."""
    if not unit_codes:
        return []
    return sorted(set(session.scalars(select(m.Submission.unit_code).where(
        m.Submission.unit_code.in_(unit_codes), m.Submission.period == period,
        m.Submission.kind == kind, m.Submission.status == "accepted"))))


def accepted_months(session: Session, unit_codes: list[str], kind: str,
                    up_to: str) -> list[str]:
    """The months up to ``up_to`` in which one of the units has an accepted submission."""
    if not unit_codes:
        return []
    return sorted(set(session.scalars(select(m.Submission.period).where(
        m.Submission.unit_code.in_(unit_codes), m.Submission.kind == kind,
        m.Submission.status == "accepted", m.Submission.period <= up_to))))


def latest(session: Session, unit_code: str, period: str, kind: str) -> m.ReportBuild | None:
    return session.scalar(select(m.ReportBuild).where(
        m.ReportBuild.unit_code == unit_code, m.ReportBuild.period == period,
        m.ReportBuild.kind == kind).order_by(m.ReportBuild.id.desc()).limit(1))


def is_stale(session: Session, unit_code: str, period: str, kind: str,
             submission_ids: list[int]) -> bool:
    """Was the month's report built from other submissions than those now in use?"""
    build = latest(session, unit_code, period, kind)
    return build is None or build.submission_ids != _ids_text(submission_ids)


def record_builds(session: Session, reports_root: Path, unit_code: str, period: str,
                  outputs: dict[str, tuple[Path, Content]], submission_ids: list[int],
                  inputs: str | None = None) -> None:
    """Write the outputs (kind → live path and bytes, or the file they were made in) and
    record each changed one as a new version with a copy under ``history/``, each marked
    with the digest of what it was built from (``inputs``, reports.inputs); commits the
    session's transaction, so the month read for the report and its recorded versions are
    one unit of work."""
    moment = now()
    for kind, (path, content) in outputs.items():
        digest = content.sha256 if isinstance(content, MadeFile) else sha256_of(content)
        previous = latest(session, unit_code, period, kind)
        if previous is None or previous.sha256 != digest \
                or previous.submission_ids != _ids_text(submission_ids):
            build = m.ReportBuild(unit_code=unit_code, period=period, kind=kind,
                                  file_name=path.name, sha256=digest, copy_path="",
                                  built_at=moment, submission_ids=_ids_text(submission_ids),
                                  inputs_sha256=inputs)
            session.add(build)
            session.flush()
            copy = Path(HISTORY) / period / f"{build.id:05d}_{path.name}"
            write_atomically(reports_root / copy, content)
            build.copy_path = copy.as_posix()
        else:  # the same bytes: not a new version, but now known to come from ``inputs``
            previous.inputs_sha256 = inputs
        _put_in_place(path, content)
    session.commit()


def _put_in_place(path: Path, content: Content) -> None:
    """The live output: a made file moved there (written and synced already), else the
    bytes written atomically."""
    if not isinstance(content, MadeFile):
        write_atomically(path, content)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    content.path.replace(path)


def recorded_inputs(session: Session, unit_code: str, period: str, outputs: dict[str, Path],
                    submission_ids: list[int]) -> str | None:
    """The digest of what the month's outputs on disk (kind → live path) were built from
    (reports.inputs), when each is the one last recorded, built from these submissions and
    the same digest as the others; else None (a file missing or changed since, a new file
    in use, a build recorded without one)."""
    found = set()
    for kind, path in outputs.items():
        build = latest(session, unit_code, period, kind)
        if (build is None or build.inputs_sha256 is None or build.file_name != path.name
                or build.submission_ids != _ids_text(submission_ids) or not path.is_file()
                or file_sha256(path) != build.sha256):
            return None
        found.add(build.inputs_sha256)
    return found.pop() if len(found) == 1 else None


def builds(session: Session, unit_code: str, period: str) -> list[m.ReportBuild]:
    return list(session.scalars(select(m.ReportBuild).where(
        m.ReportBuild.unit_code == unit_code, m.ReportBuild.period == period)
        .order_by(m.ReportBuild.id)))


def retrieve(reports_root: Path, build: m.ReportBuild, target: Path) -> Path:
    """A copy of an earlier version of a report, byte for byte."""
    shutil.copyfile(reports_root / build.copy_path, target)
    return target


def write_atomically(path: Path, content: Content) -> None:
    """A reader of the folder never sees half a file; a crash leaves the old one. A made
    file is copied (it stays where it is)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as handle:
        if isinstance(content, MadeFile):
            with content.path.open("rb") as source:
                shutil.copyfileobj(source, handle, CHUNK)
        else:
            handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


def file_sha256(path: Path) -> str:
    """A file's SHA-256, read a piece at a time (a data file may be hundreds of MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while piece := handle.read(CHUNK):
            digest.update(piece)
    return digest.hexdigest()


def _ids_text(ids: list[int]) -> str:
    return ",".join(str(i) for i in sorted(ids))
