"""What the warehouse knows from earlier months, as plain data for the history rules.

The flow fills a History from the warehouse (warehouse/history.py); the validations only
read it, so that they stay pure and testable without a database.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date

from forms.text import key


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
    if pid and pid.isdigit() and len(pid) == 12:
        return keyed(f"pid:{pid}", secret)
    if full_name and birth_date:
        return keyed(f"nb:{key(full_name)}|{birth_date.isoformat()}", secret)
    return None


def certificate_key(cert_no: str | None) -> str | None:
    """Certificate numbers compared without case, spaces or punctuation ("125/GCN-TTCT")."""
    return key(cert_no) or None if cert_no else None
