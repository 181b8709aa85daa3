"""The upward data file (docs: EXPORT.md): one long table of codes and counts.

A district (or commune) sends it to the province beside the signed report; the province
consolidates these files exactly as a district consolidates its cells' workbooks. The rows
carry codes and whole numbers only — never a name, a date of birth or an identification
number.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence

from core.export_format import (
    EXPORT_COLUMNS,
    FORMULA_TRIGGERS,
    TOTAL,
    value_keys,
)
from core.layout import POPULATIONS
from core.month import MonthData, UnitStatus


def accepted_cells(month: MonthData) -> list[UnitStatus]:
    """The expected cells that have an accepted report, ordered by unit code."""
    return sorted((c for c in month.cells if c.accepted), key=lambda c: c.unit.code)


def unit_value(month: MonthData, unit_codes: Iterable[str], population: str,
               indicator: str, breakdown: str) -> int:
    """The sum of one value over ``unit_codes``; population ``tong`` adds both populations."""
    populations = POPULATIONS if population == TOTAL else (population,)
    return sum(
        int(month.values.get((code, pop, indicator, breakdown), 0))
        for code in unit_codes
        for pop in populations
    )


def _unit_columns(month: MonthData, code: str, level: str, parent: str | None) -> dict[str, str]:
    parent_code = month.parents.get(code, parent)
    return {
        "period": month.period,
        "unit_code": code,
        "unit_level": month.levels.get(code, level),
        "parent_code": parent_code or "",
    }


def _value_rows(month: MonthData, head: dict[str, str], unit_codes: Sequence[str]) -> list[dict]:
    return [
        {**head, "population": population, "indicator": indicator, "breakdown": breakdown,
         "value": unit_value(month, unit_codes, population, indicator, breakdown)}
        for population, indicator, breakdown in value_keys()
    ]


def report_counts(month: MonthData) -> dict[str, int]:
    """REPORTS_EXPECTED / _ACCEPTED / _ON_TIME of the consolidating unit."""
    accepted = [c for c in month.cells if c.accepted]
    return {
        "REPORTS_EXPECTED": len(month.cells),
        "REPORTS_ACCEPTED": len(accepted),
        "REPORTS_ON_TIME": sum(1 for c in accepted if c.on_time),
    }


def export_rows(month: MonthData) -> list[dict]:
    """All rows of the data file: accepted cells by code, then the consolidating unit.

    Within a unit the order is population (hoc_sinh, vien_chuc, tong), indicator
    (TH01–TH15), breakdown (tong, nu, dan_toc_thieu_so, ton_giao, doan_vien); the
    consolidating unit ends with REPORTS_EXPECTED, REPORTS_ACCEPTED, REPORTS_ON_TIME.
    """
    rows: list[dict] = []
    cells = accepted_cells(month)
    for cell in cells:
        unit = cell.unit
        head = _unit_columns(month, unit.code, unit.level, unit.parent_code)
        rows.extend(_value_rows(month, head, [unit.code]))
    top = month.unit
    head = _unit_columns(month, top.code, top.level, top.parent_code)
    rows.extend(_value_rows(month, head, [c.unit.code for c in cells]))
    rows.extend(
        {**head, "population": TOTAL, "indicator": indicator, "breakdown": TOTAL, "value": count}
        for indicator, count in report_counts(month).items()
    )
    return rows


def neutralise(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would run as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def write_export_csv(rows: Iterable[dict]) -> bytes:
    """The data file as CSV bytes.

    Format: UTF-8 without a byte-order mark, comma-separated, one header row with
    EXPORT_COLUMNS, ``\\n`` line endings, minimal quoting (``csv.QUOTE_MINIMAL``). Text that
    a spreadsheet would take for a formula gets a leading apostrophe; numbers are written
    as they are.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([_csv_field(row[column]) for column in EXPORT_COLUMNS])
    return buffer.getvalue().encode("utf-8")


def _csv_field(value: object) -> str:
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def write_export_json(rows: Iterable[dict]) -> bytes:
    """The same records as a JSON array, one record a line, keys in EXPORT_COLUMNS order.

    UTF-8, ``ensure_ascii=False``, ``value`` an integer, a trailing newline.
    """
    records = [
        json.dumps(
            {column: int(row[column]) if column == "value" else str(row[column])
             for column in EXPORT_COLUMNS},
            ensure_ascii=False,
        )
        for row in rows
    ]
    text = "[\n" + ",\n".join(records) + "\n]\n" if records else "[]\n"
    return text.encode("utf-8")
