"""Where the monthly flow's parallel tasks run: on this machine, or on a Dask cluster.

With ``CELLREPORTS_DASK_ADDRESS`` unset, Prefect's default ``ThreadPoolTaskRunner`` runs them
in threads of the flow's own process. Set to the scheduler of an existing Dask cluster
(``tcp://host:8786``), ``prefect-dask``'s ``DaskTaskRunner`` sends them to its workers.

In Prefect 3 only ``task.submit`` and ``task.map`` go through a flow's task runner; a task
called directly runs in the flow's process whatever the runner. In the monthly flow the
mapped tasks are the read chunks (``read_files.map``, ``read_chunk_size`` files each) and
the validation chunks (``validate_files.map``, ``validate_chunk_size`` files each): those
are what the Dask workers run. Collecting, loading into the warehouse and the reports stay
with the flow run. Nothing here depends on which tasks are mapped: any task the monthly flow
submits or maps runs on the cluster too.

A Dask worker runs the task (and reports its state to the Prefect API the flow uses), so it
needs this package installed and the Prefect API reachable; it does not need the inbox, the
archive or the warehouse for the read and validation chunks (docs/cluster.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cellreports.settings import Settings

if TYPE_CHECKING:
    from prefect import Flow
    from prefect.task_runners import TaskRunner

    from flows.monthly import RunSummary

# The entrypoint of the monthly deployment (flows/deployment.py): the flow run's process
# (a `cellreports serve` child or a work pool's worker) builds the flow from its own settings.
CONFIGURED_MONTHLY = "configured_monthly_consolidation"
MONTHLY_ENTRYPOINT = f"{__name__}.{CONFIGURED_MONTHLY}"


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


def __getattr__(name: str) -> Any:
    """``configured_monthly_consolidation``: the monthly flow with the task runner of the
    settings of the process that imports it (the environment, ``.env``) — resolved when it
    is looked up, so that importing this module reads no settings."""
    if name == CONFIGURED_MONTHLY:
        return monthly_flow_for(Settings())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
