"""An expectation's kwargs read once (validations.gx_kwargs) are GX's own, for every
expectation of every suite, and a whole validation finds the same with either."""

from __future__ import annotations

from typing import Any

import great_expectations
import pytest
from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

from cellreports.demo import generate_month
from core.registry import Registry
from forms.reader import read_cell_report
from validations import export_checks, gx_kwargs, suites
from validations.context import Context
from validations.frames import BatchItem, files_frame, summary_frame, wide_frame
from validations.roster_frame import roster_frame
from validations.run import validate_batch

EXPECTATIONS = [(f"{module.__name__}.{name}", expectation)
                for module in (suites, export_checks)
                for name, build in module.SUITES.items() for expectation in build()]
RUNTIME = (None, {}, {"result_format": "COMPLETE"},
           {"result_format": {"result_format": "SUMMARY", "partial_unexpected_count": 5}})


@pytest.fixture(autouse=True)
def installed() -> None:
    assert gx_kwargs.read_kwargs_once(), "written for another GX version"


def test_the_kwargs_are_gx_own_for_every_expectation_of_every_suite() -> None:
    assert len(EXPECTATIONS) > 100
    for where, expectation in EXPECTATIONS:
        gx = gx_kwargs.GX_METHODS
        assert expectation._get_domain_kwargs() == gx["_get_domain_kwargs"](expectation), where
        assert expectation._get_success_kwargs() == gx["_get_success_kwargs"](expectation), \
            where
        for runtime in RUNTIME:
            assert expectation._get_runtime_kwargs(runtime) == gx["_get_runtime_kwargs"](
                expectation, runtime), (where, runtime)


def test_on_another_gx_version_nothing_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    _gx_own(monkeypatch)
    monkeypatch.setattr(great_expectations, "__version__", "1.99.0")
    assert gx_kwargs.read_kwargs_once() is False
    assert all(getattr(Expectation, name) is method
               for name, method in gx_kwargs.GX_METHODS.items())
    assert Expectation.configuration is gx_kwargs.GX_CONFIGURATION
    assert ExpectationConfiguration.to_domain_obj is gx_kwargs.GX_TO_DOMAIN_OBJ


def test_a_validation_finds_the_same_with_gx_own_methods(
        registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    items = [BatchItem(read_cell_report(f.content), sender=f.unit_code)
             for period in ("2024-02", "2024-03") for f in generate_month(registry, period)]
    ctx = Context(registry=registry, run_period="2024-03", unit_code="BL")
    ours = validate_batch(items, registry, "2024-03", ctx)
    _gx_own(monkeypatch)
    assert validate_batch(items, registry, "2024-03", ctx) == ours
    assert any(ours)


def test_every_expectation_result_of_a_validation_is_gx_own(
        registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    items = [BatchItem(read_cell_report(f.content), sender=f.unit_code)
             for period in ("2024-02", "2024-03") for f in generate_month(registry, period)]
    ctx = Context(registry=registry, run_period="2024-03", unit_code="BL")
    frames = {suites.FILES: files_frame(items, ctx), suites.SUMMARY: summary_frame(items),
              suites.WIDE: wide_frame(items, ctx), suites.ROSTER: roster_frame(items, ctx)}
    engine = suites.Engine()
    ours = _results(engine.run_frames(frames))
    assert any(not r["success"] for results in ours.values() for r in results)
    _gx_own(monkeypatch)
    assert _results(engine.run_frames(frames)) == ours


def _gx_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """GX's own methods back in place of those read_kwargs_once installed."""
    for name, method in gx_kwargs.GX_METHODS.items():
        monkeypatch.setattr(Expectation, name, method)
    monkeypatch.setattr(Expectation, "configuration", gx_kwargs.GX_CONFIGURATION)
    monkeypatch.setattr(ExpectationConfiguration, "to_domain_obj", gx_kwargs.GX_TO_DOMAIN_OBJ)


def _results(validated: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Each frame's expectation results as GX serialises them."""
    return {name: [result.to_json_dict() for result in validation.results]
            for name, validation in validated.items()}


def test_within_one_validation_each_expectation_builds_its_configuration_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []
    gx_property = gx_kwargs.GX_CONFIGURATION

    def counting(self: Expectation):  # type: ignore[no-untyped-def]
        built.append(id(self))
        return gx_property.fget(self)

    # GX's own property, as the cached one builds with it
    monkeypatch.setattr(gx_kwargs, "GX_CONFIGURATION", property(counting))
    _where, expectation = EXPECTATIONS[0]
    with gx_kwargs.one_validation():
        first = expectation._get_runtime_kwargs()
        assert expectation._get_runtime_kwargs() == first
        expectation._get_domain_kwargs()
    assert built == [id(expectation)]
    expectation._get_domain_kwargs()
    expectation._get_domain_kwargs()
    assert built == [id(expectation)] * 3  # outside a validation: built every time


def test_an_expectation_changed_between_two_validations_is_read_afresh() -> None:
    expectation = suites.gxe.ExpectColumnValuesToBeInSet(column="a", value_set=[1])
    with gx_kwargs.one_validation():
        assert expectation._get_success_kwargs()["value_set"] == [1]
    expectation.value_set = [2]
    with gx_kwargs.one_validation():
        assert expectation._get_success_kwargs()["value_set"] == [2]
