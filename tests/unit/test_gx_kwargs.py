"""An expectation's kwargs read once (validations.gx_kwargs) are GX's own, for every
expectation of every suite, and a whole validation finds the same with either."""

from __future__ import annotations

import great_expectations
import pytest
from great_expectations.expectations.expectation import Expectation

from cellreports.demo import generate_month
from core.registry import Registry
from forms.reader import read_cell_report
from validations import export_checks, gx_kwargs, suites
from validations.context import Context
from validations.frames import BatchItem
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
    for name, method in gx_kwargs.GX_METHODS.items():
        monkeypatch.setattr(Expectation, name, method)
    monkeypatch.setattr(great_expectations, "__version__", "1.99.0")
    assert gx_kwargs.read_kwargs_once() is False
    assert all(getattr(Expectation, name) is method
               for name, method in gx_kwargs.GX_METHODS.items())


def test_a_validation_finds_the_same_with_gx_own_methods(
        registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    items = [BatchItem(read_cell_report(f.content), sender=f.unit_code)
             for period in ("2024-02", "2024-03") for f in generate_month(registry, period)]
    ctx = Context(registry=registry, run_period="2024-03", unit_code="BL")
    ours = validate_batch(items, registry, "2024-03", ctx)
    for name, method in gx_kwargs.GX_METHODS.items():
        monkeypatch.setattr(Expectation, name, method)
    assert validate_batch(items, registry, "2024-03", ctx) == ours
    assert any(ours)


def test_within_one_validation_each_expectation_builds_its_configuration_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []
    gx_property = Expectation.configuration

    def counting(self: Expectation):  # type: ignore[no-untyped-def]
        built.append(id(self))
        return gx_property.fget(self)

    monkeypatch.setattr(Expectation, "configuration", property(counting))
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
