"""What of an article is searched: the segments every engine indexes and every oracle checks."""

from __future__ import annotations

from collections.abc import Iterable

from archive.text import plain_line


def text_segments(
    *,
    title: str,
    subtitle: str = "",
    author: str = "",
    publication: str = "",
    abstract: str = "",
    keywords: Iterable[str] = (),
    body: str = "",
) -> list[str]:
    """An article's searchable text, one segment per line of its fields: the title, the
    subtitle's lines, the author, the publication, the abstract, each keyword and each body
    paragraph (a section heading without its mark). Blank lines make no segment; a phrase
    never straddles two segments."""
    lines: list[str] = []
    for value in (title, subtitle, author, publication, abstract, *keywords):
        lines.extend(value.split("\n"))
    lines.extend(plain_line(line) for line in body.split("\n"))
    return [line for line in lines if line.strip()]


def searchable_segments(article) -> list[str]:
    """text_segments() of a stored article (with its publication and keywords)."""
    return text_segments(
        title=article.title,
        subtitle=article.subtitle,
        author=article.author,
        publication=article.publication.name if article.publication_id else "",
        abstract=article.abstract,
        keywords=article.keyword_names,
        body=article.body,
    )
