"""Full-text search over directives (reference, title, summary, full text), their documents' text, their
tasks and the timeline entries people wrote: one index kept by database triggers (migration 0014), read
here for the search page, the directive list and the API.

On PostgreSQL the index is ``directives_searchtext`` with a weighted ``tsvector`` (title A, body B, the
``english`` configuration) and a GIN index, ranked by ``ts_rank`` and quoted with ``ts_headline``; on the
embedded default (SQLite) it is an FTS5 table with the Porter stemmer, ranked by ``bm25`` (title ten times
the body) and quoted with ``snippet``. Both stem, so "blocking" finds "block". A query is its words (at most
``MAX_WORDS``, each at most ``MAX_WORD_CHARS``), all of which must match; punctuation is ignored, so no
input is a syntax error.

References are hyphenated ("BIS-2026-0412"). FTS5 splits them at each hyphen; PostgreSQL's parser reads a
hyphen before digits as a sign, indexing "-2026" and "-0412" where a person types "2026" and "0412". On
PostgreSQL a word of digits therefore matches either form (``_pg_tsquery``), so a reference is found whole
or by any of its parts on both backends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models.expressions import RawSQL

from ..models import Directive

MAX_WORDS = 12
MAX_WORD_CHARS = 64
KINDS = ("directive", "document", "task", "entry")  # rowkey % 4
_START, _STOP = "\x02", "\x03"
_WORD = re.compile(r"\w+", re.UNICODE)
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Segment:
    text: str
    marked: bool  # a word that matched the query: shown highlighted


@dataclass(frozen=True)
class Hit:
    kind: str  # one of KINDS
    object_id: int  # the directive's, document's, task's or entry's id
    directive: Directive
    title: str
    passage: list[Segment]


@dataclass
class SearchResults:
    query: str
    words: list[str]
    hits: list[Hit] = field(default_factory=list)
    total: int = 0


def words_of(text: str) -> list[str]:
    return [w[:MAX_WORD_CHARS] for w in _WORD.findall(text or "")][:MAX_WORDS]


def search(text: str, *, limit: int = 20, offset: int = 0) -> SearchResults:
    """The hits for ``text``, best first, with their highlighted passage; ``total`` counts them all."""
    words = words_of(text)
    results = SearchResults(query=text, words=words)
    if not words:
        return results
    sql, params, count_sql, count_params = _queries(words)
    with connection.cursor() as cursor:
        cursor.execute(count_sql, count_params)
        results.total = cursor.fetchone()[0]
        cursor.execute(sql, [*params, max(1, limit), max(0, offset)])
        rows = cursor.fetchall()
    directives = Directive.objects.select_related("authority").in_bulk({row[1] for row in rows})
    for rowkey, directive_id, title, passage in rows:
        directive = directives.get(directive_id)
        if directive is None:  # removed between the two reads
            continue
        results.hits.append(
            Hit(
                kind=KINDS[rowkey % 4],
                object_id=rowkey // 4,
                directive=directive,
                title=title,
                passage=_segments(passage),
            )
        )
    return results


def matching_directive_ids(text: str) -> RawSQL | None:
    """A subquery of the ids of directives with any hit for ``text`` (for ``pk__in``), or None for a query
    with no words."""
    words = words_of(text)
    if not words:
        return None
    if connection.vendor == "postgresql":
        query, params = _pg_tsquery(words)
        # Built from this module's constants only; the words are parameters.
        sql = f"SELECT directive_id FROM directives_searchtext WHERE vec @@ ({query})"  # noqa: S608
        return RawSQL(sql, params)  # noqa: S611
    return RawSQL(
        "SELECT directive_id FROM directives_search_fts WHERE directives_search_fts MATCH %s",
        (_fts5_query(words),),
    )


def _fts5_query(words: list[str]) -> str:
    return " ".join('"' + w.replace('"', "") + '"' for w in words)


def _pg_tsquery(words: list[str]) -> tuple[str, list[str]]:
    """The ``tsquery`` SQL of ``words`` (all must match) and its parameters; a word of digits also matches
    the signed number PostgreSQL's parser makes of it after a hyphen ("0412" finds "BIS-2026-0412")."""
    parts: list[str] = []
    params: list[str] = []
    for word in words:
        if _DIGITS.fullmatch(word):
            parts.append("(plainto_tsquery('english', %s) || plainto_tsquery('english', %s))")
            params += [word, f"-{word}"]
        else:
            parts.append("plainto_tsquery('english', %s)")
            params.append(word)
    return " && ".join(parts), params


def _queries(words: list[str]) -> tuple[str, list[Any], str, list[Any]]:
    if connection.vendor == "postgresql":
        query, params = _pg_tsquery(words)
        ranked = (
            "SELECT rowkey, directive_id, title, body, ts_rank(vec, q) AS rank "  # noqa: S608
            f"FROM directives_searchtext, (SELECT {query} AS q) typed WHERE vec @@ q"
        )
        headline = (
            f"ts_headline('english', title || chr(10) || body, ({query}), "
            f"'StartSel={_START}, StopSel={_STOP}, MaxWords=35, "
            f'MinWords=12, MaxFragments=2, FragmentDelimiter=" … "\')'
        )
        # Built from this module's constants only; the words are parameters.
        sql = (
            f"SELECT rowkey, directive_id, title, {headline} FROM ({ranked} "  # noqa: S608
            "ORDER BY rank DESC, rowkey DESC LIMIT %s OFFSET %s) hits ORDER BY rank DESC, rowkey DESC"
        )
        count = f"SELECT count(*) FROM directives_searchtext WHERE vec @@ ({query})"  # noqa: S608
        # The headline's query comes first in the statement, then the ranking's: both are the same words.
        return sql, [*params, *params], count, params
    match = _fts5_query(words)
    # Ranked first, then the passages of the page's rows only: snippet() costs a read of each row's text,
    # and SQLite would compute it for every match before sorting.
    order = "bm25(directives_search_fts, 0.0, 10.0, 1.0), rowid DESC"
    sql = (
        "SELECT rowid, directive_id, title, "  # noqa: S608
        f"snippet(directives_search_fts, -1, '{_START}', '{_STOP}', ' … ', 32) "
        "FROM directives_search_fts WHERE directives_search_fts MATCH %s AND rowid IN ("
        f"SELECT rowid FROM directives_search_fts WHERE directives_search_fts MATCH %s ORDER BY {order} "
        f"LIMIT %s OFFSET %s) ORDER BY {order}"
    )
    count = "SELECT count(*) FROM directives_search_fts WHERE directives_search_fts MATCH %s"
    return sql, [match, match], count, [match]


def _segments(passage: str) -> list[Segment]:
    """``passage`` with the database's markers turned into segments a template escapes and highlights."""
    segments: list[Segment] = []
    for i, part in enumerate(re.split(f"[{_START}{_STOP}]", passage or "")):
        if part:
            segments.append(Segment(part, marked=i % 2 == 1))
    return segments
