"""A metric's id worked out without GX's general JSON conversion for plain values.

GX 1.x names every metric it computes by an id: an md5 of its kwargs as JSON
(``IDDict.to_id``), made JSON-ready first by ``convert_to_json_serializable``. That
function asks each value, in turn, whether it is a pydantic model, a GX dict, a numpy
scalar or a pandas object before it returns a plain string as it is (``None`` goes through
three numpy type checks). One batch validation builds ~5,000 metric configurations, two ids
each, with value sets of up to 54 ethnic groups: ~16 % of a validation's fixed cost
(cProfile of a one-file validation, docs/benchmarks.md).

:func:`json_ready` gives the same result for the plain values these ids are made of — a
string, an int, a bool, None, a float (NaN as None, as GX), and the lists, tuples and dicts
of them — and hands anything else to GX's function, value by value. Installed only into
``IDDict.to_id``'s module, on the GX version it was written from (gx_kwargs.WRITTEN_FOR).
tests/unit/test_gx_ids.py compares it with GX's on every metric of a whole validation.
"""

from __future__ import annotations

from typing import Any

import great_expectations
from great_expectations.core import id_dict
from great_expectations.core.id_dict import IDDict

from validations.gx_kwargs import WRITTEN_FOR

GX_CONVERT = id_dict.convert_to_json_serializable
_AS_IS = frozenset({str, int, bool, type(None)})
_DICTS = frozenset({dict, IDDict})  # not GX's serialisable dicts: they convert themselves
_LISTS = frozenset({list, tuple})


def json_ready(data: Any) -> Any:
    """GX's ``convert_to_json_serializable(data)``, its plain values spared the search."""
    kind = type(data)
    if kind in _AS_IS:
        return data
    if kind is float:
        return None if data != data else data  # NaN, as GX
    if kind in _DICTS:
        return {str(key): json_ready(value) for key, value in data.items()}
    if kind in _LISTS:
        return [json_ready(value) for value in data]
    return GX_CONVERT(data)


def plain_ids() -> bool:
    """Install :func:`json_ready` for GX's metric ids (idempotent); False, and nothing
    changed, on another GX version."""
    if great_expectations.__version__ != WRITTEN_FOR:
        return False
    id_dict.convert_to_json_serializable = json_ready  # type: ignore[assignment]
    return True
