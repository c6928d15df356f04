"""Fast appends for the background worker: COPY on PostgreSQL, `bulk_create` elsewhere.

The worker writes tens of thousands of rows (marks, tasks, audit lines) per run; building a Django
model instance per row costs more than the database work itself. Rows are plain tuples in the
order of `columns` (field names or attnames such as "case_id"); every NOT NULL column must be
given (COPY does not apply Django's defaults). Only for append-only rows nobody reads back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models

EVENT_COLUMNS = ("case_id", "actor_id", "action", "changes", "note", "at")
"""The columns of an audit line (kesu.cases.models.CaseEvent) as the worker appends them."""


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Append `rows` to `model`'s table."""
    if not rows:
        return
    fields = [model._meta.get_field(c) for c in columns]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows])
        return
    as_json = [isinstance(f, models.JSONField) for f in fields]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(v, ensure_ascii=False) if j else v for v, j in zip(row, as_json, strict=True)]
                if any(as_json)
                else row
            )
