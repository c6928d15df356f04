"""The database side of full-text search (ADR 0004): the narrow search table and its bigram index.

`CaseSearch` holds each case's index text and bigram words (`search.index_bigrams`). The words
are indexed by SQLite's FTS5 (an external-content table kept in step by triggers) or by a
PostgreSQL GIN index on `to_tsvector('simple', grams)`; both answer "which cases hold all these
words" without reading the text. Where neither index exists, the search reads the narrow table.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Func, Value
from django.db.models.expressions import RawSQL

from kesu.cases import search
from kesu.cases.models import Case, CaseSearch

FTS_TABLE = "cases_casesearch_fts"  # created by migration 0006


def row_values(search_text: str) -> dict[str, str]:
    return {"search_text": search_text, "grams": search.index_bigrams(search_text)}


def sync(case: Case, *, created: bool = False) -> None:
    """Write `case`'s search row from its `search_text` (the services call this on every change)."""
    if created:
        CaseSearch.objects.create(case=case, **row_values(case.search_text))
    else:
        CaseSearch.objects.update_or_create(case=case, defaults=row_values(case.search_text))


class _TsMatch(Func):
    """PostgreSQL: the row's bigram words hold every word of a tsquery (uses the GIN index)."""

    output_field = BooleanField()

    def as_sql(self, compiler: Any, conn: Any, **extra: Any) -> tuple[str, list[Any]]:
        grams_sql, grams_params = compiler.compile(self.source_expressions[0])
        query_sql, query_params = compiler.compile(self.source_expressions[1])
        sql = f"to_tsvector('simple'::regconfig, {grams_sql}) @@ to_tsquery('simple'::regconfig, {query_sql})"
        return sql, [*grams_params, *query_params]


_HAS_FTS: dict[str, bool] = {}


def _indexed() -> bool:
    """True when this database has the bigram index (FTS5 may be missing from a SQLite build)."""
    if connection.vendor == "postgresql":
        return True
    if connection.vendor != "sqlite":
        return False
    name = str(connection.settings_dict["NAME"])
    if not _HAS_FTS.get(name):  # checked until found: the table appears when migrations run
        _HAS_FTS[name] = FTS_TABLE in connection.introspection.table_names()
    return _HAS_FTS[name]


def _exact_by_bigram(term: str) -> bool:
    """A two-character word of letters or digits is its own bigram: the index answers it exactly."""
    return len(term) == 2 and term.isalnum()


def case_ids(terms: list[str]) -> Any:
    """The ids of the cases whose index text holds every term (as a substring), as a subquery for
    `pk__in`: the bigram index narrows the cases down, the substring test on the narrow table
    decides (not needed for two-character words). `terms` must not be empty."""
    words = search.query_bigrams(terms)
    indexed = bool(words) and _indexed()
    check = [t for t in terms if not (indexed and _exact_by_bigram(t))]
    if indexed and connection.vendor == "sqlite":
        fts = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [" ".join(words)])
        if not check:
            return fts
        rows = CaseSearch.objects.filter(case_id__in=fts)
    elif indexed:
        rows = CaseSearch.objects.filter(_TsMatch(F("grams"), Value(" & ".join(words))))
    else:
        rows = CaseSearch.objects.all()
    for term in check:
        rows = rows.filter(search_text__contains=term)  # both sides are normalised to lower case
    return rows.values("case_id")
