"""The one search service: cut text into tokens, keep each object's tokens, find matches.

Chinese text is cut into overlapping pairs of characters (楼道里 -> 楼道 道里 里), other text
into lower-case words. A query is cut the same way and each of its words must appear as a
phrase, so 楼道 finds 三楼楼道堆了纸箱 and 楼道灯 needs 楼道 followed by 道灯. A single
character matches as a prefix. The index never scans the table: FTS5 on SQLite, a GIN
index over to_tsvector('simple', tokens) on PostgreSQL (see ``search.schema``).

Callers keep the documents in step in the same transaction as the object: ``index`` when
its text is written, ``forget`` when it goes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from portal.search.models import SearchDocument
from portal.search.schema import FTS_TABLE, KINDS, PG_INDEX, sqlite_insert_trigger

# How many of the newest matches a search looks at: enough for a person to read, and a
# search costs the same at a million rows as at a thousand.
MATCH_LIMIT = 500

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PIECES = re.compile(rf"(?P<han>[{_HAN}]+)|(?:(?![{_HAN}])[^\W_])+")


def _pieces(value: str) -> list[list[str]]:
    """Each run of text as its tokens: overlapping pairs of Chinese characters (the last
    character alone at the end), or one word."""
    value = unicodedata.normalize("NFKC", value or "").lower()
    runs = []
    for match in _PIECES.finditer(value):
        run = match.group()
        runs.append([run[i:i + 2] for i in range(len(run))] if match.group("han") else [run])
    return runs


def tokens(*texts: str) -> str:
    """The indexed form of some text, space-separated."""
    return " ".join(token for value in texts for run in _pieces(value) for token in run)


@dataclass(frozen=True)
class Term:
    """One word of a query: a phrase of tokens, the last one a prefix when it is short."""

    phrase: tuple[str, ...]
    prefix: bool


def query_terms(query: str) -> list[Term]:
    terms = []
    for word in (query or "").split()[:8]:
        for run in _pieces(word):
            if len(run) > 1:  # Chinese: the pairs, without the lone last character
                terms.append(Term(tuple(run[:-1]), prefix=False))
            else:  # one Chinese character, or a word: the start of a token
                terms.append(Term((run[0],), prefix=True))
    return terms


def index(session: Session, kind: str, object_id: int, *texts: str) -> None:
    """Write (or rewrite) an object's searchable text."""
    value = tokens(*texts)
    changed = session.execute(update(SearchDocument)
                              .where(SearchDocument.kind == kind,
                                     SearchDocument.object_id == object_id)
                              .values(tokens=value)).rowcount
    if not changed:
        session.add(SearchDocument(kind=kind, object_id=object_id, tokens=value))
        session.flush()


def forget(session: Session, kind: str, object_id: int) -> None:
    session.execute(delete(SearchDocument).where(SearchDocument.kind == kind,
                                                 SearchDocument.object_id == object_id))


@dataclass(frozen=True)
class Matches:
    ids: list[int]  # newest first
    more: bool  # there were more than MATCH_LIMIT: only the newest are in ids


def _fts5_query(terms: list[Term]) -> str:
    return " AND ".join('"' + " ".join(term.phrase) + '"' + (" *" if term.prefix else "")
                        for term in terms)


def _tsquery(terms: list[Term]) -> str:
    words = []
    for term in terms:
        quoted = [f"'{token}'" for token in term.phrase]
        if term.prefix:
            quoted[-1] += ":*"
        words.append("(" + " <-> ".join(quoted) + ")")
    return " & ".join(words)


def search(session: Session, kind: str, query: str, limit: int = MATCH_LIMIT) -> Matches | None:
    """The ids of the newest objects of this kind whose text has every word of the query;
    None when the query has nothing to search for (only punctuation, say)."""
    terms = query_terms(query)
    if not terms or kind not in KINDS:
        return None
    if session.get_bind().dialect.name == "sqlite":
        table = f"{FTS_TABLE}_{kind}"
        rows = session.execute(text(
            f"SELECT d.object_id FROM {table} JOIN search_document d "  # noqa: S608
            f"ON d.id = {table}.rowid WHERE {table} MATCH :match "
            f"ORDER BY {table}.rowid DESC LIMIT :limit"),
            {"match": _fts5_query(terms), "limit": limit + 1})
    else:
        rows = session.execute(text(
            "SELECT object_id FROM search_document WHERE kind = :kind AND "
            "to_tsvector('simple', tokens) @@ to_tsquery('simple', :match) "
            "ORDER BY id DESC LIMIT :limit"),
            {"kind": kind, "match": _tsquery(terms), "limit": limit + 1})
    ids = [row[0] for row in rows]
    return Matches(ids=ids[:limit], more=len(ids) > limit)


@contextmanager
def bulk_documents(session: Session, kind: str) -> Iterator[None]:
    """Around inserting very many documents of one kind at once (the demo's million
    requests): the full-text index is brought up to date once at the end instead of row by
    row. On SQLite the per-row trigger into the kind's FTS5 table is set aside and the new
    documents go in with one INSERT … SELECT (a third of the time at 100,000); on PostgreSQL
    the GIN index is dropped and built again in one sorted pass. All in the caller's
    transaction: nothing is left half-indexed if it fails."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        table = f"{FTS_TABLE}_{kind}"
        trigger, create = sqlite_insert_trigger(kind)
        last = session.scalar(select(func.max(SearchDocument.id))) or 0
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
        yield
        connection.exec_driver_sql(
            f"INSERT INTO {table}(rowid, tokens) SELECT id, tokens FROM "  # noqa: S608
            f"search_document WHERE id > ? AND kind = ?", (last, kind))
        connection.exec_driver_sql(create)
        return
    connection.exec_driver_sql(f"DROP INDEX IF EXISTS {PG_INDEX}")
    yield
    connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
    connection.exec_driver_sql(f"CREATE INDEX {PG_INDEX} ON search_document "
                               "USING gin (to_tsvector('simple', tokens))")


def rebuild_statement_rows(kind: str, rows) -> list[dict]:
    """search_document rows for (object_id, text...) tuples: the bulk path (demo data)."""
    return [{"kind": kind, "object_id": row[0], "tokens": tokens(*row[1:])} for row in rows]
