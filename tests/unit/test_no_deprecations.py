"""A library's deprecation never reaches the user's console, even when another thread has
turned Python's warnings on for a moment (flows.quiet.no_deprecations)."""

from __future__ import annotations

import logging
import threading
import warnings

import pytest

from flows.quiet import WARNINGS_LOGGER, quiet_prefect


@pytest.fixture
def shown_warnings(caplog: pytest.LogCaptureFixture):  # type: ignore[no-untyped-def]
    """Warnings routed to the log as GX routes them (logging.captureWarnings), with
    Python's filters as pandas sets them while it converts a dtype."""
    quiet_prefect()
    logging.captureWarnings(False)  # whoever routed them before: GX's import, pytest
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        logging.captureWarnings(True)
        try:
            with caplog.at_level(logging.WARNING):
                yield caplog
        finally:
            logging.captureWarnings(False)


def _from_a_library(message: str, category: type[Warning]) -> None:
    warnings.warn_explicit(message, category, "/site-packages/lib/module.py", 12,
                           module="lib.module")


def test_a_deprecation_shown_in_another_thread_is_not_logged(shown_warnings) -> None:  # type: ignore[no-untyped-def]
    raised = [threading.Thread(target=_from_a_library, args=(f"old API {n}", category))
              for n, category in enumerate((DeprecationWarning, PendingDeprecationWarning,
                                            FutureWarning))]
    for thread in raised:
        thread.start()
        thread.join()
    assert "old API" not in shown_warnings.text


def test_any_other_warning_is_still_logged(shown_warnings) -> None:  # type: ignore[no-untyped-def]
    _from_a_library("the file is larger than expected", UserWarning)
    _from_a_library("a Deprecation word in a user warning", RuntimeWarning)
    assert [r.name for r in shown_warnings.records] == [WARNINGS_LOGGER] * 2
    assert "larger than expected" in shown_warnings.text
    assert "Deprecation word" in shown_warnings.text
