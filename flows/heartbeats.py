"""A flow run ends when its work does, not up to a second later.

Prefect (3.9) sends a flow run's heartbeats from a thread that sleeps a second at a time,
and its sync engine joins that thread when the run ends: every run of ours waited for the
thread's next wake-up, 0–1 s (0.88 s of a corrected file's 7 s run, cProfile). Prefect's
async engine does not join it (``join_on_exit=False``): told to stop, the daemon thread
returns at its next wake-up without sending anything more. The sync engine's heartbeats are
started the same way here. Installed only on the version written for (:data:`WRITTEN_FOR`),
where ``_send_heartbeats`` takes that argument; any other version is left as it is.
"""

from __future__ import annotations

import functools
import inspect

WRITTEN_FOR = "3.9.1"
_MARK = "_cellreports_no_join"


def end_runs_without_waiting() -> bool:
    """Start the sync engine's heartbeats without a join at the run's end; True if
    installed (now or before)."""
    import prefect
    from prefect import flow_engine

    send = flow_engine._send_heartbeats
    if getattr(send, _MARK, False):
        return True
    if prefect.__version__ != WRITTEN_FOR or \
            "join_on_exit" not in inspect.signature(send).parameters:
        return False
    unjoined = functools.partial(send, join_on_exit=False)
    setattr(unjoined, _MARK, True)
    flow_engine._send_heartbeats = unjoined  # looked up by name at each run's start
    return True
