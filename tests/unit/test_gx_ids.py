"""GX's metric ids worked out with plain values spared its general conversion
(validations.gx_ids): the same JSON and the same ids as GX's own, on every metric of a
whole validation and on the values GX converts specially."""

from __future__ import annotations

import datetime
import enum
import math
from typing import Any

import great_expectations
import numpy as np
import pytest
from great_expectations.core import id_dict
from great_expectations.core.id_dict import IDDict

from cellreports.demo import generate_month
from core.registry import Registry
from forms.reader import read_cell_report
from validations import gx_ids
from validations.context import Context
from validations.frames import BatchItem
from validations.run import validate_batch


class Colour(enum.Enum):
    RED = "red"


@pytest.mark.parametrize("value", [
    "chữ", 7, True, None, 1.5, math.inf, ["a", 1, None], ("b", 2.0),
    {"column": "stage", "value_set": ["0", "1"], "result_format": {"a": [1, None]}},
    {1: "a numeric key becomes a string"},
    IDDict({"batch_id": "x", "row_condition": 'stage_n >= 6'}),
    # not plain: handed to GX, value by value
    np.int64(3), np.float64(2.5), np.bool_(True), datetime.date(2024, 3, 31), Colour.RED,
    {"nested": [np.int64(1), datetime.datetime(2024, 3, 1, 8, 30), {"x": Colour.RED}]},
    {"a set": {"one"}}, range(3),
])
def test_plain_and_special_values_convert_as_gx_converts_them(value: Any) -> None:
    assert gx_ids.json_ready(value) == gx_ids.GX_CONVERT(value)


def test_nan_becomes_none_as_in_gx() -> None:
    assert gx_ids.json_ready(float("nan")) is None
    assert gx_ids.json_ready([float("nan")]) == [None] == gx_ids.GX_CONVERT([float("nan")])


def test_every_metric_id_of_a_validation_is_gx_own(
        monkeypatch: pytest.MonkeyPatch, registry: Registry) -> None:
    assert gx_ids.plain_ids(), "written for another GX version"
    items = [BatchItem(read_cell_report(f.content), sender=f.unit_code)
             for f in generate_month(registry, "2024-03")]
    seen: list[tuple[IDDict, Any]] = []
    gx_to_id = IDDict.to_id

    def recording(self: IDDict, *args: Any, **kwargs: Any) -> Any:
        made = gx_to_id(self, *args, **kwargs)
        seen.append((IDDict(self), made))
        return made

    monkeypatch.setattr(IDDict, "to_id", recording)
    ctx = Context(registry=registry, run_period="2024-03", unit_code="BL")
    ours = validate_batch(items, registry, "2024-03", ctx)
    hashed = [(kwargs, made) for kwargs, made in seen if len(kwargs) > 1]
    assert len(hashed) > 1000  # the ids GX hashes (one key is written out, not hashed)
    monkeypatch.setattr(id_dict, "convert_to_json_serializable", gx_ids.GX_CONVERT)
    assert [gx_to_id(kwargs) for kwargs, _made in hashed] == [m for _k, m in hashed]
    assert validate_batch(items, registry, "2024-03", ctx) == ours


def test_on_another_gx_version_nothing_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(id_dict, "convert_to_json_serializable", gx_ids.GX_CONVERT)
    monkeypatch.setattr(great_expectations, "__version__", "1.99.0")
    assert gx_ids.plain_ids() is False
    assert id_dict.convert_to_json_serializable is gx_ids.GX_CONVERT
