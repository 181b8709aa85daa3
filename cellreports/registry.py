"""The unit registry and the targets: CSV files the district edits (docs/registry.md)."""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cellreports.periods import first_day, last_day

REPORTING_LEVEL = "chi_bo"


class RegistryError(ValueError):
    """The registry files are malformed (missing column, bad date, unknown parent)."""


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str
    parent_code: str | None
    valid_from: date | None
    valid_to: date | None
    senders: tuple[str, ...] = ()

    def active_in(self, period: str) -> bool:
        """A unit is active in a month if it exists on any day of that month."""
        starts_ok = self.valid_from is None or self.valid_from <= last_day(period)
        ends_ok = self.valid_to is None or self.valid_to >= first_day(period)
        return starts_ok and ends_ok


@dataclass(frozen=True)
class Target:
    unit_code: str
    year: int
    population: str
    target: int


def _date_or_none(text: str, where: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise RegistryError(f"{where}: not a YYYY-MM-DD date: {text!r}") from exc


def _read_csv(path: Path, required: set[str]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = required - set(reader.fieldnames or [])
        if missing:
            raise RegistryError(f"{path.name}: missing columns {sorted(missing)}")
        return [{k: unicodedata.normalize("NFC", (v or "").strip()) for k, v in row.items()}
                for row in reader]


class Registry:
    """The unit tree with validity dates, and the annual targets."""

    def __init__(self, units: list[Unit], targets: list[Target]):
        self.units = {u.code: u for u in units}
        self.targets = targets
        self._targets = {(t.unit_code, t.year, t.population): t.target for t in targets}
        for unit in units:
            if unit.parent_code and unit.parent_code not in self.units:
                raise RegistryError(f"unit {unit.code}: unknown parent {unit.parent_code}")

    @classmethod
    def load(cls, directory: Path) -> Registry:
        units = [
            Unit(
                code=row["code"],
                name=row["name"],
                level=row["level"],
                parent_code=row["parent_code"] or None,
                valid_from=_date_or_none(row["valid_from"], f"unit {row['code']} valid_from"),
                valid_to=_date_or_none(row["valid_to"], f"unit {row['code']} valid_to"),
                senders=tuple(s.strip() for s in row.get("senders", "").split(";") if s.strip()),
            )
            for row in _read_csv(directory / "units.csv", {"code", "name", "level", "parent_code",
                                                          "valid_from", "valid_to"})
        ]
        targets_file = directory / "targets.csv"
        targets = []
        if targets_file.exists():
            for row in _read_csv(targets_file, {"unit_code", "year", "population", "target"}):
                try:
                    targets.append(Target(row["unit_code"], int(row["year"]), row["population"],
                                          int(row["target"])))
                except ValueError as exc:
                    raise RegistryError(f"targets.csv: bad number in {row}") from exc
        return cls(units, targets)

    def get(self, code: str | None) -> Unit | None:
        return self.units.get(code) if code else None

    def children(self, code: str, period: str) -> list[Unit]:
        return sorted((u for u in self.units.values()
                       if u.parent_code == code and u.active_in(period)), key=lambda u: u.code)

    def reporting_cells(self, code: str, period: str) -> list[Unit]:
        """Every reporting cell active in the period anywhere below ``code``."""
        found: list[Unit] = []
        for child in self.children(code, period):
            if child.level == REPORTING_LEVEL:
                found.append(child)
            else:
                found.extend(self.reporting_cells(child.code, period))
        return found

    def target(self, unit_code: str, year: int, population: str) -> int | None:
        return self._targets.get((unit_code, year, population))

    def unit_for_sender(self, sender: str) -> Unit | None:
        key = sender.strip().lower()
        for unit in self.units.values():
            if key in (s.lower() for s in unit.senders):
                return unit
        return None
