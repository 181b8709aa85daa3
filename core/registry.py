"""The unit registry and the targets: CSV files the district edits (docs/registry.md)."""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from core.errors import CellreportsError
from core.periods import first_day, last_day

REPORTING_LEVEL = "chi_bo"


class RegistryError(CellreportsError, ValueError):
    """The registry files are malformed (missing column, bad date, unknown parent)."""

    heading = "The unit registry is not valid"
    exit_code = 2


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


TARGET_COLUMNS = {"unit_code", "year", "population", "target"}


def _load_targets(directory: Path) -> list[Target]:
    """The annual targets: ``targets.xlsx`` (first sheet) when the district keeps them in
    Excel, as a plan like 119-KH/HU lists them, else ``targets.csv``; none is fine."""
    workbook, text = directory / "targets.xlsx", directory / "targets.csv"
    if workbook.exists():
        rows, name = _read_sheet(workbook, TARGET_COLUMNS), workbook.name
    elif text.exists():
        rows, name = _read_csv(text, TARGET_COLUMNS), text.name
    else:
        return []
    targets = []
    for row in rows:
        if not row["unit_code"]:
            continue  # a blank line at the end of the sheet
        try:
            targets.append(Target(row["unit_code"], int(float(row["year"])), row["population"],
                                  int(float(row["target"]))))
        except ValueError as exc:
            raise RegistryError(f"{name}: bad number in {row}") from exc
    return targets


def _read_sheet(path: Path, required: set[str]) -> list[dict[str, str]]:
    from python_calamine import CalamineWorkbook

    try:
        grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    except Exception as exc:  # a broken targets workbook is a registry error, named
        raise RegistryError(f"{path.name}: cannot be read ({exc})") from exc
    if not grid:
        return []
    header = [str(c).strip() for c in grid[0]]
    missing = required - set(header)
    if missing:
        raise RegistryError(f"{path.name}: missing columns {sorted(missing)}")
    return [{h: unicodedata.normalize("NFC", str(v).strip()) for h, v in zip(header, row,
                                                                            strict=False)}
            for row in grid[1:]]


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
        return cls(units, _load_targets(directory))

    def get(self, code: str | None) -> Unit | None:
        return self.units.get(code) if code else None

    def above(self, code: str) -> set[str]:
        """The codes of the units ``code`` sits under (its parent, theirs, … the top)."""
        found: set[str] = set()
        unit = self.get(code)
        parent = self.get(unit.parent_code) if unit else None
        while parent is not None and parent.code not in found:  # a loop would not end
            found.add(parent.code)
            parent = self.get(parent.parent_code)
        return found

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

    def target_below(self, unit_code: str, year: int, population: str,
                     period: str) -> int | None:
        """A unit's annual target: its own when the file sets one, else the sum of the
        targets of the units below it active in the period; None when none is on record."""
        own = self.target(unit_code, year, population)
        if own is not None:
            return own
        found = [t for child in self.children(unit_code, period)
                 if (t := self.target_below(child.code, year, population, period)) is not None]
        return sum(found) if found else None

    def unit_for_sender(self, sender: str) -> Unit | None:
        key = sender.strip().lower()
        for unit in self.units.values():
            if key in (s.lower() for s in unit.senders):
                return unit
        return None
