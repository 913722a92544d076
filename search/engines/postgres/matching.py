"""A search as one SQL statement: the matching rows, then from them the total, each facet's
counts and the page asked for, in order."""

from __future__ import annotations

from dataclasses import dataclass, field

from search.engines.postgres.schema import DOCUMENTS, facet_column, terms_of
from search.engines.postgres.terms import LONG_TEXT_BYTES, like_pattern, phrase_terms
from search.facets import FACETS, Facet, Kind
from search.folding import fold
from search.query import ParsedQuery, Term
from search.types import EngineQuery, Equals, FacetKey, Filter, YearRange
from search.words import query_words

# Where title:, author: and source: look.
FIELD_COLUMNS = {"title": "d.title", "author": "d.author", "source": "d.source"}
# Relevance counts occurrences in this much of an article's text: enough to tell articles
# about a word from those that mention it, at a bounded cost per article.
SCORED_CHARACTERS = 5000
# How many of the best matches by title (newest first among equals) have their text read
# for relevance.
RELEVANCE_POOL = 200
# Matches in order of title occurrences, newest first among equals.
BY_TITLE = "m.typed DESC, m.title_score DESC, m.date_key DESC, m.article_id DESC"


@dataclass
class Sql:
    """A condition or expression with its parameters, in order."""

    text: str
    params: list = field(default_factory=list)


def _all(parts: list[Sql], joiner: str, empty: str) -> Sql:
    if not parts:
        return Sql(empty)
    if len(parts) == 1:
        return parts[0]
    return Sql(
        "(" + f" {joiner} ".join(p.text for p in parts) + ")",
        [param for p in parts for param in p.params],
    )


@dataclass
class Match:
    """Which rows a part of a query matches, in two halves: `terms`, a tsquery every such
    row's terms match (None: no restriction), which only the GIN index evaluates; and
    `check`, a condition on the row that decides among those (None: the terms decide).
    `full` decides alone, whatever the terms: it is what an OR or a NOT combines.

    A row's terms are never computed to check a row (the function making them reads the
    whole text): only the index has them, so every terms condition is one tsquery, at
    the top of the statement's WHERE."""

    terms: str | None
    check: Sql | None
    full: Sql


def phrase_match(folded: str) -> Match:
    """Rows whose folded text contains `folded`: the rows having every term of it (GIN),
    then the text itself checked, unless the terms already decide."""
    phrase = phrase_terms(folded)
    like = Sql("d.folded LIKE %s", [like_pattern(folded)])
    if not phrase.terms:
        return Match(terms=None, check=like, full=like)
    if not phrase.exact:
        return Match(terms=phrase.tsquery, check=like, full=like)
    if phrase.needs_text_when_long:
        # A long article has the phrase's characters only: its text decides.
        long = Sql(f"(octet_length(d.folded) <= {LONG_TEXT_BYTES} OR {like.text})", like.params)
        return Match(terms=phrase.tsquery, check=long, full=like)
    return Match(terms=phrase.tsquery, check=None, full=like)


def _text(condition: Sql) -> Match:
    return Match(terms=None, check=condition, full=condition)


def both(matches: list[Match]) -> Match:
    """Rows every one of `matches` matches."""
    if len(matches) == 1:
        return matches[0]
    terms = [m.terms for m in matches if m.terms is not None]
    return Match(
        terms=" & ".join(f"({t})" for t in terms) if terms else None,
        check=_all([m.check for m in matches if m.check is not None], "AND", "TRUE")
        if any(m.check is not None for m in matches)
        else None,
        full=_all([m.full for m in matches], "AND", "TRUE"),
    )


def either(matches: list[Match]) -> Match:
    """Rows one of `matches` matches at least."""
    if len(matches) == 1:
        return matches[0]
    terms = [m.terms for m in matches]
    full = _all([m.full for m in matches], "OR", "FALSE")
    return Match(
        terms=None if None in terms else " | ".join(f"({t})" for t in terms),
        check=full,
        full=full,
    )


