"""What a run says in its log, in plain words (docs/schedule.md, "What a run logs").

Pure functions that word the lines; the flows log them with Prefect's run logger, so that
they appear in the dashboard, in ``prefect flow-run logs`` and on the standard output of
``cellreports serve`` (or the worker). A line names units by code and files by the name
they arrived with; it never quotes what is inside a file (no person's name, no
identification number).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from connectors.safe_names import readable_name

NAME_LIMIT = 120
PATH_LIMIT = 1000


def shown(name: str | Path, limit: int = NAME_LIMIT) -> str:
    """A received name as a log line shows it: no control or bidi characters, bounded."""
    return readable_name(str(name), limit)


def shown_path(where: str | Path) -> str:
    """Where something was written or sent (a path under the data folder, ``mailto:…``)."""
    return shown(where, PATH_LIMIT)


def count(n: int, word: str) -> str:
    """``1 error``, ``0 warnings``, ``3 files``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def received(files: int, channel: str) -> str:
    """``received 2 files via the folder inbox (/srv/var/inbox)``."""
    return f"received {count(files, 'file')} via {channel}"


def verdict(unit: str, filename: str, status: str, errors: int, warnings: int,
            version: int | None) -> str:
    """``BL02 BL02_2024-03.xlsx: rejected, 1 error, 0 warnings (v1)``."""
    line = (f"{unit or '?'} {shown(filename)}: {status}, {count(errors, 'error')}, "
            f"{count(warnings, 'warning')}")
    return f"{line} (v{version})" if version else line


def listed(codes: Iterable[str], limit: int = 30) -> str:
    codes = list(codes)
    more = f" and {len(codes) - limit} more" if len(codes) > limit else ""
    return ", ".join(codes[:limit]) + more if codes else "none"


def completeness(period: str, expected: int, accepted: int, rejected: int,
                 without: list[str], due: date, passed: bool, unit: str = "cell") -> str:
    """``2024-03: 1 of 5 cells accepted, 1 rejected, 3 sent nothing; without an accepted
    report: BL02, BL03, BL04, BL05 (deadline 25/03/2024, passed)``."""
    missing = expected - accepted - rejected
    when = f"deadline {due:%d/%m/%Y}, {'passed' if passed else 'not passed yet'}"
    if not without:
        return (f"{period}: every one of the {count(expected, unit)} has an accepted "
                f"report ({when})")
    return (f"{period}: {accepted} of {count(expected, unit)} accepted, {rejected} rejected, "
            f"{missing} sent nothing; without an accepted report: {listed(without)} ({when})")
