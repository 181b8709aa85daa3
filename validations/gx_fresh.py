"""A validation definition's freshness checked once per validation, not four times.

Before it validates, GX 1.x asks whether each validation definition still equals what its
store holds (``ValidationDefinition.is_fresh``: the suite and the definition read back from
the store, deserialised and compared). One ``Checkpoint.run`` asks it four times for the
same definition: in ``Checkpoint.is_fresh``, in ``ValidationDefinition.run`` and twice
while serialising the checkpoint's result. Nothing can change the definition between
those calls, so within one validation (:func:`one_validation`, entered by ``Engine.run``)
the first fresh answer is kept; a stale one is asked again, as GX asks, so that GX can add
what is missing or raise. Outside a validation every call asks GX. tests/unit/test_gx_fresh.py
checks a whole validation against GX's own method, and that a definition changed after its
first validation is still refused.

Installed only on the GX version it was written from (gx_kwargs.WRITTEN_FOR).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from contextvars import ContextVar
from typing import Any

import great_expectations
from great_expectations.core.validation_definition import ValidationDefinition

from validations.gx_kwargs import WRITTEN_FOR, cache_for_the_block

GX_IS_FRESH = ValidationDefinition.is_fresh
# id(definition) -> (the definition, its fresh diagnostics), for one validation
_VALIDATION: ContextVar[dict[int, tuple[ValidationDefinition, Any]] | None] = ContextVar(
    "gx_fresh_validation", default=None)


def one_validation() -> AbstractContextManager[None]:
    """A definition found fresh stays fresh until the block ends."""
    return cache_for_the_block(_VALIDATION)


def is_fresh(self: ValidationDefinition) -> Any:
    """GX's ``is_fresh``, its fresh answer kept within one validation."""
    cache = _VALIDATION.get()
    if cache is None:
        return GX_IS_FRESH(self)
    known = cache.get(id(self))
    if known is not None:
        return known[1]
    diagnostics = GX_IS_FRESH(self)
    if diagnostics.success:
        cache[id(self)] = (self, diagnostics)
    return diagnostics


def check_freshness_once() -> bool:
    """Install :func:`is_fresh` on GX's ValidationDefinition (idempotent); False, and
    nothing changed, on another GX version."""
    if great_expectations.__version__ != WRITTEN_FOR:
        return False
    ValidationDefinition.is_fresh = is_fresh  # type: ignore[method-assign]
    return True
