"""How to cite an article: GB/T 7714-2015, BibTeX and RIS, as pure functions of its fields.

Unknown fields are left out (with the punctuation that belongs to them), never
written as blanks or placeholders. `url` is the article's permanent address, used
for articles that have no publication to cite; `accessed` is the date of access
that GB/T 7714 asks for with online sources.
"""

from __future__ import annotations

import re
from datetime import date

from archive.models import Article

# Authors as printed: "张三，李四" or "张三、李四" or "张三; 李四".
_AUTHOR_SEPARATORS = re.compile(r"\s*[,，、;；/]\s*")
# Control characters make BibTeX and RIS files unreadable; line breaks would end an RIS field.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
# GB/T 7714 lists at most three authors, then "等".
MAX_GBT_AUTHORS = 3


def _clean(text: str | None) -> str:
    """One line of text: control characters and line breaks become single spaces."""
    return " ".join(_CONTROL.sub(" ", text or "").split())


def authors(article: Article) -> list[str]:
    """The article's authors, split where the byline separates names."""
    return [name for name in _AUTHOR_SEPARATORS.split(_clean(article.author)) if name]


def issue_number(article: Article) -> str:
    """The article's issue number as cited ("36"), stored when it was imported; "" without one."""
    return "" if article.issue_number is None else str(article.issue_number)


def _publication(article: Article) -> str:
    publication = article.publication
    return _clean(publication.name) if publication is not None else ""


def _keywords(article: Article) -> list[str]:
    if article.pk is None:  # an unsaved article has no keywords yet
        return []
    return [name for name in (_clean(name) for name in article.keyword_names) if name]


def _with_stop(text: str) -> str:
    """text ending in one full stop (a title may already end with ? or !)."""
    return text if text.endswith((".", "?", "!", "。", "？", "！")) else f"{text}."


def gbt7714(article: Article, *, url: str | None = None, accessed: date | None = None) -> str:
    """The reference in GB/T 7714-2015 style, e.g.
    "杨姿姮. 浅议怎样发挥基层党组织的战斗堡垒作用[J]. 商情, 2020(36)."

    An article without a publication is cited as an online source ([EB/OL]) when
    its address is given, else as a document of unspecified type ([Z]).
    """
    names = authors(article)
    if len(names) > MAX_GBT_AUTHORS:
        names = [*names[:MAX_GBT_AUTHORS], "等"]
    parts = [f"{', '.join(names)}."] if names else []
    title = _clean(article.title).rstrip(".。")
    publication = _publication(article)
    issue = issue_number(article)
    year = str(article.year) if article.year else ""

    if publication:
        parts.append(f"{title}[J].")
        tail = publication
        if year or issue:
            tail += ", " + year + (f"({issue})" if issue else "")
        parts.append(_with_stop(tail))
    elif url:
        parts.append(f"{title}[EB/OL].")
        published = f"{year}-{article.month:02d}" if year and article.month else year
        when = f"({published})" if published else ""
        when += f"[{accessed.isoformat()}]" if accessed else ""
        if when:
            parts.append(f"{when}.")
        parts.append(f"{url}.")
    else:
        parts.append(f"{title}[Z].")
        if year:
            parts.append(f"{year}.")
    return " ".join(parts)


def bibtex_escape(text: str) -> str:
    """text safe inside a braced BibTeX field: LaTeX's special characters escaped."""
    replacements = {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "$": r"\$",
        "&": r"\&",
        "%": r"\%",
        "#": r"\#",
        "_": r"\_",
        "^": r"\^{}",
        "~": r"\~{}",
    }
    return "".join(replacements.get(char, char) for char in _clean(text))


def citation_key(article: Article) -> str:
    return f"wencui{article.pk}" if article.pk else "wencui"


def bibtex(article: Article, *, url: str | None = None, accessed: date | None = None) -> str:
    """A BibTeX entry: @article with a publication, else @misc."""
    fields: list[tuple[str, str]] = [("title", bibtex_escape(article.title))]
    names = authors(article)
    if names:
        # Braces around each name: collective authors and Chinese names are not split
        # into first and last names.
        fields.append(("author", " and ".join(f"{{{bibtex_escape(name)}}}" for name in names)))
    publication = _publication(article)
    if publication:
        fields.append(("journal", bibtex_escape(publication)))
    if article.year:
        fields.append(("year", str(article.year)))
    if article.month and 1 <= article.month <= 12:
        fields.append(("month", str(article.month)))
    issue = issue_number(article)
    if issue:
        fields.append(("number", bibtex_escape(issue)))
    keywords = _keywords(article)
    if keywords:
        fields.append(("keywords", bibtex_escape(", ".join(keywords))))
    if article.abstract:
        fields.append(("abstract", bibtex_escape(article.abstract)))
    if url:
        fields.append(("url", bibtex_escape(url)))
        if accessed:
            fields.append(("urldate", accessed.isoformat()))
    fields.append(("langid", "chinese"))
    kind = "article" if publication else "misc"
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{citation_key(article)},\n{body}\n}}\n"


def ris(article: Article, *, url: str | None = None, accessed: date | None = None) -> str:
    """An RIS record (CRLF line ends, as the format asks): JOUR with a publication, else ELEC."""
    publication = _publication(article)
    lines = [("TY", "JOUR" if publication else "ELEC"), ("TI", _clean(article.title))]
    lines += [("AU", name) for name in authors(article)]
    if publication:
        lines.append(("T2", publication))
    if article.year:
        lines.append(("PY", str(article.year)))
        if article.month and 1 <= article.month <= 12:
            lines.append(("DA", f"{article.year}/{article.month:02d}"))
    issue = issue_number(article)
    if issue:
        lines.append(("IS", issue))
    lines += [("KW", name) for name in _keywords(article)]
    if article.abstract:
        lines.append(("AB", _clean(article.abstract)))
    if url:
        lines.append(("UR", url))
        if accessed:
            lines.append(("Y2", accessed.strftime("%Y/%m/%d")))
    lines += [("LA", "zh"), ("DB", "文萃"), ("ER", "")]
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)
