"""A warehouse's content on its business columns, comparable between two runs."""

from __future__ import annotations

from sqlalchemy import DateTime, select

from warehouse import models as m
from warehouse.db import make_engine

TABLES = m.Base.metadata.sorted_tables  # every table, not only those a load writes today
Row = tuple[tuple[str, object], ...]
Snapshot = dict[str, list[Row]]
# columns that name generated ids or paths made from them, or a place under the run's own
# data folder (where the feedback went), not business content
GENERATED = {("report_builds", "submission_ids"), ("report_builds", "copy_path"),
             ("submissions", "feedback_path")}


def snapshot(url: str) -> Snapshot:
    """Every row of the warehouse on its business columns: no generated ids, no timestamps,
    and each submission reference replaced by that submission's sha256."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            sha_of = dict(connection.execute(select(m.Submission.id, m.Submission.sha256)).all())
            tables = {}
            for table in TABLES:
                rows = []
                for row in connection.execute(select(table)).mappings():
                    values = []
                    for column in table.columns:
                        if (column is table.autoincrement_column
                                or isinstance(column.type, DateTime)
                                or (table.name, column.name) in GENERATED):
                            continue
                        value = row[column.name]
                        if any(fk.column.table.name == "submissions"
                               for fk in column.foreign_keys):
                            value = sha_of.get(value, f"<orphan of id {value}>")
                        values.append((column.name, value))
                    rows.append(tuple(values))
                tables[table.name] = sorted(rows, key=repr)
    finally:
        engine.dispose()
    return tables


