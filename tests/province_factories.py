"""Factories for the province: districts' upward data files built by reports.export from
hand-made months (no mocks of the format), and small helpers to plant defects in them."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from core.layout import BREAKDOWNS, INDICATOR_CODES, POPULATIONS, ROSTER_INDICATORS
from core.month import MonthData, UnitStatus
from core.province_month import ProvinceMonth
from core.registry import Registry
from core.settings import PROJECT_ROOT
from reports.export import export_rows, write_export_csv, write_export_json

PROVINCE_REGISTRY = PROJECT_ROOT / "config" / "registry" / "lam-dong-2024-province"
PERIOD = "2024-03"


def province_registry(directory: Path = PROVINCE_REGISTRY) -> Registry:
    return Registry.load(directory)


def _pick(low: int, high: int, *key: object) -> int:
    """A fixed pseudo-random whole number in [low, high] for ``key`` (same on every run)."""
    seed = sum((i + 3) * ord(ch) for i, ch in enumerate("|".join(map(str, key))))
    return low + (seed * 7919) % (high - low + 1)


# population -> indicator -> (low, high) of the plausible count of one school cell
_RANGES = {
    "hoc_sinh": {"TH01": (600, 1200), "TH04": (0, 1), "TH05": (18, 40), "TH11": (0, 2),
                 "TH13": (3, 7), "TH15": (0, 1)},
    "vien_chuc": {"TH01": (45, 90), "TH04": (18, 40), "TH05": (3, 8), "TH11": (0, 1),
                  "TH13": (1, 2), "TH15": (0, 1)},
}


def _totals(code: str, population: str, seed: int) -> dict[str, int]:
    """TH01–TH15 of one cell and population, consistent with one another."""
    ranges = _RANGES[population]
    t = {i: _pick(*ranges[i], code, population, i, seed) for i in ranges}
    t["TH02"] = t["TH01"] * (_pick(25, 35, code, population, seed) if population == "hoc_sinh"
                             else 100) // 100
    t["TH03"] = t["TH01"] * (_pick(80, 92, code, seed) if population == "hoc_sinh"
                             else _pick(10, 25, code, seed)) // 100
    t["TH06"] = t["TH05"] - _pick(0, 3, code, population, "TH06", seed)
    t["TH07"] = t["TH06"] // 2
    t["TH08"] = t["TH07"] // 2
    t["TH09"] = t["TH08"] // 2
    t["TH10"] = t["TH09"] // 2
    t["TH12"] = t["TH11"] + _pick(0, 3, code, population, "TH12", seed)
    t["TH14"] = t["TH12"] + _pick(0, 2, code, population, "TH14", seed)
    return t


def cell_values(code: str, seed: int = 0) -> dict[tuple[str, str, str, str], int]:
    """Plausible values of one cell: every breakdown at most its total."""
    shares = {"nu": 55, "dan_toc_thieu_so": 25, "ton_giao": 20}
    values = {}
    for population in POPULATIONS:
        totals = _totals(code, population, seed)
        for indicator in INDICATOR_CODES:
            total = totals[indicator]
            values[(code, population, indicator, "tong")] = total
            if indicator not in ROSTER_INDICATORS:
                continue
            for breakdown in BREAKDOWNS[1:]:
                share = shares.get(breakdown, 95 if population == "hoc_sinh" else 10)
                values[(code, population, indicator, breakdown)] = total * share // 100
    return values


def district_month(registry: Registry, district: str, period: str = PERIOD, *,
                   missing: Iterable[str] = (), late: Iterable[str] = (), seed: int = 0,
                   ) -> MonthData:
    """One district's month: every cell of the registry accepted except ``missing``."""
    unit = registry.get(district)
    assert unit is not None
    cells = registry.reporting_cells(district, period)
    missing, late = set(missing), set(late)
    statuses, values = [], {}
    for cell in cells:
        accepted = cell.code not in missing
        statuses.append(UnitStatus(cell, received=accepted, accepted=accepted,
                                   on_time=accepted and cell.code not in late,
                                   version=1 if accepted else None))
        if accepted:
            values.update(cell_values(cell.code, seed))
    units = [*cells, unit]
    return MonthData(period=period, unit=unit,
                     parents={u.code: u.parent_code for u in units},
                     levels={u.code: u.level for u in units}, cells=statuses, values=values,
                     generated_at=datetime(2024, 4, 2, 8, 0))


def district_rows(registry: Registry, district: str, period: str = PERIOD,
                  **kwargs: object) -> list[dict]:
    return export_rows(district_month(registry, district, period, **kwargs))  # type: ignore[arg-type]


def district_csv(registry: Registry, district: str, period: str = PERIOD,
                 **kwargs: object) -> bytes:
    return write_export_csv(district_rows(registry, district, period, **kwargs))


def district_json(registry: Registry, district: str, period: str = PERIOD,
                  **kwargs: object) -> bytes:
    return write_export_json(district_rows(registry, district, period, **kwargs))


# ---- planting defects in the CSV text


def csv_records(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def csv_bytes(records: list[dict[str, str]], columns: list[str] | None = None) -> bytes:
    columns = columns or list(records[0])
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue().encode("utf-8")


Record = dict[str, str]


def edit(content: bytes, change: Callable[[list[Record]], list[Record] | None],
         columns: list[str] | None = None) -> bytes:
    """The file with ``change`` applied to its records (in place, or returning new ones)."""
    records = csv_records(content)
    changed = change(records)
    return csv_bytes(changed if changed is not None else records, columns)


def matches(record: Record, **wanted: str) -> bool:
    return all(record[k] == v for k, v in wanted.items())


# ---- a province's month made by hand from three district files


def demo_files(registry: Registry) -> dict[str, bytes]:
    """Bảo Lâm (BL03 missing, BL04 late), Bảo Lộc and Di Linh; Lâm Hà sent nothing."""
    return {"BL": district_csv(registry, "BL", missing=["BL03"], late=["BL04"]),
            "BLC": district_csv(registry, "BLC", seed=5),
            "DL": district_csv(registry, "DL", seed=9, late=["DL01"])}


def demo_province_month(registry: Registry, files: dict[str, bytes]) -> ProvinceMonth:
    """The districts' own rows of ``files`` as a ProvinceMonth (Di Linh late, Lâm Hà
    missing), dated 2 April 2024."""
    values = {(r["unit_code"], r["population"], r["indicator"], r["breakdown"]): int(r["value"])
              for code, content in files.items() for r in csv_records(content)
              if r["unit_code"] == code}
    statuses = [
        UnitStatus(registry.get(code), received=True, accepted=True,  # type: ignore[arg-type]
                       on_time=code != "DL", version=1, received_at=datetime(2024, 3, 28, 9, 0),
                       registry_cells=len(registry.reporting_cells(code, PERIOD)),
                       cells_accepted=values[(code, "tong", "REPORTS_ACCEPTED", "tong")],
                       cells_expected=values[(code, "tong", "REPORTS_EXPECTED", "tong")])
        for code in sorted(files)]
    statuses.append(UnitStatus(registry.get("LH"), registry_cells=3,  # type: ignore[arg-type]
                                   cells_expected=3))
    year = int(PERIOD[:4])
    return ProvinceMonth(PERIOD, registry.get("LD"), statuses, values,  # type: ignore[arg-type]
                         expected_cells=len(registry.reporting_cells("LD", PERIOD)),
                         generated_at=datetime(2024, 4, 2, 8, 0),
                         targets={(d.unit.code, p): t for d in statuses for p in POPULATIONS
                                  if (t := registry.target_below(d.unit.code, year, p, PERIOD))
                                  is not None})
