"""The search table carries each case's unit path and receipt time (ADR 0004, issue 3): a plain
search is then scoped and ordered from the narrow table alone.

SQLite rebuilds a table to add a NOT NULL column, which drops the FTS5 triggers of migration 0006;
they are created again here, after the copies are filled (so the fill does not rewrite the FTS
index row by row). PostgreSQL fills the copies with the GIN index dropped, then builds it again.
"""

from django.db import migrations, models

FTS = "cases_casesearch_fts"
TRIGGERS = (
    f"""CREATE TRIGGER IF NOT EXISTS cases_casesearch_fts_ai AFTER INSERT ON cases_casesearch BEGIN
        INSERT INTO {FTS}(rowid, grams) VALUES (new.case_id, new.grams); END""",
    f"""CREATE TRIGGER IF NOT EXISTS cases_casesearch_fts_ad AFTER DELETE ON cases_casesearch BEGIN
        INSERT INTO {FTS}({FTS}, rowid, grams) VALUES ('delete', old.case_id, old.grams); END""",
    f"""CREATE TRIGGER IF NOT EXISTS cases_casesearch_fts_au AFTER UPDATE ON cases_casesearch BEGIN
        INSERT INTO {FTS}({FTS}, rowid, grams) VALUES ('delete', old.case_id, old.grams);
        INSERT INTO {FTS}(rowid, grams) VALUES (new.case_id, new.grams); END""",
)
DROP_TRIGGERS = tuple(f"DROP TRIGGER IF EXISTS cases_casesearch_fts_{s}" for s in ("ai", "ad", "au"))
GIN = "case_search_grams_gin"
CREATE_GIN = f"CREATE INDEX IF NOT EXISTS {GIN} ON cases_casesearch USING gin (to_tsvector('simple'::regconfig, grams))"
FILL = """UPDATE cases_casesearch SET
    unit_path = (SELECT c.unit_path FROM cases_case c WHERE c.id = cases_casesearch.case_id),
    received_at = (SELECT c.received_at FROM cases_case c WHERE c.id = cases_casesearch.case_id)"""


def _has_fts(schema_editor) -> bool:
    return FTS in schema_editor.connection.introspection.table_names()


def restore_triggers(apps, schema_editor):
    """SQLite with FTS5: the triggers that keep the bigram index in step (gone with a table rebuild)."""
    if schema_editor.connection.vendor == "sqlite" and _has_fts(schema_editor):
        for sql in TRIGGERS:
            schema_editor.execute(sql)


def fill(apps, schema_editor):
    """Copy each case's unit path and receipt time into its search row."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for sql in DROP_TRIGGERS:  # the copies do not touch the bigram words
            schema_editor.execute(sql)
        schema_editor.execute(FILL)
        restore_triggers(apps, schema_editor)
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN}")
        schema_editor.execute(FILL)
        schema_editor.execute(CREATE_GIN)
    else:
        schema_editor.execute(FILL)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_list_indexes"),
    ]

    operations = [
        # Backwards, this runs last: the triggers again after the columns are removed.
        migrations.RunPython(migrations.RunPython.noop, restore_triggers),
        migrations.AddField(
            model_name="casesearch",
            name="unit_path",
            field=models.CharField(default="", max_length=255),
        ),
        migrations.AddField(
            model_name="casesearch",
            name="received_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
