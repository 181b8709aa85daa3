"""A validation definition's freshness checked once per validation (validations.gx_fresh):
the same findings as with GX's own check, and a definition changed after a validation is
still refused by the next one."""

from __future__ import annotations

import great_expectations
import pytest
from great_expectations.core.validation_definition import ValidationDefinition
from great_expectations.exceptions import ResourceFreshnessAggregateError

from cellreports.demo import generate_month
from core.registry import Registry
from core.settings import DEFAULT_REGISTRY
from forms.reader import read_cell_report
from validations import gx_fresh
from validations.context import Context
from validations.frames import BatchItem, files_frame
from validations.run import validate_batch
from validations.suites import FILES, Engine


@pytest.fixture(autouse=True)
def installed() -> None:
    assert gx_fresh.check_freshness_once(), "written for another GX version"


@pytest.fixture(scope="module")
def items() -> list[BatchItem]:
    registry = Registry.load(DEFAULT_REGISTRY)
    return [BatchItem(read_cell_report(f.content), sender=f.unit_code)
            for f in generate_month(registry, "2024-03")]


def test_one_validation_asks_gx_once_per_definition(
        monkeypatch: pytest.MonkeyPatch, items: list[BatchItem], registry: Registry) -> None:
    asked: list[tuple[str, int]] = []
    gx_is_fresh = gx_fresh.GX_IS_FRESH

    def counting(self: ValidationDefinition):  # type: ignore[no-untyped-def]
        asked.append((self.name, id(self)))
        return gx_is_fresh(self)

    engine = Engine()
    frame = files_frame(items, Context(registry=registry, run_period="2024-03"))
    monkeypatch.setattr(gx_fresh, "GX_IS_FRESH", counting)
    ours = id(engine.checkpoints[FILES].validation_definitions[0])
    engine.run(FILES, frame)
    # GX asked four times for the engine's definition; its stored copy, read back by the
    # checkpoint's own check, is another object, asked once too
    first = list(asked)
    assert first.count((f"validate_{FILES}", ours)) == 1
    assert len(first) == len(set(first)) <= 2
    engine.run(FILES, frame)  # the next validation asks again
    assert asked[len(first):].count((f"validate_{FILES}", ours)) == 1


def test_a_validation_finds_the_same_with_gx_own_check(
        monkeypatch: pytest.MonkeyPatch, items: list[BatchItem], registry: Registry) -> None:
    ctx = Context(registry=registry, run_period="2024-03", unit_code="BL")
    ours = validate_batch(items, registry, "2024-03", ctx)
    monkeypatch.setattr(ValidationDefinition, "is_fresh", gx_fresh.GX_IS_FRESH)
    assert validate_batch(items, registry, "2024-03", ctx) == ours


def test_a_definition_changed_after_a_validation_is_refused_by_the_next(
        items: list[BatchItem], registry: Registry) -> None:
    engine = Engine()
    frame = files_frame(items, Context(registry=registry, run_period="2024-03"))
    engine.run(FILES, frame)
    suite = engine.checkpoints[FILES].validation_definitions[0].suite
    suite.expectations[0].meta = {"changed": "without saving"}
    with pytest.raises(ResourceFreshnessAggregateError):
        engine.run(FILES, frame)


def test_on_another_gx_version_nothing_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ValidationDefinition, "is_fresh", gx_fresh.GX_IS_FRESH)
    monkeypatch.setattr(great_expectations, "__version__", "1.99.0")
    assert gx_fresh.check_freshness_once() is False
    assert ValidationDefinition.is_fresh is gx_fresh.GX_IS_FRESH
