"""Whoosh analyzers for Chinese: jieba words for ranking, character grams for exact phrases.

Both fold their input first (search.folding), so 組織 in an article and 组织 in a query meet.
They are module-level classes because Whoosh pickles analyzers into the index schema.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Token, Tokenizer

from archive.text import jieba_module
from search.folding import fold

# Segment separator inside one indexed value: no gram crosses it, so a phrase never
# straddles the title and the body, or two paragraphs.
SEGMENT_BREAK = "\n"


class _ArchiveTokenizer(Tokenizer):
    """Shared Whoosh plumbing: subclasses yield (text, position, start, end) from folded text.

    tokenize=False (Whoosh's call for terms it builds itself, e.g. the match-all
    query) yields the value untouched, which jieba's own analyzer fails to do.
    """

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))

    def terms(self, folded: str) -> Iterator[tuple[str, int, int, int]]:
        raise NotImplementedError

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pieces = self.terms(fold(value)) if tokenize else [(value, 0, 0, len(value))]
        for text, position, start, end in pieces:
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


class ChineseWordTokenizer(_ArchiveTokenizer):
    """jieba's search-mode words with ordinal positions, punctuation dropped.

    jieba's own Whoosh analyzer sets positions to character offsets, which breaks
    Whoosh's phrase matching; this one counts words.
    """

    def terms(self, folded: str) -> Iterator[tuple[str, int, int, int]]:
        position = 0
        for word, start, end in jieba_module().tokenize(folded, mode="search"):
            if any(c.isalnum() for c in word):
                yield word, position, start, end
                position += 1


class CharGramTokenizer(_ArchiveTokenizer):
    """Every run of 1 to 4 folded characters (as `sizes` says), at the index of its first one.

    A phrase as long as one of the sizes is then one term, found without positions; a
    longer phrase is found where grams of the largest size that cover it sit at the
    phrase's offsets. Either way it matches exactly where the folded text
    contains the folded phrase: no word segmentation is involved. Punctuation and
    spaces are kept, so "战斗堡垒 作用" is as exact as "战斗堡垒"; only SEGMENT_BREAK
    separates.

    With `pad_end`, the last gram of a segment that is one character short of the
    largest size is kept too, ended by SEGMENT_BREAK (which no query contains): every
    run of one character less than the largest size is then the start of some gram,
    so a prefix lookup finds it (see phrases.exact_docs).
    """

    def __init__(self, sizes: tuple[int, ...] = (1, 2, 3, 4), pad_end: bool = False) -> None:
        self.sizes = tuple(sorted(sizes))
        self.pad_end = pad_end

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and self.sizes == other.sizes
            and self.pad_end == other.pad_end
        )

    def __hash__(self) -> int:
        return hash((type(self), self.sizes, self.pad_end))

    def __setstate__(self, state: dict) -> None:
        # Schemas pickled before pad_end existed.
        self.__dict__.update({"pad_end": False, **state})

    def terms(self, folded: str) -> Iterator[tuple[str, int, int, int]]:
        length = len(folded)
        largest = self.sizes[-1]
        for index, char in enumerate(folded):
            if char == SEGMENT_BREAK:
                continue
            for size in self.sizes:
                end = index + size
                gram = folded[index:end]
                if end > length or SEGMENT_BREAK in gram:
                    short = gram.split(SEGMENT_BREAK, 1)[0]
                    if self.pad_end and size == largest and len(short) == largest - 1:
                        yield short + SEGMENT_BREAK, index, index, index + len(short)
                    break
                if size == 1 and char.isspace():
                    continue
                yield gram, index, index, end


MAX_GRAM = 4
# The grams of the body looked up without positions; longer phrases use MAX_GRAM grams.
SHORT_GRAM_SIZES = (1, 2)
