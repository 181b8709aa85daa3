"""Prefect flows: collect → read → validate → load → report."""

from flows.quiet import quiet_prefect

quiet_prefect()
