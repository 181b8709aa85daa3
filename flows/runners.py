"""Where the monthly flow's parallel tasks run: on this machine, or on a Dask cluster.

With ``CELLREPORTS_DASK_ADDRESS`` unset, Prefect's default ``ThreadPoolTaskRunner`` runs them
in threads of the flow's own process. Set to the scheduler of an existing Dask cluster
(``tcp://host:8786``), ``prefect-dask``'s ``DaskTaskRunner`` sends them to its workers.

In Prefect 3 only ``task.submit`` and ``task.map`` go through a flow's task runner; a task
called directly runs in the flow's process whatever the runner. In the monthly flow the
mapped tasks are the read chunks (on a cluster ``read_files.map``, ``read_chunk_size`` files
each; on one machine a batch is one ``read_files.submit``) and the validation chunks
(``validate_files.map``, ``validate_chunk_size`` files each): those are what the Dask
workers run. Collecting, loading into the warehouse and the reports stay
with the flow run. Nothing here depends on which tasks are mapped: any task the monthly flow
submits or maps runs on the cluster too.

A Dask worker runs the task (and reports its state to the Prefect API the flow uses), so it
needs this package installed and the Prefect API reachable; it does not need the inbox, the
archive or the warehouse for the read and validation chunks (docs/cluster.md).
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from core.errors import CellreportsError
from core.settings import Settings

if TYPE_CHECKING:
    from prefect import Flow
    from prefect.task_runners import TaskRunner

    from core.run import RunSummary

# The entrypoint of the monthly deployment (flows/deployment.py): the flow run's process
# (a `cellreports serve` child or a work pool's worker) builds the flow from its own settings.
CONFIGURED_MONTHLY = "configured_monthly_consolidation"
MONTHLY_ENTRYPOINT = f"{__name__}.{CONFIGURED_MONTHLY}"
REMINDERS_ENTRYPOINT = "flows.reminders.deployed_reminders"


class DataDirNotAbsolute(CellreportsError, RuntimeError):
    """A deployed run's data folder must not depend on the directory it was started in."""

    heading = "CELLREPORTS_DATA_DIR is not absolute"
    exit_code = 2


def deployed_settings() -> Settings:
    """The settings of a deployed run: its process's environment (``CELLREPORTS_*``, a
    ``.env`` in its working directory), never the Prefect API. ``cellreports serve`` exports
    its own to its runs, an absolute ``CELLREPORTS_DATA_DIR`` among them; a work pool's
    process worker starts each run in a new temporary directory, where a relative data folder
    (the default ``var``) would be an empty one: such a run stops at once, saying so."""
    settings = Settings()
    if not settings.data_dir.is_absolute():
        raise DataDirNotAbsolute(
            f"CELLREPORTS_DATA_DIR is {str(settings.data_dir)!r}, relative to the run's "
            f"working directory {os.getcwd()}: set it to an absolute path in the environment "
            "of the process that runs the deployment (the worker's, docs/schedule.md)")
    cancelled_runs_say_so()
    return settings


CANCELLED = "Flow run was cancelled."
STILL_RUNNING = "Finished in state Running()"


class _CancelledRunsSaySo(logging.Filter):
    """Prefect 3.9's flow engine, in a run started by Prefect's runner (``serve``), logs
    "Flow run was cancelled." and then "Finished in state Running()" when the run is
    cancelled: the runner, not the run's own process, records the Cancelled state, and the
    engine reports the last state it knew (``FlowRunEngine.handle_cancellation`` leaves the
    state to the runner, the ``finally`` of ``initialize_run`` logs ``self.state``). After the
    first line, the second says what happened. Any other record passes unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.cancelled = False

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message == CANCELLED:
            self.cancelled = True
        elif self.cancelled and message.startswith(STILL_RUNNING):
            record.msg, record.args = ("Finished: cancelled (the runner records the state "
                                       "Cancelled)"), ()
        return True


def cancelled_runs_say_so() -> None:
    """Install the filter on Prefect's flow-run logger, once per process."""
    logger = logging.getLogger("prefect.flow_runs")
    if not any(isinstance(f, _CancelledRunsSaySo) for f in logger.filters):
        logger.addFilter(_CancelledRunsSaySo())


def task_runner_for(settings: Settings) -> TaskRunner[Any]:
    """A ``DaskTaskRunner`` on the cluster of ``settings.dask_address`` when it is set, else
    Prefect's default ``ThreadPoolTaskRunner``."""
    if settings.dask_address:
        # imported only here: dask.distributed costs start-up time when it is not used
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=settings.dask_address)
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner()


def monthly_flow_for(settings: Settings) -> Flow[..., RunSummary]:
    """``monthly_consolidation`` with the task runner the settings choose."""
    from flows.monthly import monthly_consolidation

    return monthly_consolidation.with_options(task_runner=task_runner_for(settings))


def deployed_monthly_flow_for(settings: Settings) -> Flow[..., RunSummary]:
    """The deployment's flow (``deployed_monthly_consolidation``: the month only) with the
    task runner the settings choose."""
    from flows.monthly import deployed_monthly_consolidation

    return deployed_monthly_consolidation.with_options(task_runner=task_runner_for(settings))


def __getattr__(name: str) -> Any:
    """``configured_monthly_consolidation``: the deployment's monthly flow with the task
    runner of the settings of the process that imports it (the environment, ``.env``) —
    resolved when it is looked up, so that importing this module reads no settings."""
    if name == CONFIGURED_MONTHLY:
        return deployed_monthly_flow_for(Settings())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
