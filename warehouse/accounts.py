"""Accounts of the web page and its audit trail: rows in, rows out (the hashing of passwords
is services.accounts')."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import CellreportsError
from warehouse import models as m


class AccountExists(CellreportsError, ValueError):
    """An account with this login is already there (reset its password instead)."""

    heading = "Account exists"
    exit_code = 1


class NoSuchAccount(CellreportsError, LookupError):
    """No account has this login."""

    heading = "No such account"
    exit_code = 1


@dataclass(frozen=True)
class AccountView:
    """An account as the web page and the CLI see it (no hash)."""

    login: str
    unit_code: str
    role: str
    email: str
    active: bool


def _view(row: m.Account) -> AccountView:
    return AccountView(row.login, row.unit_code, row.role, row.email, row.active)


def add(session: Session, login: str, unit_code: str, role: str, email: str,
        password_hash: str) -> AccountView:
    if session.scalar(select(m.Account).where(m.Account.login == login)) is not None:
        raise AccountExists(f"the account {login} exists already: `cellreports users reset "
                            f"{login}` gives it a new password")
    now = datetime.now(UTC)
    row = m.Account(login=login, unit_code=unit_code, role=role, email=email,
                    password_hash=password_hash, active=True, created_at=now,
                    password_set_at=now)
    session.add(row)
    return _view(row)


def _get(session: Session, login: str) -> m.Account:
    row = session.scalar(select(m.Account).where(m.Account.login == login))
    if row is None:
        raise NoSuchAccount(f"there is no account {login} (`cellreports users list`)")
    return row


def set_password(session: Session, login: str, password_hash: str) -> None:
    row = _get(session, login)
    row.password_hash, row.password_set_at, row.active = password_hash, datetime.now(UTC), True


def disable(session: Session, login: str) -> None:
    _get(session, login).active = False


def credentials(session: Session, login: str) -> tuple[AccountView, str] | None:
    """The active account of ``login`` and its hash (None: none, or disabled)."""
    row = session.scalar(select(m.Account).where(m.Account.login == login,
                                                 m.Account.active.is_(True)))
    return (_view(row), row.password_hash) if row is not None else None


def active(session: Session, login: str) -> AccountView | None:
    found = credentials(session, login)
    return found[0] if found else None


def listed(session: Session) -> list[AccountView]:
    return [_view(r) for r in session.scalars(select(m.Account).order_by(m.Account.login))]


def audit(session: Session, login: str, action: str, unit_code: str | None = None,
          submission_id: int | None = None, address: str = "") -> None:
    session.add(m.AuditEvent(at=datetime.now(UTC), login=login[:64], action=action,
                             unit_code=unit_code, submission_id=submission_id,
                             address=address[:64]))


def audit_trail(session: Session, limit: int = 100) -> list[m.AuditEvent]:
    rows = list(session.scalars(select(m.AuditEvent).order_by(m.AuditEvent.id.desc())
                                .limit(limit)))
    session.expunge_all()
    return rows
