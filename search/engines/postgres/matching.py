"""A search as one SQL statement: the matching rows, then from them the total, each facet's
counts and the page asked for, in order."""

from __future__ import annotations

from dataclasses import dataclass, field

from search.engines.postgres.schema import DOCUMENTS, facet_column
from search.engines.postgres.terms import like_pattern, phrase_terms
from search.facets import FACETS, Facet, Kind
from search.folding import fold
from search.query import ParsedQuery, Term
from search.types import EngineQuery, Equals, FacetKey, Filter, YearRange
from search.words import query_words

# Where title:, author: and source: look.
FIELD_COLUMNS = {"title": "d.title", "author": "d.author", "source": "d.source"}
# Relevance counts occurrences in this much of an article's text: enough to tell articles
# about a word from those that mention it, at a bounded cost per matching article.
SCORED_CHARACTERS = 5000
# A word in the title counts as this many occurrences in the text.
TITLE_WEIGHT = 3


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


def contains(folded: str) -> Sql:
    """Rows whose folded text contains `folded`: the rows having every term of it (GIN),
    then the text itself checked, unless the terms already decide."""
    phrase = phrase_terms(folded)
    if not phrase.terms:
        return Sql("d.folded LIKE %s", [like_pattern(folded)])
    if phrase.exact:
        return Sql("d.terms @@ %s::tsquery", [phrase.tsquery])
    return Sql(
        "(d.terms @@ %s::tsquery AND d.folded LIKE %s)", [phrase.tsquery, like_pattern(folded)]
    )


def exact(term: Term) -> Sql:
    """Rows containing the term as typed (folded), in its field."""
    folded = fold(term.text)
    if not folded.strip():
        return Sql("FALSE")
    if term.field is not None:
        return Sql(f"{FIELD_COLUMNS[term.field]} LIKE %s", [like_pattern(folded)])
    return contains(folded)


def _loose_words(term: Term) -> list[str] | None:
    """The words of an unquoted term, when it also matches articles having them apart."""
    if term.phrase or term.field is not None:
        return None
    folded = fold(term.text)
    words = query_words(folded)
    return words if words and words != [folded] else None


def matching(term: Term) -> Sql:
    """Rows the term matches: as typed or, unquoted, every one of its words."""
    words = _loose_words(term)
    if words is None:
        return exact(term)
    return _all([exact(term), _all([contains(w) for w in words], "AND", "TRUE")], "OR", "FALSE")


def query_condition(query: ParsedQuery) -> Sql:
    required = [_all([matching(t) for t in group], "OR", "FALSE") for group in query.required]
    excluded = [exact(t) for t in query.excluded]
    parts = required + [Sql(f"NOT {e.text}", e.params) for e in excluded]
    return _all(parts, "AND", "TRUE")


def as_typed(query: ParsedQuery) -> Sql | None:
    """Rows with every required term as typed; None when no term matches otherwise."""
    if not any(_loose_words(t) for t in query.terms):
        return None
    return _all([_all([exact(t) for t in g], "OR", "FALSE") for g in query.required], "AND", "TRUE")


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


def score(query: ParsedQuery) -> Sql:
    """Occurrences of the query's words in the opening text, saturating, plus those in the
    title, weighted: cheap enough for every matching article (no vector read)."""
    words = sorted({w for t in query.terms for w in query_words(fold(t.text))})
    parts = []
    for word in words:
        text = f"left(d.folded, {SCORED_CHARACTERS})"
        body = f"(length({text}) - length(replace({text}, %s, '')))::float / %s"
        title = "(length(d.title) - length(replace(d.title, %s, '')))::float / %s"
        parts.append(
            Sql(
                f"({body} / (1 + {body}) + {TITLE_WEIGHT} * {title})",
                [word, len(word), word, len(word), word, len(word)],
            )
        )
    if not parts:
        return Sql("0")
    return Sql(" + ".join(p.text for p in parts), [param for p in parts for param in p.params])


def search_statement(request: EngineQuery) -> Sql:
    """One statement: rows ('total', NULL, n), (facet name, value, n) per facet value, and
    ('page', article id, place) for the page, matching rows taken once (MATERIALIZED)."""
    query = request.query
    columns = ", ".join(f"d.{facet_column(f)}" for f in FACETS)
    where = query_condition(query)
    params: list = list(where.params)
    parts = [
        f"WITH m AS MATERIALIZED (SELECT d.article_id, d.date_key, {columns}"
        f" FROM {DOCUMENTS} d WHERE {where.text})"
    ]
    chosen = {f.name: filter_condition(f, c) for f in FACETS if (c := request.filter(f.name))}
    everything = _all(list(chosen.values()), "AND", "TRUE")
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
    order, order_params, join = _order(request)
    parts.append(
        # The places follow the subquery's order: numbered as they come out of it.
        "UNION ALL SELECT 'page', article_id::text, row_number() OVER () FROM ("
        f"SELECT m.article_id FROM m {join} WHERE {everything.text}"
        f" ORDER BY {order} LIMIT %s OFFSET %s) AS page"
    )
    params += everything.params + order_params
    params += [request.limit, request.offset]
    return Sql("\n".join(parts), params)


def _order(request: EngineQuery) -> tuple[str, list, str]:
    """(ORDER BY, its parameters, the join it needs): relevance for a query with required
    terms (articles with every term as typed first), else by date, undated last."""
    query = request.query
    if request.sort == "relevance" and query.required:
        typed = as_typed(query)
        relevance = score(query)
        order, params = f"{relevance.text} DESC, m.article_id", list(relevance.params)
        if typed is not None:
            order = f"{typed.text} DESC, {order}"
            params = typed.params + params
        return order, params, f"JOIN {DOCUMENTS} d USING (article_id)"
    if request.sort == "oldest":
        return "m.date_key = 0, m.date_key, m.article_id", [], ""
    return "m.date_key = 0, m.date_key DESC, m.article_id DESC", [], ""


def facet_key(facet: Facet, value: str | None) -> FacetKey:
    if value is None:
        return None
    return int(value) if facet.kind is Kind.YEAR else value
