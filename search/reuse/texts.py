"""An article's searchable text as reuse reads it, with where each body paragraph lies in it."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property

from archive.models import Article
from archive.text import plain_line
from search.reuse.streams import Stream
from search.text import searchable_segments


@dataclass
class ArticleText:
    """`text`: the article's searchable segments joined by newlines (what span offsets
    count in). `segments`: (offset, segment, paragraph number on the article page or None
    for the title, author, abstract and other fields before the body)."""

    article: Article
    text: str
    segments: list[tuple[int, str, int | None]]

    @classmethod
    def of(cls, article: Article) -> ArticleText:
        segments = searchable_segments(article)
        # The body's segments come last, one per paragraph the article page numbers (#p1…),
        # but for a paragraph that is only a heading mark.
        numbers: list[int] = []
        paragraph = 0
        for line in article.body.split("\n"):
            if line.strip():
                paragraph += 1
                if plain_line(line).strip():
                    numbers.append(paragraph)
        header = len(segments) - len(numbers)
        placed, offset = [], 0
        for index, segment in enumerate(segments):
            number = numbers[index - header] if index >= header else None
            placed.append((offset, segment, number))
            offset += len(segment) + 1
        return cls(article=article, text="\n".join(segments), segments=placed)

    @cached_property
    def stream(self) -> Stream:
        return Stream.of(self.text)

    def paragraph_at(self, offset: int) -> int | None:
        """The page's paragraph number holding text offset `offset` (None: not the body)."""
        index = bisect_right([start for start, _, _ in self.segments], offset) - 1
        return self.segments[index][2] if index >= 0 else None
