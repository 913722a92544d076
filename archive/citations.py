"""How to cite an article: GB/T 7714-2015, BibTeX and RIS, as pure functions of its fields;
and lists of articles in those formats, CSV and the archive's JSON Lines (LIST_FORMATS).

Unknown fields are left out (with the punctuation that belongs to them), never
written as blanks or placeholders. `url` is the article's permanent address, used
for articles that have no publication to cite; `accessed` is the date of access
that GB/T 7714 asks for with online sources.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from archive.ingest.exchange import export_line
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


# --- Lists of articles ---------------------------------------------------------------------

# The columns of a CSV list: the names archive.ingest's table reader maps back to fields.
CSV_COLUMNS = ("id", "title", "author", "source", "year", "date", "issue", "url", "keywords")
# Keywords in one CSV cell; the table reader splits them there again.
CSV_KEYWORD_SEPARATOR = "; "


def date_text(article: Article) -> str:
    """The article's date as far as it is known, ISO style: "2020-06-15", "2020-06", "2020"."""
    if not article.year:
        return ""
    text = f"{article.year:04d}"
    if article.month:
        text += f"-{article.month:02d}"
        if article.day:
            text += f"-{article.day:02d}"
    return text


def csv_row(article: Article, *, url: str | None = None) -> list[str]:
    """The article's cells under CSV_COLUMNS; the issue as its number where one is stored
    (the reader makes "2020年第36期" of it and the year), else as printed."""
    return [
        str(article.pk or ""),
        _clean(article.title),
        _clean(article.author),
        _publication(article),
        str(article.year or ""),
        date_text(article),
        issue_number(article) or _clean(article.issue_label),
        url or "",
        CSV_KEYWORD_SEPARATOR.join(_keywords(article)),
    ]


# How a list is written: its articles (each with its address), the access date, and a note
# for the reader (e.g. that the list was cut short) where the format has room for one.
ListWriter = Callable[[Iterable[Article], Callable[[Article], str], date, str], Iterator[str]]


def _gbt7714_list(articles, url_of, accessed, note) -> Iterator[str]:
    for number, article in enumerate(articles, 1):
        yield f"[{number}] {gbt7714(article, url=url_of(article), accessed=accessed)}\n"
    if note:
        yield f"\n{_clean(note)}\n"


def _bibtex_list(articles, url_of, accessed, note) -> Iterator[str]:
    if note:
        yield f"@comment{{{bibtex_escape(note)}}}\n\n"
    for article in articles:
        # Keys are unique: each is made of the article's id.
        yield bibtex(article, url=url_of(article), accessed=accessed) + "\n"


def _ris_list(articles, url_of, accessed, note) -> Iterator[str]:
    # RIS has no comments: a cut-short list says so in the response's header only.
    for article in articles:
        yield ris(article, url=url_of(article), accessed=accessed) + "\r\n"


def _csv_list(articles, url_of, accessed, note) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # A byte order mark, so that Excel reads the file as UTF-8.
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    for article in articles:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(csv_row(article, url=url_of(article)))
        yield buffer.getvalue()


def _jsonl_list(articles, url_of, accessed, note) -> Iterator[str]:
    # The exchange format, which imports back without loss; it has no room for notes.
    for article in articles:
        yield export_line(article)


@dataclass(frozen=True)
class ListFormat:
    """A format for a list of articles: its name in URLs, label, file extension and type."""

    name: str
    label: str
    extension: str
    content_type: str
    write: ListWriter

    def lines(
        self,
        articles: Iterable[Article],
        *,
        url_of: Callable[[Article], str],
        accessed: date,
        note: str = "",
    ) -> Iterator[str]:
        """The list as text, in pieces (a record, a line) as they are written."""
        return self.write(articles, url_of, accessed, note)


LIST_FORMATS: dict[str, ListFormat] = {
    f.name: f
    for f in (
        ListFormat("gbt", _("GB/T 7714 参考文献（文本）"), "txt", "text/plain", _gbt7714_list),
        ListFormat("bibtex", _("BibTeX"), "bib", "application/x-bibtex", _bibtex_list),
        ListFormat(
            "ris",
            _("RIS（EndNote、Zotero、NoteExpress）"),
            "ris",
            "application/x-research-info-systems",
            _ris_list,
        ),
        ListFormat("csv", _("CSV（Excel）"), "csv", "text/csv", _csv_list),
        ListFormat(
            "jsonl",
            _("JSON Lines（可导入文萃）"),
            "jsonl",
            "application/x-ndjson",
            _jsonl_list,
        ),
    )
}
