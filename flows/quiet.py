"""Quiet defaults for Prefect, set before it is imported: the user sees our summary only.

The temporary Prefect server otherwise prints analytics notices, INFO logs of every task
and 'database is locked' tracebacks; and it gives up starting after 20 s. Anything the user
sets explicitly wins.
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
    # not noise but patience: the temporary server takes longer than Prefect's 20 s to start
    # on an old office PC or a busy machine (seen here: "Timed out while attempting to
    # connect to ephemeral Prefect API server" while a benchmark ran beside the tests)
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def quiet_prefect() -> None:
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
