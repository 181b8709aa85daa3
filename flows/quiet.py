"""Quiet defaults for Prefect, set before it is imported: the user sees our summary only.

The temporary Prefect server otherwise prints analytics notices, INFO logs of every task
and 'database is locked' tracebacks. Anything the user sets explicitly wins.
"""

from __future__ import annotations

import os

DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_LOGGING_LEVEL": "ERROR",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
    "PREFECT_UI_ENABLED": "false",
    "PREFECT_CLI_COLORS": "false",
}


def quiet_prefect() -> None:
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
