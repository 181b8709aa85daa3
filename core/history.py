"""What the warehouse knows from earlier months, as plain data for the history rules.

The flow fills a History from the warehouse (warehouse/history.py); the validations only
read it, so that they stay pure and testable without a database.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from core.text import key


@dataclass(frozen=True)
class PastPerson:
    person_key: str
    full_name: str
    stage: int | None


@dataclass(frozen=True)
class PastReport:
    """The latest accepted report of a unit for an earlier period ("last month")."""

    unit_code: str
    period: str
    figures: dict[tuple[str, str], int]  # (population, indicator) -> declared total
    people: tuple[PastPerson, ...] = ()


class ListedRow(NamedTuple):
    """A roster row with an identification number, as the warehouse keeps it."""

    excel_row: int
    full_name: str | None
    person_key: str


@dataclass
class StoredRoster:
    """An accepted workbook's roster as the warehouse keeps it, for H07 across the month:
    its cell, where its numbers are in the workbook (sheet, column letter; None: not
    known) and its rows with a number, in the workbook's order."""

    unit_code: str
    sheet: str | None
    pid_column: str | None
    rows: list[ListedRow] = field(default_factory=list)


@dataclass
class History:
    # (unit_code, period of the new report) -> the unit's latest accepted earlier report
    previous: dict[tuple[str, str], PastReport] = field(default_factory=dict)
    # (period, person_key) -> units whose accepted roster of that period lists the person
    people_elsewhere: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    # certificates of the Political Center's register: (certificate key, date); None = none
    # loaded yet, in which case C01 says nothing
    certificates: set[tuple[str, date | None]] | None = None


def keyed(text: str, secret: bytes) -> str:
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


def person_key(pid: str | None, full_name: str | None, birth_date: date | None,
               secret: bytes) -> str | None:
    """Who a roster row is, across months and cells: the identification number when it is
    valid, else name and date of birth (rule R09's definition). Keyed, never plain."""
    if twelve_digits(pid):
        return pid_key(pid, secret)  # type: ignore[arg-type]
    return name_born_key(full_name, birth_date, secret)


_WELL_FORMED = re.compile(r"^\d{12}$")


def well_formed_pid(pid: str) -> bool:
    """R04's "12 digits", searched as GX's regex expectation searched it."""
    return _WELL_FORMED.search(pid) is not None


def twelve_digits(pid: str | None) -> bool:
    """A number whose digits can be read (R04's gender, year and province parts)."""
    return bool(pid) and pid.isdigit() and len(pid) == 12  # type: ignore[union-attr]


def pid_key(pid: str, secret: bytes) -> str:
    """An identification number as the rules compare it: keyed, whatever its form."""
    return keyed(f"pid:{pid}", secret)


def name_born_key(full_name: str | None, birth_date: date | None,
                  secret: bytes) -> str | None:
    """Name (compared without diacritics, case, spaces or punctuation) and date of birth,
    keyed."""
    if full_name and birth_date:
        return keyed(f"nb:{key(full_name)}|{birth_date.isoformat()}", secret)
    return None


def certificate_key(cert_no: str | None) -> str | None:
    """Certificate numbers compared without case, spaces or punctuation ("125/GCN-TTCT")."""
    return key(cert_no) or None if cert_no else None