def exact(term: Term) -> Match:
    """Rows containing the term as typed (folded), in its field."""
    folded = fold(term.text)
    if not folded.strip():
        return _text(Sql("FALSE"))
    if term.field is not None:
        return _text(Sql(f"{FIELD_COLUMNS[term.field]} LIKE %s", [like_pattern(folded)]))
    return phrase_match(folded)


def _loose_words(term: Term) -> list[str] | None:
    """The words of an unquoted term, when it also matches articles having them apart."""
    if term.phrase or term.field is not None:
        return None
    folded = fold(term.text)
    words = query_words(folded)
    return words if words and words != [folded] else None


def matching(term: Term) -> Match:
    """Rows the term matches: as typed or, unquoted, every one of its words."""
    words = _loose_words(term)
    if words is None:
        return exact(term)
    return either([exact(term), both([phrase_match(w) for w in words])])


def query_match(query: ParsedQuery) -> Match:
    required = [either([matching(t) for t in group]) for group in query.required]
    excluded = [exact(t).full for t in query.excluded]
    parts = required + [_text(Sql(f"NOT {e.text}", e.params)) for e in excluded]
    if not parts:
        return _text(Sql("TRUE"))
    return both(parts)


def query_condition(query: ParsedQuery) -> Sql:
    """The WHERE of the rows a query matches."""
    return where(query_match(query))


def contains(folded: str) -> Sql:
    """The WHERE of the rows whose folded text contains `folded`."""
    return where(phrase_match(folded))


def where(match: Match) -> Sql:
    """A WHERE condition: the terms (the GIN index), then the check."""
    parts = []
    if match.terms is not None:
        parts.append(Sql(f"{terms_of('d')} @@ %s::tsquery", [match.terms]))
    if match.check is not None:
        parts.append(match.check)
    return _all(parts, "AND", "TRUE")


def as_typed(query: ParsedQuery) -> Sql | None:
    """Rows with every required term as typed; None when no term matches otherwise."""
    if not any(_loose_words(t) for t in query.terms):
        return None
    return _all(
        [_all([exact(t).full for t in g], "OR", "FALSE") for g in query.required], "AND", "TRUE"
    )


def filter_condition(facet: Facet, chosen: Filter) -> Sql:
    column = f"m.{facet_column(facet)}"
    if isinstance(chosen, Equals):
        if chosen.value is None:
            return Sql(f"{column} IS NULL")
        return Sql(f"{column} = %s", [chosen.value])
    assert isinstance(chosen, YearRange)
    if chosen.unknown:
        return Sql(f"{column} IS NULL")
    parts = []
    if chosen.start is not None:
        parts.append(Sql(f"{column} >= %s", [chosen.start]))
    if chosen.end is not None:
        parts.append(Sql(f"{column} <= %s", [chosen.end]))
    return _all(parts, "AND", f"{column} IS NOT NULL")


def _occurrences(column: str, word: str) -> Sql:
    return Sql(
        f"(length({column}) - length(replace({column}, %s, '')))::float / %s", [word, len(word)]
    )


def _words(query: ParsedQuery) -> list[str]:
    return sorted({w for t in query.terms for w in query_words(fold(t.text))})


def title_score(query: ParsedQuery) -> Sql:
    """Occurrences of the query's words in the title (read from the row: no text)."""
    parts = [_occurrences("d.title", word) for word in _words(query)]
    return _all(parts, "+", "0")


def body_score(query: ParsedQuery) -> Sql:
    """Occurrences of the query's words in the opening text, each saturating."""
    opening = f"left(d.folded, {SCORED_CHARACTERS})"
    parts = []
    for word in _words(query):
        count = _occurrences(opening, word)
        parts.append(Sql(f"({count.text} / (1 + {count.text}))", count.params * 2))
    return _all(parts, "+", "0")


def _ranked(query: ParsedQuery, request: EngineQuery) -> bool:
    return request.sort == "relevance" and bool(query.required)


