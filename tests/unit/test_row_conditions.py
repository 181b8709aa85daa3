"""Row conditions evaluated on the columns they name (validations.row_conditions) select
exactly the rows GX's own filter selects, for every conditional expectation of every suite,
and the whole validation finds the same findings either way."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from great_expectations.execution_engine.pandas_execution_engine import PandasExecutionEngine

from cellreports.demo import generate_month
from core.registry import Registry
from forms.reader import read_cell_report
from validations import row_conditions
from validations.context import Context
from validations.frames import BatchItem
from validations.run import files_frame, register_frame, roster_frame, validate_batch
from validations.suites import FILES, REGISTER, ROSTER, SUITES

GX_FILTER = row_conditions._GX_FILTER


@pytest.fixture(scope="module")
def batch(registry: Registry) -> tuple[list[BatchItem], Context]:
    """Two demo months of the district's cells (every stage, both populations, February's
    planted error), as one batch."""
    items = [BatchItem(read_cell_report(f.content), sender=f.unit_code)
             for period in ("2024-02", "2024-03") for f in generate_month(registry, period)]
    return items, Context(registry=registry, run_period="2024-03", unit_code="BL")


def _conditional(name: str) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for expectation in SUITES[name]():
        condition = getattr(expectation, "row_condition", None)
        if condition:
            found.append((type(expectation).__name__, {
                "condition_parser": getattr(expectation, "condition_parser", None),
                "row_condition": condition}))
    return found


@pytest.mark.parametrize("name", [FILES, ROSTER, REGISTER])  # the suites with conditions
def test_every_condition_selects_the_rows_gx_selects(
        name: str, batch: tuple[list[BatchItem], Context]) -> None:
    items, ctx = batch
    builders = {FILES: files_frame, ROSTER: roster_frame, REGISTER: register_frame}
    frame = builders[name](items, ctx)
    engine = PandasExecutionEngine()
    conditions = _conditional(name)
    for kind, kwargs in conditions:
        ours = row_conditions.filter_rows(engine, frame, kwargs["row_condition"], kwargs)
        gx = GX_FILTER(engine, frame, kwargs["row_condition"], kwargs)
        pd.testing.assert_frame_equal(ours, gx, obj=f"{name}: {kind} when "
                                                   f"{kwargs['row_condition']!r}")
    assert conditions, name  # really compared


def test_only_the_suites_compared_above_have_conditions() -> None:
    assert {name for name in SUITES if _conditional(name)} == {FILES, ROSTER, REGISTER}


def test_the_columns_a_condition_names_are_found_whether_plain_or_backticked() -> None:
    columns = pd.Index(["stage", "cert_date", "Ngày sinh", "stage_2"])
    assert row_conditions.named_columns("stage >= 3 and `Ngày sinh`.notna()", columns) == [
        "stage", "Ngày sinh"]
    assert row_conditions.named_columns("stage_2 == 1", columns) == ["stage_2"]


def test_a_condition_it_cannot_evaluate_goes_to_gx_unchanged() -> None:
    frame = pd.DataFrame({"stage": [1, 4]})
    engine = PandasExecutionEngine()
    kwargs = {"condition_parser": "pandas"}
    with pytest.raises(Exception) as ours:
        row_conditions.filter_rows(engine, frame, "nowhere > 1", kwargs)
    with pytest.raises(Exception) as gx:
        GX_FILTER(engine, frame, "nowhere > 1", kwargs)
    assert type(ours.value) is type(gx.value)


def test_a_validation_finds_the_same_with_either_filter(
        batch: tuple[list[BatchItem], Context], registry: Registry,
        monkeypatch: pytest.MonkeyPatch) -> None:
    items, ctx = batch
    ours = validate_batch(items, registry, "2024-03", ctx)
    monkeypatch.setattr(PandasExecutionEngine, "_apply_row_condition_filter", GX_FILTER)
    gx = validate_batch(items, registry, "2024-03", ctx)
    assert ours == gx
    assert any(ours)  # February's planted error and its month (F06) at least
