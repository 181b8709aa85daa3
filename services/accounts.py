"""The web page's accounts: created, reset and disabled by the district, checked at sign-in.

Passwords are hashed with argon2 (argon2-cffi's defaults, RFC 9106's second recommended
profile); a new or reset password is generated here, shown once to the officer who passes
it to the cell, and never stored in clear."""

from __future__ import annotations

import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import CellreportsError
from core.registry import REPORTING_LEVEL, Registry, Unit
from core.settings import Settings
from warehouse import accounts
from warehouse.accounts import AccountView
from warehouse.unit_of_work import Warehouse

ROLES = ("cell", "district", "province")
LOGIN = re.compile(r"[A-Z0-9][A-Z0-9._-]{2,63}")  # logins are upper-cased at sign-in
_HASHER = PasswordHasher()
# a password read over the phone: no 0/O, 1/l/I
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# verified when a login is unknown, so that a refusal takes as long either way
_DUMMY_HASH = _HASHER.hash("not a password anyone has")


class UnknownUnit(CellreportsError, ValueError):
    """An account for a unit the registry does not have, or of the wrong role for it."""

    heading = "Unknown unit"
    exit_code = 2


def new_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def add_account(settings: Settings, registry: Registry, login: str, email: str = "",
                role: str = "cell", unit_code: str | None = None) -> tuple[AccountView, str]:
    """A new account and its first password. A cell's login is its unit code; an officer's
    (role ``district`` or ``province``) is a name of its own, for the unit ``unit_code`` (a
    district or commune of the registry, or its province)."""
    unit = registry.get(login) if role == "cell" else _officer_unit(settings, registry,
                                                                      unit_code)
    if role == "cell" and (unit is None or unit.level != REPORTING_LEVEL):
        raise UnknownUnit(f"{login} is not a reporting cell of the registry "
                          f"({settings.registry_dir})")
    if role not in ROLES:
        raise UnknownUnit(f"{role!r} is not a role ({', '.join(ROLES)})")
    if role != "cell":
        _check_officer(registry, login, unit, role, unit_code)
    assert unit is not None
    password = new_password()
    with Warehouse.of(settings).transaction() as session:
        view = accounts.add(session, login, unit.code, role, email, _HASHER.hash(password))
    return view, password


def _officer_unit(settings: Settings, registry: Registry, unit_code: str | None
                  ) -> Unit | None:
    """An officer's unit: in the district's registry, else in the province's (the officers
    of the other districts, who follow their files at the province)."""
    return registry.get(unit_code) or Registry.load(settings.province_registry_dir).get(
        unit_code)


def _check_officer(registry: Registry, login: str, unit: Unit | None, role: str,
                   unit_code: str | None) -> None:
    """An officer's login is a name (letters, digits, . _ -) that is no unit's code, for a
    consolidating unit of its role: the top unit for ``province``, one below it for
    ``district``."""
    if not LOGIN.fullmatch(login) or registry.get(login) is not None:
        raise UnknownUnit(f"{login!r} cannot be an officer's login: use letters, digits, "
                          ". _ - (3 to 64), not a unit's code")
    if unit is None:
        raise UnknownUnit(f"{unit_code!r} is not a unit of the registry")
    top = unit.parent_code is None
    if role == "province" and not top or role == "district" and (
            top or unit.level == REPORTING_LEVEL):
        raise UnknownUnit(f"{unit.code} ({unit.level}) is not a unit a {role} officer "
                          "works for")


def reset_password(settings: Settings, login: str) -> str:
    """A new password for the account (enabled again if it was disabled)."""
    password = new_password()
    with Warehouse.of(settings).transaction() as session:
        accounts.set_password(session, login, _HASHER.hash(password))
    return password


def disable_account(settings: Settings, login: str) -> None:
    with Warehouse.of(settings).transaction() as session:
        accounts.disable(session, login)


def list_accounts(settings: Settings) -> list[AccountView]:
    with Warehouse.of(settings).session() as session:
        return accounts.listed(session)


def sign_in(settings: Settings, login: str, password: str, address: str = "",
            ) -> AccountView | None:
    """The account when the password is its own (recorded either way in the audit)."""
    with Warehouse.of(settings).transaction() as session:
        found = accounts.credentials(session, login)
        stored = found[1] if found else _DUMMY_HASH
        try:
            ok = _HASHER.verify(stored, password) and found is not None
        except (VerificationError, InvalidHashError):
            ok = False
        accounts.audit(session, login, "login" if ok else "login_refused",
                       found[0].unit_code if ok and found else None, address=address)
        if ok and found and _HASHER.check_needs_rehash(stored):
            accounts.set_password(session, login, _HASHER.hash(password))
        return found[0] if ok and found else None


def account(settings: Settings, login: str) -> AccountView | None:
    """The active account of a session's login (None once disabled)."""
    with Warehouse.of(settings).session() as session:
        return accounts.active(session, login)


def record(settings: Settings, login: str, action: str, unit_code: str | None = None,
           submission_id: int | None = None, address: str = "") -> None:
    with Warehouse.of(settings).transaction() as session:
        accounts.audit(session, login, action, unit_code, submission_id, address)