def search_statement(request: EngineQuery) -> Sql:
    """One statement: rows ('total', NULL, n), (facet name, value, n) per facet value, and
    ('page', article id, place) for the page, matching rows taken once (MATERIALIZED).

    Relevance: articles with every term as typed first, then by the words' occurrences in
    the title (counted for every match, from the row), then by their occurrences in the
    opening text, counted for the RELEVANCE_POOL best of those (newest first among equals):
    reading every match's text would cost as much again as finding them."""
    query = request.query
    columns = ", ".join(f"d.{facet_column(f)}" for f in FACETS)
    where = query_condition(query)
    ranked = _ranked(query, request)
    rank_columns, rank_params = "", []
    if ranked:
        typed = as_typed(query) or Sql("TRUE")
        title = title_score(query)
        rank_columns = f", {typed.text} AS typed, {title.text} AS title_score"
        rank_params = typed.params + title.params
    params: list = rank_params + list(where.params)
    parts = [
        f"WITH m AS MATERIALIZED (SELECT d.article_id, d.date_key, {columns}{rank_columns}"
        f" FROM {DOCUMENTS} d WHERE {where.text})"
    ]
    chosen = {f.name: filter_condition(f, c) for f in FACETS if (c := request.filter(f.name))}
    everything = _all(list(chosen.values()), "AND", "TRUE")
    if ranked:
        body = body_score(query)
        parts[0] += (
            # Each text looked up by its key (a join may read the whole table instead).
            f", pool AS MATERIALIZED (SELECT c.*, (SELECT {body.text} FROM {DOCUMENTS} d"
            " WHERE d.article_id = c.article_id) AS body FROM ("
            f"SELECT m.article_id, m.typed, m.title_score, m.date_key FROM m"
            f" WHERE {everything.text} ORDER BY {BY_TITLE} LIMIT {RELEVANCE_POOL}) AS c)"
        )
        params += body.params + everything.params
    parts.append(f"SELECT 'total'::text, NULL::text, count(*) FROM m WHERE {everything.text}")
    params += everything.params
    for facet in FACETS:
        others = _all([c for name, c in chosen.items() if name != facet.name], "AND", "TRUE")
        column = facet_column(facet)
        parts.append(
            f"UNION ALL SELECT %s, m.{column}::text, count(*) FROM m WHERE {others.text}"
            f" GROUP BY m.{column}"
        )
        params += [facet.name, *others.params]
    if ranked:
        # The pool is the first RELEVANCE_POOL by title: its articles come first, in their
        # order; the others after them, in BY_TITLE's.
        page = (
            "SELECT article_id FROM (SELECT article_id, 0 AS part, typed, title_score, body,"
            " date_key FROM pool"
        )
        if request.offset + request.limit > RELEVANCE_POOL:
            page += (
                " UNION ALL SELECT * FROM (SELECT m.article_id, 1, m.typed, m.title_score,"
                f" NULL::float, m.date_key FROM m WHERE {everything.text} ORDER BY {BY_TITLE}"
                f" OFFSET {RELEVANCE_POOL}) AS rest"
            )
            params += everything.params
        page += (
            ") AS ranked ORDER BY part, typed DESC, title_score DESC, body DESC NULLS LAST,"
            " date_key DESC, article_id DESC"
        )
    else:
        page = f"SELECT m.article_id FROM m WHERE {everything.text} ORDER BY {_date_order(request)}"
        params += everything.params
    parts.append(
        # The places follow the subquery's order: numbered as they come out of it.
        "UNION ALL SELECT 'page', article_id::text, row_number() OVER () FROM ("
        f"{page} LIMIT %s OFFSET %s) AS page"
    )
    params += [request.limit, request.offset]
    return Sql("\n".join(parts), params)


def _date_order(request: EngineQuery) -> str:
    """By date, undated last (relevance without required terms: newest first)."""
    if request.sort == "oldest":
        return "m.date_key = 0, m.date_key, m.article_id"
    return "m.date_key = 0, m.date_key DESC, m.article_id DESC"


def facet_key(facet: Facet, value: str | None) -> FacetKey:
    if value is None:
        return None
    return int(value) if facet.kind is Kind.YEAR else value
