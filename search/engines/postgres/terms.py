"""The engine's terms: an article's characters and character bigrams, and a phrase's."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Letters (Chinese included) and digits, as search.folding.is_word_char says: runs of them
# are what terms are made of. Written as a pattern, not a call per character, because every
# character of every article passes here while indexing.
_WORD_RUN = re.compile(r"[^\W_]+")
# Longest phrase answered by its term alone: a bigram occurs exactly where its two
# characters are adjacent, so containment is decided by the vector, without the text.
TERM_ONLY_LENGTH = 2


def document_terms(folded: str) -> list[str]:
    """Every letter or digit of the folded text, and every two adjacent ones: never across
    punctuation, a space or a segment break (to_tsvector gives punctuation no position, so
    a vector of its own words would join 组织，战斗 into a phrase that is not in the text)."""
    terms: set[str] = set()
    for run in _WORD_RUN.findall(folded):
        terms.update(run)
        terms.update(run[i : i + 2] for i in range(len(run) - 1))
    return sorted(terms)


@dataclass(frozen=True)
class PhraseTerms:
    """What finds the articles whose folded text contains a folded phrase: the terms every
    such article has, and whether having them already means containing the phrase."""

    terms: tuple[str, ...]
    exact: bool

    @property
    def tsquery(self) -> str:
        return " & ".join(_quoted(term) for term in self.terms)


def phrase_terms(folded: str) -> PhraseTerms:
    """The single characters of one-character runs, and the bigrams of longer ones: an
    article containing the phrase has them all (it has its runs, whole)."""
    runs = _WORD_RUN.findall(folded)
    terms: dict[str, None] = {}
    for run in runs:
        if len(run) == 1:
            terms[run] = None
        else:
            terms.update(dict.fromkeys(run[i : i + 2] for i in range(len(run) - 1)))
    exact = len(runs) == 1 and runs[0] == folded and len(folded) <= TERM_ONLY_LENGTH
    return PhraseTerms(terms=tuple(terms), exact=exact)


def _quoted(term: str) -> str:
    # A tsquery lexeme in quotes is taken as it is, whatever its characters.
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def like_pattern(folded: str) -> str:
    """A LIKE pattern matching text that contains `folded` (its % _ and \\ taken literally)."""
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
