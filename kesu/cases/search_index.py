"""The database side of full-text search (ADR 0004): the narrow search table and its bigram index.

`CaseSearch` holds each case's index text and bigram words (`search.index_bigrams`), and copies
of its unit path and receipt time. The words are indexed by SQLite's FTS5 (an external-content
table kept in step by triggers) or by a PostgreSQL GIN index on `to_tsvector('simple', grams)`;
both answer "which cases hold all these words" without reading the text. Where neither index
exists, the search reads the narrow table.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Func, QuerySet, Value
from django.db.models.expressions import RawSQL

from kesu.cases import search
from kesu.cases.models import Case, CaseSearch

FTS_TABLE = "cases_casesearch_fts"  # created by migration 0006


def row_values(case: Case) -> dict[str, Any]:
    """The search row's columns for `case` (its index text, bigram words, unit path, receipt time)."""
    return {
        "search_text": case.search_text,
        "grams": search.index_bigrams(case.search_text),
        "unit_path": case.unit_path,
        "received_at": case.received_at,
    }


def sync(case: Case, *, created: bool = False) -> None:
    """Write `case`'s search row (the services call this whenever its text changes; unit path and
    receipt time never change after intake)."""
    if created:
        CaseSearch.objects.create(case=case, **row_values(case))
    else:
        CaseSearch.objects.update_or_create(case=case, defaults=row_values(case))


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


def _matching(terms: list[str]) -> tuple[Any, QuerySet[CaseSearch]]:
    """(the SQLite FTS5 rowid query or None, the search rows holding every term as a substring):
    the bigram index narrows the rows down, the substring test decides (not needed for
    two-character words, which the index answers exactly)."""
    words = search.query_bigrams(terms)
    indexed = bool(words) and _indexed()
    check = [t for t in terms if not (indexed and _exact_by_bigram(t))]
    fts = None
    if indexed and connection.vendor == "sqlite":
        fts = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [" ".join(words)])
        rows = CaseSearch.objects.filter(case_id__in=fts)
    elif indexed:
        rows = CaseSearch.objects.filter(_TsMatch(F("grams"), Value(" & ".join(words))))
    else:
        rows = CaseSearch.objects.all()
    for term in check:
        rows = rows.filter(search_text__contains=term)  # both sides are normalised to lower case
    return (fts if not check else None), rows


def case_ids(terms: list[str]) -> Any:
    """The ids of the cases whose index text holds every term (as a substring), as a subquery for
    `pk__in`. `terms` must not be empty."""
    fts, rows = _matching(terms)
    return fts if fts is not None else rows.values("case_id")


def matching_rows(terms: list[str]) -> QuerySet[CaseSearch]:
    """The search rows whose index text holds every term (to be narrowed further by the copied
    unit path and receipt time). `terms` must not be empty."""
    return _matching(terms)[1]
