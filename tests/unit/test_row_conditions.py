"""Row conditions evaluated on the columns they name (validations.row_conditions) select
exactly the rows GX's own filter selects, for every conditional expectation of every suite,
and the whole validation finds the same findings either way; a domain that ignores rows with
missing values gets GX's own rows, and the validation the same findings."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from great_expectations.core.batch_spec import RuntimeDataBatchSpec
from great_expectations.execution_engine.pandas_execution_engine import PandasExecutionEngine

from cellreports.demo import generate_month
from core.registry import Registry
from forms.reader import read_cell_report
from validations import row_conditions
from validations.context import Context
from validations.frames import BatchItem, summary_frame, wide_frame
from validations.run import files_frame, register_frame, roster_frame, validate_batch
from validations.suites import FILES, REGISTER, ROSTER, SUITES, SUMMARY, WIDE

GX_FILTER = row_conditions._GX_FILTER
GX_DOMAIN_RECORDS = row_conditions._GX_DOMAIN_RECORDS


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


def test_a_frames_rows_under_a_condition_are_taken_once_and_a_new_frame_afresh() -> None:
    engine = PandasExecutionEngine()
    kwargs = {"condition_parser": "pandas"}
    frame = pd.DataFrame({"stage_n": [1, 4, 8], "name": ["a", "b", "c"]})
    first = row_conditions.filter_rows(engine, frame, "stage_n >= 4", kwargs)
    assert row_conditions.filter_rows(engine, frame, "stage_n >= 4", kwargs) is first
    assert list(row_conditions.filter_rows(engine, frame, "stage_n == 1", kwargs).name) == ["a"]
    # an equal frame that is another object (the next batch's) is filtered afresh
    other = frame.copy()
    other.loc[0, "stage_n"] = 9
    again = row_conditions.filter_rows(engine, other, "stage_n >= 4", kwargs)
    assert again is not first and list(again.name) == ["a", "b", "c"]
    assert list(first.name) == ["b", "c"]


def test_a_frames_rows_go_when_the_frame_goes() -> None:
    import gc
    import weakref

    engine = PandasExecutionEngine()
    kwargs = {"condition_parser": "pandas"}
    frame = pd.DataFrame({"stage_n": [1, 4, 8], "name": ["a", "b", "c"]})
    rows = weakref.ref(row_conditions.filter_rows(engine, frame, "stage_n >= 4", kwargs))
    assert rows() is not None  # kept while its frame lives
    del frame
    gc.collect()
    assert rows() is None  # not kept until another frame is filtered


def test_no_frame_outlives_its_validation(batch: tuple[list[BatchItem], Context],
                                          registry: Registry) -> None:
    """GX's engine keeps each asset's last batch: a checking worker held its largest
    frames between batches. What a validation built is garbage once it returns."""
    import gc
    import weakref

    items, ctx = batch
    built: list[weakref.ref[pd.DataFrame]] = []
    real = row_conditions._FILTERED.of

    def watched(data: pd.DataFrame) -> dict[str, pd.DataFrame]:
        built.append(weakref.ref(data))
        return real(data)

    row_conditions._FILTERED.of = watched  # type: ignore[method-assign]
    try:
        assert validate_batch(items, registry, "2024-03", ctx)
    finally:
        del row_conditions._FILTERED.of
    gc.collect()
    assert built and all(frame() is None for frame in built)


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


@pytest.mark.parametrize("method", ["_apply_row_condition_filter", "get_domain_records"])
def test_a_validation_finds_the_same_with_gx_s_own_method(
        method: str, batch: tuple[list[BatchItem], Context], registry: Registry,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each of our replacements of GX's engine methods against GX's own."""
    items, ctx = batch
    ours = validate_batch(items, registry, "2024-03", ctx)
    gx_method = {"_apply_row_condition_filter": GX_FILTER,
                 "get_domain_records": GX_DOMAIN_RECORDS}[method]
    monkeypatch.setattr(PandasExecutionEngine, method, gx_method)
    gx = validate_batch(items, registry, "2024-03", ctx)
    assert ours == gx
    assert any(ours)  # February's planted error and its month (F06) at least


def _ignoring_domains(name: str) -> list[dict[str, Any]]:
    """The domains of a suite's expectations that ignore rows with missing values."""
    found = []
    for expectation in SUITES[name]():
        kwargs = expectation.configuration.kwargs
        ignore = kwargs.get("ignore_row_if")
        if ignore in (None, "neither", "never"):
            continue
        domain = {key: kwargs[key] for key in ("column_A", "column_B", "column_list",
                                               "row_condition", "condition_parser")
                  if kwargs.get(key) is not None}
        found.append({**domain, "ignore_row_if": ignore})
    return found


IGNORING = {FILES: files_frame, SUMMARY: lambda items, _ctx: summary_frame(items),
            WIDE: wide_frame, ROSTER: roster_frame}


@pytest.mark.parametrize("name", list(IGNORING))  # the suites that ignore missing values
def test_every_domain_that_ignores_missing_values_has_gx_s_rows(
        name: str, batch: tuple[list[BatchItem], Context]) -> None:
    items, ctx = batch
    engine = PandasExecutionEngine()
    engine.load_batch_data("b", engine.get_batch_data(  # type: ignore[attr-defined]
        RuntimeDataBatchSpec(batch_data=IGNORING[name](items, ctx))))
    domains = _ignoring_domains(name)
    for domain in domains:
        kwargs = {**domain, "batch_id": "b"}
        ours = row_conditions.domain_records(engine, kwargs)
        gx = GX_DOMAIN_RECORDS(engine, kwargs)
        pd.testing.assert_frame_equal(ours, gx, obj=f"{name}: {domain}")
    assert domains, name  # really compared


def test_only_the_suites_compared_above_ignore_missing_values() -> None:
    assert {name for name in SUITES if _ignoring_domains(name)} == set(IGNORING)


def test_rows_are_ignored_as_gx_ignores_them() -> None:
    frame = pd.DataFrame({"a": [1, None, None, 4], "b": [None, None, 3, 4], "c": [1, 2, 3, 4]})
    engine = PandasExecutionEngine()
    engine.load_batch_data("b", engine.get_batch_data(  # type: ignore[attr-defined]
        RuntimeDataBatchSpec(batch_data=frame)))
    domains = [{"column_A": "a", "column_B": "b", "ignore_row_if": how}
               for how in ("both_values_are_missing", "either_value_is_missing", "neither")]
    domains += [{"column_list": ["a", "b"], "ignore_row_if": how}
                for how in ("all_values_are_missing", "any_value_is_missing", "never")]
    domains += [{"column_list": ["c"], "ignore_row_if": "any_value_is_missing"},
                {"column": "a"}]
    kept = []
    for domain in domains:
        kwargs = {**domain, "batch_id": "b"}
        ours = row_conditions.domain_records(engine, kwargs)
        pd.testing.assert_frame_equal(ours, GX_DOMAIN_RECORDS(engine, kwargs))
        kept.append(list(ours.index))
    assert kept == [[0, 2, 3], [3], [0, 1, 2, 3], [0, 2, 3], [3], [0, 1, 2, 3],
                    [0, 1, 2, 3], [0, 1, 2, 3]]
    with pytest.raises(ValueError, match="Unrecognized"):  # a list's value on a pair: GX's
        row_conditions.domain_records(engine, {"column_A": "a", "column_B": "b", "batch_id": "b",
                                               "ignore_row_if": "any_value_is_missing"})
