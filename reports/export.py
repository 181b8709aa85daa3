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
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

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


def report_counts(month: MonthData) -> dict[str, int]:
    """REPORTS_EXPECTED / _ACCEPTED / _ON_TIME of the consolidating unit."""
    accepted = [c for c in month.cells if c.accepted]
    return {
        "REPORTS_EXPECTED": len(month.cells),
        "REPORTS_ACCEPTED": len(accepted),
        "REPORTS_ON_TIME": sum(1 for c in accepted if c.on_time),
    }


# the cells whose rows are made (and written) at once: a month's rows are never all held
# (10,000 cells make 1.56 million rows; as dicts, over a gigabyte)
CELLS_PER_CHUNK = 100


def export_rows(month: MonthData) -> list[dict]:
    """All rows of the data file: accepted cells by code, then the consolidating unit.

    Within a unit the order is population (hoc_sinh, vien_chuc, tong), indicator
    (TH01–TH15), breakdown (tong, nu, dan_toc_thieu_so, ton_giao, doan_vien); the
    consolidating unit ends with REPORTS_EXPECTED, REPORTS_ACCEPTED, REPORTS_ON_TIME.
    """
    return [row for chunk in export_chunks(month) for row in chunk]


def export_chunks(month: MonthData, cells: int = CELLS_PER_CHUNK) -> Iterator[list[dict]]:
    """``export_rows`` in consecutive pieces, ``cells`` cells' rows at a time, then the
    consolidating unit's. Its values are the sums of the cells' (what ``unit_value`` over
    every accepted cell gives), added up as the cells' rows are made: one pass over the
    month."""
    keys = value_keys()
    accepted = accepted_cells(month)
    totals = [0] * len(keys)
    for start in range(0, len(accepted), cells):
        rows: list[dict] = []
        for cell in accepted[start:start + cells]:
            unit = cell.unit
            head = _unit_columns(month, unit.code, unit.level, unit.parent_code)
            values = _cell_values(month, unit.code, keys)
            totals = [t + v for t, v in zip(totals, values, strict=True)]
            rows.extend(_rows_of(head, keys, values))
        yield rows
    top = month.unit
    head = _unit_columns(month, top.code, top.level, top.parent_code)
    yield _rows_of(head, keys, totals) + [
        {**head, "population": TOTAL, "indicator": indicator, "breakdown": TOTAL, "value": count}
        for indicator, count in report_counts(month).items()
    ]


def _cell_values(month: MonthData, code: str, keys: list[tuple[str, str, str]]) -> list[int]:
    """One cell's value for each key (``unit_value`` of that cell alone)."""
    values = month.values
    return [sum(int(values.get((code, pop, indicator, breakdown), 0)) for pop in POPULATIONS)
            if population == TOTAL else int(values.get((code, population, indicator, breakdown), 0))
            for population, indicator, breakdown in keys]


def _rows_of(head: dict[str, str], keys: list[tuple[str, str, str]],
             values: list[int]) -> list[dict]:
    return [{**head, "population": population, "indicator": indicator, "breakdown": breakdown,
             "value": value}
            for (population, indicator, breakdown), value in zip(keys, values, strict=True)]


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
    return _csv_head() + _csv_lines(list(rows))


def _csv_head() -> bytes:
    return ",".join(EXPORT_COLUMNS).encode("utf-8") + b"\n"


def _csv_lines(rows: list[dict]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(zip(*_columns(rows, _csv_field), strict=True))
    return buffer.getvalue().encode("utf-8")


def _csv_field(column: str, value: object) -> str:
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def _json_field(column: str, value: object) -> str:
    if column == "value":
        return str(int(value))  # type: ignore[call-overload]
    return json.dumps(str(value), ensure_ascii=False)


def _columns(rows: list[dict], field: Callable[[str, object], str]) -> list[list[str]]:
    """Each of EXPORT_COLUMNS as the texts ``field`` makes of its values, each distinct
    value made once: a month's ~160,000 rows hold a few thousand distinct values (a
    column of one type is looked up by value; another by type and value, so that ``True``
    is never taken for ``1``)."""
    columns = []
    for column in EXPORT_COLUMNS:
        values = [row[column] for row in rows]
        if len(set(map(type, values))) <= 1:
            made = {v: field(column, v) for v in dict.fromkeys(values)}
            columns.append([made[v] for v in values])
        else:
            typed = {(type(v), v): field(column, v) for v in values}
            columns.append([typed[(type(v), v)] for v in values])
    return columns


# one record: {"period": …, …, "value": …}, as json.dumps writes a dict (", " and ": ")
_RECORD = "{" + ", ".join(
    json.dumps(column).replace("%", "%%") + ": %s" for column in EXPORT_COLUMNS) + "}"


def write_export_json(rows: Iterable[dict]) -> bytes:
    """The same records as a JSON array, one record a line, keys in EXPORT_COLUMNS order.

    UTF-8, ``ensure_ascii=False``, ``value`` an integer, a trailing newline.
    """
    out = io.BytesIO()
    array = _JsonArray(out)
    array.add(_json_records(list(rows)))
    array.close()
    return out.getvalue()


def _json_records(rows: list[dict]) -> bytes:
    """The rows' records, one a line, joined by ``,\\n`` (no bracket)."""
    return ",\n".join(_RECORD % record for record in zip(*_columns(rows, _json_field),
                                                             strict=True)).encode("utf-8")


def write_export_files(month: MonthData, cells: int = CELLS_PER_CHUNK) -> tuple[bytes, bytes]:
    """The month's data file as CSV and as JSON bytes (``write_export_to``)."""
    csv_out, json_out = io.BytesIO(), io.BytesIO()
    write_export_to(month, csv_out, json_out, cells)
    return csv_out.getvalue(), json_out.getvalue()


def write_export_to(month: MonthData, csv_out: Writable, json_out: Writable,
                    cells: int = CELLS_PER_CHUNK) -> None:
    """The month's data file written as CSV and as JSON (``write_export_csv`` and
    ``write_export_json`` of ``export_rows``, the same bytes) a chunk of cells at a time:
    the rows of one chunk are held at once, not the month's, and the text of none once
    written (a district of 10,000 cells: 330 MB of text)."""
    csv_out.write(_csv_head())
    array = _JsonArray(json_out)
    for rows in export_chunks(month, cells):
        csv_out.write(_csv_lines(rows))
        array.add(_json_records(rows))
    array.close()


class Writable(Protocol):
    """Where bytes are written: a file opened for writing, a buffer."""

    def write(self, data: bytes, /) -> object: ...


class _JsonArray:
    """A JSON array written as its records come (``_json_records`` pieces): ``[``, the
    pieces joined by ``,\\n``, ``]`` on lines of their own, a trailing newline; ``[]``
    without any record."""

    def __init__(self, out: Writable) -> None:
        self.out, self.opened = out, False

    def add(self, records: bytes) -> None:
        if records:
            self.out.write((b",\n" if self.opened else b"[\n") + records)
            self.opened = True

    def close(self) -> None:
        self.out.write(b"\n]\n" if self.opened else b"[]\n")
