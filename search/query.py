"""Parse what a reader types into the search box into a structure the search backend can use."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

MAX_QUERY_LENGTH = 256
MAX_TERMS = 32

FIELDS = ("title", "author", "source")


def gettext_noop(message: str) -> str:
    """Marks a message for the English catalogue (makemessages looks for this name), as
    Django's does, without needing Django's settings: the parser runs without them."""
    return message


# What a reader is told about their query, in Chinese as the parser keeps it; shown in the
# reader's language by message_text().
NOTICE_UNBALANCED_QUOTE = gettext_noop("引号没有配对，已按短语处理。")
NOTICE_PUNCTUATION_ONLY = gettext_noop("检索词只包含标点符号，请输入文字。")
_TOO_MANY_TERMS = gettext_noop("检索词太多，只使用了前 %(max_terms)s 个。")
NOTICE_TOO_MANY_TERMS = _TOO_MANY_TERMS % {"max_terms": MAX_TERMS}
NOTICE_STRAY_OR = gettext_noop("OR 要放在两个检索词之间，多余的 OR 已忽略。")
NOTICE_DANGLING_NOT = gettext_noop("NOT 后面没有检索词，已忽略。")
_QUERY_TOO_LONG = gettext_noop("检索词太长（最多 %(max_length)s 个字符）")
# The messages written with a number: their text, and how to write it in another language.
_NUMBERED_MESSAGES = {
    NOTICE_TOO_MANY_TERMS: (_TOO_MANY_TERMS, {"max_terms": MAX_TERMS}),
    _QUERY_TOO_LONG % {"max_length": MAX_QUERY_LENGTH}: (
        _QUERY_TOO_LONG,
        {"max_length": MAX_QUERY_LENGTH},
    ),
}

# Opening quote -> the only character that closes it. Readers mix input methods, so a
# curly opener closed by an ASCII quote is treated as still open rather than guessed at.
_QUOTE_PAIRS = {'"': '"', "“": "”", "「": "」", "『": "』", "＂": "＂"}
# Every character that opens or closes a phrase.
QUOTE_CHARACTERS = frozenset(_QUOTE_PAIRS) | frozenset(_QUOTE_PAIRS.values())
_MINUS = frozenset("-－")
_COLONS = frozenset(":：")
_FIELD_ALIASES = {
    "title": "title",
    "author": "author",
    "source": "source",
    "标题": "title",
    "作者": "author",
    "来源": "source",
    "刊物": "source",
}
_OR_WORDS = frozenset({"OR", "|", "｜"})
_FIELD_LABELS = {"title": "标题", "author": "作者", "source": "来源"}


class QueryTooLong(ValueError):
    """The cleaned query exceeds MAX_QUERY_LENGTH characters."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _QUERY_TOO_LONG % {"max_length": MAX_QUERY_LENGTH})


def message_text(message: str) -> str:
    """A notice or error of the query parser in the reader's language (Django's, so only
    where its settings are loaded: in a request)."""
    from django.utils.translation import gettext

    if message in _NUMBERED_MESSAGES:
        template, numbers = _NUMBERED_MESSAGES[message]
        return gettext(template) % numbers
    return gettext(message)


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False
    field: str | None = None

    def __post_init__(self) -> None:
        # The backend builds index queries straight from these, so reject nonsense early.
        if not self.text:
            raise ValueError("Term.text must not be empty")
        if self.field is not None and self.field not in FIELDS:
            raise ValueError(f"unknown field {self.field!r}")


@dataclass(frozen=True)
class ParsedQuery:
    raw: str
    required: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    notices: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.required and not self.excluded

    @property
    def terms(self) -> tuple[Term, ...]:
        return tuple(term for group in self.required for term in group)

    @property
    def unquoted(self) -> str:
        """The query as typed without its quote marks, if it has any ("" otherwise): what
        to search instead when a phrase finds nothing."""
        if not any(char in QUOTE_CHARACTERS for char in self.raw):
            return ""
        return "".join(char for char in self.raw if char not in QUOTE_CHARACTERS)

    def describe(self) -> str:
        """Chinese rendering: plain terms first, then one clause per fielded group or exclusion."""
        main: list[str] = []
        field_clauses: list[str] = []

        plain_groups = [g for g in self.required if all(t.field is None for t in g)]
        fielded_groups = [g for g in self.required if any(t.field is not None for t in g)]
        if plain_groups:
            main.append(" 且 ".join(_describe_group(g) for g in plain_groups))
        for group in fielded_groups:
            field_clauses.append(_describe_group(group))

        plain_excluded = [t for t in self.excluded if t.field is None]
        if plain_excluded:
            main.append("不含 " + "、".join(_describe_term(t) for t in plain_excluded))
        for term in self.excluded:
            if term.field is not None:
                field_clauses.append(_describe_term(term, negated=True))

        clauses = ([" ".join(main)] if main else []) + field_clauses
        return " ；".join(clauses) if clauses else "（无检索词）"


def _describe_term(term: Term, negated: bool = False) -> str:
    text = f"“{term.text}”（短语）" if term.phrase else term.text
    if term.field is None:
        return text
    return f"{_FIELD_LABELS[term.field]}{'不含' if negated else '含'} {text}"


def _describe_group(group: tuple[Term, ...]) -> str:
    if len(group) == 1:
        return _describe_term(group[0])
    return "（" + " 或 ".join(_describe_term(t) for t in group) + "）"


def _clean(raw: str) -> str:
    """Drop characters that are invisible or unencodable, so they cannot split or poison terms."""
    out: list[str] = []
    for ch in raw:
        category = unicodedata.category(ch)
        if category in ("Cs", "Cf"):
            # Lone surrogates cannot be encoded for the index; format marks (RTL/LTR,
            # zero-width joiners, BOM) are invisible and would make words silently differ.
            continue
        if category == "Cc":
            if ch.isspace():
                out.append(" ")
            continue
        out.append(ch)
    return "".join(out).strip()


