"""The engine's terms: an article's characters and character bigrams (made in SQL, by the
function that the GIN index is built on), and a phrase's (made here, by the same rule)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.text import CJK

# The characters terms are made of: digits, Latin, Greek and Cyrillic letters, kana, Chinese
# characters (all planes) and Hangul, as code point ranges. Written out rather than "letters
# and digits" (search.folding.is_word_char) because the same ranges go into the SQL function
# that makes an article's terms, and PostgreSQL's idea of a letter is not Python's: the two
# sides then always agree. Any other character (punctuation, spaces, the segment break)
# separates terms; a phrase made only of such characters is found by LIKE alone.
TERM_CHARACTERS = (
    "0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u3007\u3040-\u30ff"
    f"{CJK}\uac00-\ud7af\U00020000-\U0003134f"
)
_TERM_RUN = re.compile(f"[{TERM_CHARACTERS}]+")
# Longest phrase answered by its term alone: a bigram occurs exactly where its two
# characters are adjacent, so containment is decided by the index, without the text.
TERM_ONLY_LENGTH = 2
# Articles longer than this (UTF-8 bytes of folded text) keep their characters only, and
# LONG_MARKER: the terms of a text of n bytes take up to 3n bytes, and a tsvector holds at
# most 1 MB. A phrase then finds them by its characters, and LIKE decides.
LONG_TEXT_BYTES = 300_000
# Made of no term character: never a term of a text or a phrase.
LONG_MARKER = "-"


@dataclass(frozen=True)
class PhraseTerms:
    """What finds the articles whose folded text contains a folded phrase: the terms every
    such article has, and whether having them already means containing the phrase."""

    terms: tuple[str, ...]
    exact: bool
    # The phrase's characters: what a long article (characters only) must have.
    characters: tuple[str, ...] = ()

    @property
    def tsquery(self) -> str:
        """Every term; or, for a long article, every character."""
        terms = " & ".join(_quoted(term) for term in self.terms)
        if self.characters == self.terms:
            return terms
        long = " & ".join(_quoted(term) for term in (*self.characters, LONG_MARKER))
        return f"({terms}) | ({long})"

    @property
    def needs_text_when_long(self) -> bool:
        """Whether a long article's match must be checked in its text even when the terms
        alone would decide for another."""
        return self.characters != self.terms


def phrase_terms(folded: str) -> PhraseTerms:
    """The single characters of one-character runs, and the bigrams of longer ones: an
    article containing the phrase has them all (it has its runs, whole)."""
    runs = _TERM_RUN.findall(folded)
    terms: dict[str, None] = {}
    characters: dict[str, None] = {}
    for run in runs:
        characters.update(dict.fromkeys(run))
        if len(run) == 1:
            terms[run] = None
        else:
            terms.update(dict.fromkeys(run[i : i + 2] for i in range(len(run) - 1)))
    exact = len(runs) == 1 and runs[0] == folded and len(folded) <= TERM_ONLY_LENGTH
    return PhraseTerms(terms=tuple(terms), exact=exact, characters=tuple(characters))


def _quoted(term: str) -> str:
    # A tsquery lexeme in quotes is taken as it is, whatever its characters.
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def like_pattern(folded: str) -> str:
    """A LIKE pattern matching text that contains `folded` (its % _ and \\ taken literally)."""
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def terms_function_sql(name: str) -> str:
    """The SQL function giving a folded text's terms as a tsvector (no positions): every
    term character, and every two adjacent ones, never across another character; for a
    text over LONG_TEXT_BYTES its characters and LONG_MARKER. The GIN index is built on
    it, so the terms are not stored a second time in the table."""
    separators = f"[^{TERM_CHARACTERS}]+"
    assert "'" not in separators and "$" not in separators
    return f"""
CREATE OR REPLACE FUNCTION {name}(folded text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $terms$
WITH runs AS (
    SELECT run FROM regexp_split_to_table(folded, '{separators}') AS run WHERE run <> ''
)
SELECT array_to_tsvector(ARRAY(
    SELECT DISTINCT term FROM (
        SELECT regexp_split_to_table(run, '') FROM runs
        UNION ALL
        SELECT (regexp_matches(run, '..', 'g'))[1] FROM runs
        WHERE octet_length(folded) <= {LONG_TEXT_BYTES}
        UNION ALL
        SELECT (regexp_matches(substr(run, 2), '..', 'g'))[1] FROM runs
        WHERE octet_length(folded) <= {LONG_TEXT_BYTES}
        UNION ALL
        SELECT '{LONG_MARKER}' WHERE octet_length(folded) > {LONG_TEXT_BYTES}
    ) AS terms (term)
))
$terms$"""
