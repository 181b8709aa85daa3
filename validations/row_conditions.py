"""GX's row conditions evaluated on the columns they name, not on the whole frame.

An expectation with a ``row_condition`` (``"stage >= 3"``, pandas syntax) makes GX 1.x's
pandas engine call ``DataFrame.query`` on the whole frame, and pandas builds a Series for
*every* column before it evaluates the expression: with the cells' frames (85 and 32
columns) and 28 conditional expectations a suite, that was 0.6 s of each 1.7 s batch
validation, whatever the number of files (measured, docs/benchmarks.md).

:func:`narrow_row_conditions` replaces the engine's filter with the same query on the
columns the condition names: ``data.loc[data[named].eval(condition)]``, which is what
``DataFrame.query`` does (``self.loc[self.eval(expr)]``) with the resolvers it would never
read left out. A condition it cannot evaluate that way — a name it did not recognise, a
syntax other than pandas' — goes to GX's own filter unchanged, so a result can differ
only by being the same result faster (tests/unit/test_row_conditions.py compares both on
every condition of the suites).

A domain that ignores rows with missing values (a column pair's ``ignore_row_if``, a column
list's) makes GX call ``DataFrame.dropna``, which copies all 85 columns even when it drops
no row — 155 such copies in a 500-file validation, a tenth of it (py-spy,
docs/benchmarks.md). :func:`domain_records` drops the same rows, and when there are none
to drop returns the frame itself, as GX does for a domain that ignores nothing (GX's
metrics never change the frames they are given: they share that one already).
"""

from __future__ import annotations

import re
import threading
import weakref
from typing import Any

import pandas as pd
from great_expectations.execution_engine.pandas_execution_engine import PandasExecutionEngine
from great_expectations.expectations.row_conditions import (
    PassThroughCondition,
    deserialize_row_condition,
)

_GX_FILTER = PandasExecutionEngine._apply_row_condition_filter
_GX_DOMAIN_RECORDS = PandasExecutionEngine.get_domain_records
_NAME = re.compile(r"`([^`]+)`|\b([A-Za-z_]\w*)\b")
# a pair's and a list's ignore_row_if -> a row is kept when "any" or "all" of the columns
# are present; and the value that ignores nothing
_PAIR = {"both_values_are_missing": "any", "either_value_is_missing": "all"}, "neither"
_LIST = {"all_values_are_missing": "any", "any_value_is_missing": "all"}, "never"


def domain_records(engine: PandasExecutionEngine, domain_kwargs: dict[str, Any],
                   ) -> pd.DataFrame:
    """``PandasExecutionEngine.get_domain_records`` without a copy of the whole frame when
    it ignores no row (module docstring): the same rows, columns and index."""
    columns, (keep_when, nothing) = _ignoring(domain_kwargs)
    how = keep_when.get(domain_kwargs.get("ignore_row_if"))  # type: ignore[arg-type]
    if not columns or how is None:
        return _GX_DOMAIN_RECORDS(engine, domain_kwargs)
    data = _GX_DOMAIN_RECORDS(engine, {**domain_kwargs, "ignore_row_if": nothing})
    present = data[columns].notna()
    keep = present.any(axis=1) if how == "any" else present.all(axis=1)
    return data if bool(keep.all()) else data.loc[keep]


def _ignoring(domain_kwargs: dict[str, Any]) -> tuple[list[Any], tuple[dict[str, str], str]]:
    """The columns whose missing values decide the rows GX ignores, and how, as GX reads
    them: none for a single column's domain, a pair before a list."""
    if "column" not in domain_kwargs:
        if "column_A" in domain_kwargs and "column_B" in domain_kwargs:
            return [domain_kwargs["column_A"], domain_kwargs["column_B"]], _PAIR
        if "column_list" in domain_kwargs:
            return list(domain_kwargs["column_list"]), _LIST
    return [], ({}, "")


def named_columns(condition: str, columns: pd.Index) -> list[Any]:
    """The frame's columns the condition mentions (a word or a backticked name), in the
    frame's order. A word inside a string literal may add a column: harmless, it is only
    available to the expression, never required by it."""
    words = {a or b for a, b in _NAME.findall(condition)}
    return [c for c in columns if c in words]


def pandas_condition(row_condition: Any, domain_kwargs: dict[str, Any]) -> str | None:
    """The pandas expression of a row condition, or None for any other kind."""
    if isinstance(row_condition, dict):
        row_condition = deserialize_row_condition(row_condition)
    if isinstance(row_condition, PassThroughCondition):
        return row_condition.pass_through_filter
    if isinstance(row_condition, str) and domain_kwargs.get("condition_parser") == "pandas":
        return row_condition
    return None


class _Filtered(threading.local):
    """The frame last filtered (by a weak reference) and its rows under each condition:
    a suite's 28 conditional expectations share a few conditions (a file read, a stage
    reached), and each filter copied every column of the frame (a fifth of a batch's
    validation, py-spy: docs/benchmarks.md). Per thread; a new frame starts afresh, and
    the rows go with their frame (kept until the next batch, they held a checking worker's
    largest frames, ~60 MB at 500 files, through the rest of the run)."""

    frame: weakref.ref[pd.DataFrame] | None = None
    rows: dict[str, pd.DataFrame]

    def of(self, data: pd.DataFrame) -> dict[str, pd.DataFrame]:
        if self.frame is None or self.frame() is not data:
            rows: dict[str, pd.DataFrame] = {}
            self.frame, self.rows = weakref.ref(data, lambda _gone: rows.clear()), rows
        return self.rows


_FILTERED = _Filtered()


def filter_rows(engine: PandasExecutionEngine, data: pd.DataFrame, row_condition: Any,
                domain_kwargs: dict[str, Any]) -> pd.DataFrame:
    """``PandasExecutionEngine._apply_row_condition_filter``, narrowed (module docstring),
    each condition's rows of a frame taken once (GX never changes the frames it is given:
    its metrics share them already)."""
    condition = pandas_condition(row_condition, domain_kwargs)
    if condition is not None:
        known = _FILTERED.of(data)
        if condition in known:
            return known[condition]
        try:
            mask = data[named_columns(condition, data.columns)].eval(condition)
        except Exception:  # GX's own filter decides, and raises, as before
            mask = None
        if isinstance(mask, pd.Series) and mask.dtype == bool and mask.index.equals(data.index):
            known[condition] = data.loc[mask]
            return known[condition]
    return _GX_FILTER(engine, data, row_condition, domain_kwargs)


def narrow_row_conditions() -> None:
    """Make GX's pandas engine evaluate row conditions with :func:`filter_rows` and ignore
    rows with missing values with :func:`domain_records` (once per process; idempotent)."""
    PandasExecutionEngine._apply_row_condition_filter = filter_rows  # type: ignore[method-assign]
    PandasExecutionEngine.get_domain_records = domain_records  # type: ignore[method-assign]