def _has_content(text: str) -> bool:
    # Terms made only of punctuation/symbols match nothing once analysed, so they are dropped.
    return any(ch.isalnum() for ch in text)


@dataclass
class _Token:
    kind: str  # "term", "or" or "not"
    term: Term | None = None
    negated: bool = False


def _match_field(s: str, i: int) -> tuple[str | None, int]:
    """Return (field, index after the colon) if a known field prefix starts at i."""
    for alias, name in _FIELD_ALIASES.items():
        end = i + len(alias)
        if end >= len(s) or s[end] not in _COLONS:
            continue
        candidate = s[i:end]
        # ASCII names are matched case-insensitively (readers type "Title:"); isascii()
        # guards against non-ASCII characters whose lower() happens to be ASCII.
        if candidate == alias or (candidate.isascii() and candidate.lower() == alias):
            return name, end + 1
    return None, i


class _Tokenizer:
    def __init__(self, text: str) -> None:
        self.s = text
        self.tokens: list[_Token] = []
        self.notices: list[str] = []
        self.dropped_punctuation = False

    def run(self) -> None:
        s, n, i = self.s, len(self.s), 0
        while i < n:
            if s[i].isspace():
                i += 1
                continue
            negated = False
            while i < n and s[i] in _MINUS:
                negated = True
                i += 1
            if negated and (i >= n or s[i].isspace()):
                # A lone "-" is a typo or a dash between words, not an exclusion.
                self.dropped_punctuation = True
                continue
            field_name, i = _match_field(s, i)
            if field_name is not None and (i >= n or s[i].isspace()):
                continue
            if s[i] in _QUOTE_PAIRS:
                i = self._read_phrase(i, negated, field_name)
            else:
                i = self._read_word(i, negated, field_name)

    def _read_phrase(self, i: int, negated: bool, field_name: str | None) -> int:
        closer = _QUOTE_PAIRS[self.s[i]]
        end = self.s.find(closer, i + 1)
        if end == -1:
            text = self.s[i + 1 :].strip()
            next_i = len(self.s)
            if text:
                self.notices.append(NOTICE_UNBALANCED_QUOTE)
        else:
            text = self.s[i + 1 : end].strip()
            next_i = end + 1
        if not text:
            # Empty quotes: nothing to search for.
            self.dropped_punctuation = True
        else:
            self._add_term(text, negated, field_name, phrase=True)
        return next_i

    def _read_word(self, i: int, negated: bool, field_name: str | None) -> int:
        s, n = self.s, len(self.s)
        end = i
        # A quote inside a run of characters starts a phrase: Chinese readers rarely put
        # spaces around quotes (他说“两学一做”), so 他说 and the phrase are separate terms.
        while end < n and not s[end].isspace() and s[end] not in _QUOTE_PAIRS:
            end += 1
        text = s[i:end]
        if not negated and field_name is None:
            if text in _OR_WORDS:
                self.tokens.append(_Token("or"))
                return end
            if text == "AND":
                return end  # AND is implied between terms anyway.
            if text == "NOT":
                self.tokens.append(_Token("not"))
                return end
        self._add_term(text, negated, field_name, phrase=False)
        return end

    def _add_term(self, text: str, negated: bool, field_name: str | None, phrase: bool) -> None:
        if not _has_content(text):
            self.dropped_punctuation = True
            return
        term = Term(text=text, phrase=phrase, field=field_name)
        self.tokens.append(_Token("term", term=term, negated=negated))


def _dedupe(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def parse_query(raw: str) -> ParsedQuery:
    """Parse a reader's query; raises QueryTooLong only, never anything else."""
    cleaned = _clean(raw)
    if len(cleaned) > MAX_QUERY_LENGTH:
        raise QueryTooLong()

    tokenizer = _Tokenizer(cleaned)
    tokenizer.run()
    notices = list(tokenizer.notices)

    groups: list[list[Term]] = []
    excluded: list[Term] = []
    count = 0
    pending_or = False  # an OR is waiting for the term that completes it
    pending_not = False  # a NOT is waiting for the term it excludes
    prev_required = False  # the last thing seen was a required term an OR can extend
    truncated = False

    for token in tokenizer.tokens:
        if token.kind == "or":
            if pending_or or pending_not or not prev_required:
                notices.append(NOTICE_STRAY_OR)
            else:
                pending_or = True
            continue
        if token.kind == "not":
            pending_not = True
            continue

        if token.term is None:
            continue
        if count >= MAX_TERMS:
            truncated = True
            break
        count += 1
        if token.negated or pending_not:
            excluded.append(token.term)
            if pending_or:
                # "a OR -b" has no sensible OR reading in an AND-of-ORs structure.
                notices.append(NOTICE_STRAY_OR)
            pending_or = pending_not = prev_required = False
        else:
            if pending_or:
                groups[-1].append(token.term)
            else:
                groups.append([token.term])
            pending_or = False
            prev_required = True

    if truncated:
        notices.append(NOTICE_TOO_MANY_TERMS)
    else:
        if pending_or:
            notices.append(NOTICE_STRAY_OR)
        if pending_not:
            notices.append(NOTICE_DANGLING_NOT)

    if not groups and not excluded and tokenizer.dropped_punctuation:
        notices.append(NOTICE_PUNCTUATION_ONLY)

    return ParsedQuery(
        raw=raw,
        required=tuple(tuple(group) for group in groups),
        excluded=tuple(excluded),
        notices=_dedupe(notices),
    )
