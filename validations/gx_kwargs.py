"""An expectation's kwargs read once per question, not once per key.

GX 1.x's ``Expectation._get_domain_kwargs``, ``_get_success_kwargs`` and
``_get_runtime_kwargs`` ask ``self.configuration`` for every key they look up, and
``configuration`` is a property that serialises the whole expectation (pydantic ``dict()``,
JSON conversion) into a new ``ExpectationConfiguration`` each time: about a third of every
batch validation (12,000 configurations built for one validation of the cells' suites;
py-spy and cProfile, docs/benchmarks.md). The replacements below are GX's own methods with
the configuration's kwargs read once at the top; they compute the same dictionaries.
tests/unit/test_gx_kwargs.py compares them with GX's on every expectation of every suite,
and a whole validation with and without them.

Within one validation (:func:`one_validation`, entered by ``Engine.run``) an expectation's
configuration is built once and reused (its kwargs with it): the configuration cannot change
while GX validates it, and each of the ~200 expectations was still serialised about 50 times
per validation, a fifth of its fixed cost (cProfile of a 4-file validation,
docs/benchmarks.md). So is the expectation made back from a configuration
(``ExpectationConfiguration.to_domain_obj``, asked again for each metric by GX's
``get_metric_kwargs``): each round trip validated the expectation's pydantic model anew,
about a fifth of what was left of a validation's fixed cost (cProfile, docs/benchmarks.md).
GX changes a configuration only before it makes its expectation (the batch's id, on a deep
copy), so the one made first is the one GX would make again. Outside a validation every
call builds them afresh, as GX does.

They are installed only on the GX version they were written from (:data:`WRITTEN_FOR`);
another version keeps its own methods.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import Any

import great_expectations
from great_expectations.expectations.expectation import Expectation, parse_result_format
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

WRITTEN_FOR = "1.24.1"
GX_METHODS = {name: getattr(Expectation, name) for name in (
    "_get_domain_kwargs", "_get_success_kwargs", "_get_runtime_kwargs")}
GX_CONFIGURATION = Expectation.configuration
GX_TO_DOMAIN_OBJ = ExpectationConfiguration.to_domain_obj
# id(object) -> (the object, what was made of it), for one validation: an expectation's
# configuration, a configuration's expectation (one thing made of each object). The object
# is kept in the value so that its id is not reused while the cache lives
_VALIDATION: ContextVar[dict[int, tuple[Any, Any]] | None] = ContextVar(
    "gx_kwargs_validation", default=None)


@contextmanager
def cache_for_the_block(cache: ContextVar[dict[int, Any] | None]) -> Iterator[None]:
    """``cache`` holds a new, empty dictionary until the block ends."""
    token = cache.set({})
    try:
        yield
    finally:
        cache.reset(token)


def one_validation() -> AbstractContextManager[None]:
    """Each expectation's configuration, and each configuration's expectation, built once
    until the block ends."""
    return cache_for_the_block(_VALIDATION)


def _once(of: Any, make: Callable[[Any], Any]) -> Any:
    """``make(of)``, made once per object within one validation (every time outside)."""
    known = _VALIDATION.get()
    if known is None:
        return make(of)
    found = known.get(id(of))
    if found is None:
        found = known[id(of)] = (of, make(of))
    return found[1]


def configuration(self: Expectation) -> ExpectationConfiguration:
    """GX's ``Expectation.configuration``, built once per expectation within one
    validation."""
    return _once(self, GX_CONFIGURATION.fget)  # type: ignore[no-any-return]


def to_domain_obj(self: ExpectationConfiguration) -> Expectation:
    """GX's ``ExpectationConfiguration.to_domain_obj``, made once per configuration within
    one validation."""
    return _once(self, GX_TO_DOMAIN_OBJ)  # type: ignore[no-any-return]


def configuration_kwargs(self: Expectation) -> dict[str, Any]:
    """``self.configuration.kwargs``: within one validation, of the configuration built
    once (:func:`configuration`)."""
    return self.configuration.kwargs


def domain_kwargs(self: Expectation) -> dict[str, Any]:
    kwargs = configuration_kwargs(self)
    return {key: kwargs.get(key, self._get_default_value(key)) for key in self.domain_keys}


def success_kwargs(self: Expectation) -> dict[str, Any]:
    domain = self._get_domain_kwargs()
    kwargs = configuration_kwargs(self)
    found = {key: kwargs.get(key, self._get_default_value(key)) for key in self.success_keys}
    found.update(domain)
    return found


def runtime_kwargs(self: Expectation, runtime_configuration: dict | None = None
                   ) -> dict[str, Any]:
    runtime_configuration = runtime_configuration or {}
    success = self._get_success_kwargs()
    kwargs = configuration_kwargs(self)
    found = {key: runtime_configuration.get(key, _success_kwarg(self, kwargs, key))
             for key in self.runtime_keys}
    found.update(success)
    found["result_format"] = parse_result_format(found["result_format"])
    return found


def _success_kwarg(self: Expectation, kwargs: dict[str, Any], key: str) -> Any:
    """GX's ``_get_success_kwarg`` on kwargs already read (its warning for an unknown key
    left to GX: every runtime key is a field)."""
    if key in kwargs:
        return kwargs[key]
    field = self.__fields__.get(key)
    if field is not None:
        return field.default if not field.required else None
    return Expectation._get_success_kwarg(self, key)


def read_kwargs_once() -> bool:
    """Install the methods above on GX's Expectation (idempotent); False, and nothing
    changed, on another GX version."""
    if great_expectations.__version__ != WRITTEN_FOR:
        return False
    Expectation._get_domain_kwargs = domain_kwargs  # type: ignore[method-assign]
    Expectation._get_success_kwargs = success_kwargs  # type: ignore[method-assign]
    Expectation._get_runtime_kwargs = runtime_kwargs  # type: ignore[method-assign]
    Expectation.configuration = property(configuration)  # type: ignore[method-assign,assignment]
    ExpectationConfiguration.to_domain_obj = to_domain_obj  # type: ignore[method-assign]
    return True
