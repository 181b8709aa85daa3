"""Prefect flows: collect → read → validate → load → report."""

from core.memory import fewer_collections
from flows.quiet import quiet_prefect

quiet_prefect()
fewer_collections()  # a process that runs flows: seconds of a month's run (core.memory)
