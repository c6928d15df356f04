"""The narrow search table and its bigram index (ADR 0004); upper-case indexes for exact number
and source-reference look-ups."""

from django.db import migrations, models
from django.db.models.functions import Upper

from kesu.cases import search

FTS = "cases_casesearch_fts"
SQLITE_SETUP = (
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(grams, content='cases_casesearch', content_rowid='case_id', "
    "detail=none, columnsize=0)",
    f"""CREATE TRIGGER cases_casesearch_fts_ai AFTER INSERT ON cases_casesearch BEGIN
        INSERT INTO {FTS}(rowid, grams) VALUES (new.case_id, new.grams); END""",
    f"""CREATE TRIGGER cases_casesearch_fts_ad AFTER DELETE ON cases_casesearch BEGIN
        INSERT INTO {FTS}({FTS}, rowid, grams) VALUES ('delete', old.case_id, old.grams); END""",
    f"""CREATE TRIGGER cases_casesearch_fts_au AFTER UPDATE ON cases_casesearch BEGIN
        INSERT INTO {FTS}({FTS}, rowid, grams) VALUES ('delete', old.case_id, old.grams);
        INSERT INTO {FTS}(rowid, grams) VALUES (new.case_id, new.grams); END""",
)
SQLITE_TEARDOWN = (
    *(f"DROP TRIGGER IF EXISTS cases_casesearch_fts_{s}" for s in ("ai", "ad", "au")),
    f"DROP TABLE IF EXISTS {FTS}",
)
PG_SETUP = (
    "CREATE INDEX case_search_grams_gin ON cases_casesearch USING gin (to_tsvector('simple'::regconfig, grams))",
)
PG_TEARDOWN = ("DROP INDEX IF EXISTS case_search_grams_gin",)


def create_index(apps, schema_editor):
    """SQLite: an FTS5 table kept in step by triggers (skipped if this SQLite has no FTS5, the
    search then reads the narrow table); PostgreSQL: a GIN index."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            try:
                cursor.execute(SQLITE_SETUP[0])
            except Exception:
                return
        for sql in (*SQLITE_SETUP[1:], f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')"):
            schema_editor.execute(sql)
    elif vendor == "postgresql":
        for sql in PG_SETUP:
            schema_editor.execute(sql)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_TEARDOWN, "postgresql": PG_TEARDOWN}
    for sql in statements.get(vendor, ()):
        schema_editor.execute(sql)


def fill(apps, schema_editor):
    """A search row for every existing case."""
    case_model = apps.get_model("cases", "Case")
    row_model = apps.get_model("cases", "CaseSearch")
    batch = []
    for case_id, text in case_model.objects.values_list("id", "search_text").iterator(chunk_size=2000):
        batch.append(row_model(case_id=case_id, search_text=text, grams=search.index_bigrams(text)))
        if len(batch) >= 2000:
            row_model.objects.bulk_create(batch)
            batch = []
    row_model.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_complainant_flags"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseSearch",
            fields=[
                (
                    "case",
                    models.OneToOneField(
                        on_delete=models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_row",
                        serialize=False,
                        to="cases.case",
                    ),
                ),
                ("search_text", models.TextField(default="")),
                ("grams", models.TextField(default="")),
            ],
            options={"verbose_name": "检索索引", "verbose_name_plural": "检索索引"},
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(Upper("number"), name="case_number_upper_idx"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(Upper("intake_ref"), name="case_ref_upper_idx"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
