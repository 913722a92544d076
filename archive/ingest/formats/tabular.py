"""Tables of articles: JSON (an array, an object, an object holding a list, JSON Lines) and CSV/TSV.

Each record is one article, its fields named however the file names them: the obvious
names (English and Chinese) are recognised, and `ParseOptions.field_map` says which field
holds what when they are not. The body's line breaks become paragraphs by the rules of
`archive.ingest.paragraphs`.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from archive.ingest.base import (
    REASON_EMPTY_RECORD,
    REASON_NOT_OBJECT,
    DroppedLine,
    ImportFailed,
    ParsedArticle,
    ParseOptions,
    ParseResult,
    PartialDate,
)
from archive.ingest.metadata import split_keywords
from archive.ingest.paragraphs import join_lines, split_paragraphs
from archive.ingest.sniffing import fail, iter_lines, read_text, sniff_encoding
from archive.ingest.sources import SourceFile
from archive.text import SENTENCE_END, collapse_space, strip_space

# --- Field names ---------------------------------------------------------------------------

# Our fields, in the order messages list them, with the names files give them (compared
# after _normal_name: case, spaces, "_" and "-" do not count). The first name found wins.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "标题", "题名", "篇名", "题目", "文章标题", "name"),
    "subtitle": ("subtitle", "副标题", "副题"),
    "body": ("content", "body", "text", "正文", "全文", "内容", "文章内容", "article"),
    "author": ("author", "authors", "作者", "责任者"),
    "publication": (
        "publication",
        "source",
        "journal",
        "来源",
        "刊物",
        "刊名",
        "报纸",
        "出处",
        "media",
    ),
    "date": (
        "date",
        "日期",
        "发布时间",
        "发表时间",
        "发布日期",
        "发表日期",
        "publishdate",
        "pubdate",
        "time",
    ),
    "year": ("year", "年份", "年"),
    "month": ("month", "月份", "月"),
    "issue": ("issue", "期号", "期"),
    "abstract": ("abstract", "摘要"),
    "keywords": ("keywords", "关键词", "关键字", "tags"),
    "url": ("url", "link", "链接", "网址", "href"),
}
_NAME_NOISE = re.compile(r"[\s_\-\ufeff]+")

# --- Values --------------------------------------------------------------------------------

_FIRST_SENTENCE = re.compile(f"[^{re.escape(SENTENCE_END)}]+[！？!?]*")
_TITLE_TRIM = " ，,、：:；;"
# A field's own label written into its value: "作者：张三", "来源：晨报".
_LABEL = re.compile(r"^(?:作\s*者|来\s*源|出\s*处)\s*[:：]\s*")
_URL = re.compile(r"^https?://\S+$")
UNTITLED_TITLE_CHARS = 40
MIN_YEAR, MAX_YEAR = 1000, 2100
# Chinese archives date by Beijing time; a Unix timestamp is read in it.
_CHINA_TIME = timezone(timedelta(hours=8))
_DATE = re.compile(
    r"(?<!\d)(?P<year>\d{4})\s*(?:年|[-/.／])\s*(?P<month>\d{1,2})"
    r"(?:\s*(?:月|[-/.／])\s*(?P<day>\d{1,2})(?!\d))?"
)
_COMPACT_DATE = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_ISSUE_NUMBER = re.compile(r"^第?\s*(\d{1,4})\s*期?$")

# --- Formats -------------------------------------------------------------------------------

# JSON starts with an object and a key, or an array of such objects; "{编者按}" does not.
_JSON_START = re.compile(r'\s*(?:\{\s*["}]|\[\s*(?:\{\s*["}]|\]))')
_CSV_DELIMITERS = (",", "\t", ";")
# Bodies of whole articles are longer than the csv module allows by default (128 K).
MAX_CELL_CHARS = 64 * 1024 * 1024
_JSON_ERRORS = {
    "Expecting value": "缺少值或有多余的逗号",
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting property name enclosed in double quotes": "键名须用双引号括起，或有多余的逗号",
    "Unterminated string starting at": "字符串没有结束的引号",
    "Invalid control character at": "字符串中有未转义的控制字符（如换行）",
    "Invalid \\escape": "无效的转义符",
    "Extra data": "一个 JSON 值之后还有内容",
}


def _normal_name(name: str) -> str:
    return _NAME_NOISE.sub("", name).lower()


_ALIASES = {
    field: tuple(_normal_name(name) for name in names) for field, names in FIELD_NAMES.items()
}


class FieldPlan:
    """Which of a file's keys each of our fields is read from, in order of preference."""

    def __init__(self, keys: Iterable[str], field_map: dict[str, str]) -> None:
        keys = list(dict.fromkeys(keys))
        self.columns: dict[str, list[str]] = {}
        self.missing: dict[str, str] = {}  # our field -> the mapped key the file lacks
        mapped_keys = set()
        for ours, theirs in field_map.items():
            key = _find_key(keys, theirs)
            if key is None:
                self.missing[ours] = theirs
            else:
                self.columns[ours] = [key]
                mapped_keys.add(key)
        by_name: dict[str, list[str]] = {}
        for key in keys:
            if key not in mapped_keys:
                by_name.setdefault(_normal_name(key), []).append(key)
        for ours, aliases in _ALIASES.items():
            if ours in field_map:
                continue
            self.columns[ours] = [key for alias in aliases for key in by_name.get(alias, [])]

    def reads_articles(self) -> bool:
        """Whether the keys include a title or a body, or the user said where they are."""
        return bool(self.columns.get("title") or self.columns.get("body"))

    def values(self, record: dict[str, Any]) -> dict[str, Any]:
        """Our field -> the first non-empty value among its keys."""
        values: dict[str, Any] = {}
        for ours, keys in self.columns.items():
            for key in keys:
                value = record.get(key)
                if value is not None and value != "" and value != []:
                    values[ours] = value
                    break
        return values


def _find_key(keys: list[str], wanted: str) -> str | None:
    if wanted in keys:
        return wanted
    normal = _normal_name(wanted)
    return next((key for key in keys if _normal_name(key) == normal), None)


def _listing(names: Iterable[str]) -> str:
    return "、".join(names) or "（无）"


def check_field_map(source: SourceFile, field_map: dict[str, str], keys: list[str]) -> None:
    """ImportFailed for a field map that names a field of ours that does not exist."""
    unknown = [ours for ours in field_map if ours not in FIELD_NAMES]
    if unknown:
        raise fail(
            source,
            f"字段对应（--map）中的“{unknown[0]}”不是可用的字段名（可用：{_listing(FIELD_NAMES)}）；"
            f"文件中的字段：{_listing(keys)}",
        )


def _fail_missing(source: SourceFile, missing: dict[str, str], keys: list[str], kind: str) -> None:
    ours, theirs = next(iter(missing.items()))
    raise fail(
        source,
        f"字段对应（--map）{ours}={theirs}：文件中没有“{theirs}”这一{kind}；"
        f"文件中的{kind}：{_listing(keys)}",
    )


def _fail_no_fields(source: SourceFile, keys: list[str], kind: str) -> ImportFailed:
    return fail(
        source,
        f"找不到标题或正文{kind}（文件中的{kind}：{_listing(keys)}）；"
        "请用字段对应指明，如 --map title=题目 --map body=文本",
    )


# --- Values of a record --------------------------------------------------------------------


def as_text(value: Any, joiner: str = " ") -> str:
    """A value of any JSON type as text: numbers written out, lists joined."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return joiner.join(part for part in (as_text(item, joiner) for item in value) if part)
    return json.dumps(value, ensure_ascii=False)


def _one_line(value: Any, joiner: str = " ") -> str:
    # A title broken over lines ("政府工作报\n告") is joined as a paragraph's lines are.
    lines = [strip_space(line) for line in as_text(value, joiner).splitlines()]
    return collapse_space(join_lines([line for line in lines if line]))


def _keywords(value: Any) -> list[str]:
    if isinstance(value, list):
        parts = [_one_line(item) for item in value]
    else:
        parts = split_keywords(as_text(value))
    return list(dict.fromkeys(part for part in parts if part))


def _valid(year: int, month: int | None = None, day: int | None = None) -> PartialDate | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    if month is None or not 1 <= month <= 12:
        return PartialDate(year=year)
    if day is None:
        return PartialDate(year=year, month=month)
    try:
        date(year, month, day)
    except ValueError:
        return PartialDate(year=year, month=month)
    return PartialDate(year=year, month=month, day=day)


def _from_timestamp(seconds: float) -> PartialDate | None:
    try:
        moment = datetime.fromtimestamp(seconds, _CHINA_TIME)
    except (OverflowError, OSError, ValueError):
        return None
    return _valid(moment.year, moment.month, moment.day)


def _date_of(match: re.Match[str]) -> PartialDate | None:
    day = match.group("day")
    return _valid(int(match.group("year")), int(match.group("month")), int(day) if day else None)


def parse_date(value: Any) -> PartialDate | None:
    """A date field's value: "2024-06-03", "2024年6月3日", "2024/6/3", "2024.06.03",
    "20240603", an ISO date and time, a year alone, or a Unix timestamp (number)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        value = str(int(value))
    text = strip_space(as_text(value))
    if not text:
        return None
    if text.isdigit():
        # 20240603 (and with the time of day after it), else a Unix timestamp in seconds
        # or milliseconds, else a year.
        compact = _COMPACT_DATE.match(text) if len(text) in (8, 12, 14) else None
        if compact:
            found = _date_of(compact)
            if found and found.day:
                return found
        if 9 <= len(text) <= 13:
            number = int(text)
            return _from_timestamp(number / 1000 if number >= 10**12 else number)
    match = _DATE.search(text)
    if match:
        return _date_of(match)
    year = _YEAR.search(text)
    return _valid(int(year.group(1))) if year else None


def _year(value: Any) -> int | None:
    found = parse_date(value)
    return found.year if found else None


def _month(value: Any) -> int | None:
    match = re.search(r"\d{1,2}", as_text(value))
    if match and 1 <= int(match.group()) <= 12:
        return int(match.group())
    return None


def _derived_title(paragraphs: list[str]) -> str:
    """The first sentence of the body, as far as a title goes (the body keeps it)."""
    first = paragraphs[0]
    match = _FIRST_SENTENCE.match(first)
    sentence = match.group() if match else first
    return sentence.strip(_TITLE_TRIM)[:UNTITLED_TITLE_CHARS]


def build_article(values: dict[str, Any], number: int, raw: str) -> ParsedArticle | DroppedLine:
    """The article of one record, from its values by our field names."""
    paragraphs = split_paragraphs(as_text(values.get("body"), "\n\n"))
    title = _one_line(values.get("title"))
    if not title:
        if not paragraphs:
            return DroppedLine(number, raw, REASON_EMPTY_RECORD)
        title = _derived_title(paragraphs)
    url = strip_space(as_text(values.get("url")))
    publication = _LABEL.sub("", _one_line(values.get("publication")))
    if _URL.match(publication):
        # A "source" field holding the address of the page, not the name of a paper.
        url, publication = url or publication, ""
    article = ParsedArticle(
        title=title,
        subtitle=_one_line(values.get("subtitle")),
        author=_LABEL.sub("", _one_line(values.get("author"), "、")),
        publication=publication,
        abstract="\n".join(split_paragraphs(as_text(values.get("abstract"), "\n\n"))),
        keywords=_keywords(values.get("keywords") or []),
        paragraphs=paragraphs,
        url=url,
        is_record=not paragraphs,
        source_lines=[(number, raw)],
    )
    found = parse_date(values.get("date"))
    if found:
        article.year, article.month, article.day = found.year, found.month, found.day
    if article.year is None and "year" in values:
        article.year = _year(values["year"])
    if article.month is None and "month" in values and article.year is not None:
        article.month = _month(values["month"])
    issue = _one_line(values.get("issue"))
    if issue:
        match = _ISSUE_NUMBER.match(issue)
        if match:
            article.issue_number = int(match.group(1))
        if match and article.year is not None:
            article.issue_label = f"{article.year}年第{article.issue_number}期"
        else:
            article.issue_label = issue
    return article


# --- JSON ----------------------------------------------------------------------------------


def _head_text(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="ignore")
    return head.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="ignore")


def _json_error(
    source: SourceFile, error: json.JSONDecodeError, line: int | None = None
) -> ImportFailed:
    """The decoder's complaint in Chinese, at its line (the file's, for a line of JSON Lines)."""
    reason = next(
        (text for key, text in _JSON_ERRORS.items() if error.msg.startswith(key)), error.msg
    )
    where = f"第 {line or error.lineno} 行第 {error.colno} 列"
    return fail(source, f"不是有效的 JSON：{where}：{reason}")


@dataclass
class _Record:
    number: int  # line in JSON Lines, position in the list for a JSON document
    value: Any
    raw: str


def _is_json_lines(source: SourceFile, encoding: Any) -> bool:
    """Whether the file holds one object per line: its first line is a whole object, and
    another line follows (one line alone is read as a JSON document, which it also is)."""
    seen = 0
    for line in iter_lines(source, encoding):
        if not line.strip():
            continue
        if seen:
            return True
        try:
            first = json.loads(line)
        except json.JSONDecodeError:
            return False
        if not isinstance(first, dict):
            return False
        seen = 1
    return False


def _iter_json_lines(source: SourceFile, encoding: Any, result: ParseResult) -> Iterator[_Record]:
    number = 0
    for number, line in enumerate(iter_lines(source, encoding), start=1):  # noqa: B007
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise _json_error(source, error, number) from None
        yield _Record(number, value, line)
    result.line_count = number


def _holds_records(value: dict[str, Any], field_map: dict[str, str]) -> bool:
    return FieldPlan(value.keys(), field_map).reads_articles()


def _record_list(value: dict[str, Any]) -> list[Any] | None:
    """The first list of objects in an object, at its top level or one level down."""
    for level in (value, *(item for item in value.values() if isinstance(item, dict))):
        for item in level.values():
            if isinstance(item, list) and any(isinstance(element, dict) for element in item):
                return item
    return None


def _iter_json_document(
    source: SourceFile, options: ParseOptions, result: ParseResult
) -> Iterator[_Record]:
    text = read_text(source)
    result.line_count = text.count("\n") + 1
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise _json_error(source, error) from None
    if isinstance(document, dict) and not _holds_records(document, options.field_map):
        document = _record_list(document) or document
    if isinstance(document, dict):
        document = [document]
    if not isinstance(document, list):
        raise fail(source, "JSON 文件中没有记录（应为对象、对象的数组或 JSON Lines）")
    for index, value in enumerate(document, start=1):
        yield _Record(index, value, json.dumps(value, ensure_ascii=False))


def _parse_records(
    source: SourceFile, options: ParseOptions, records: Iterable[_Record], result: ParseResult
) -> ParseResult:
    plans: dict[tuple[str, ...], FieldPlan] = {}
    keys_seen: dict[str, None] = {}
    reads_articles = False
    checked = False
    for record in records:
        if not isinstance(record.value, dict):
            result.dropped.append(DroppedLine(record.number, record.raw, REASON_NOT_OBJECT))
            continue
        keys = tuple(record.value)
        keys_seen.update(dict.fromkeys(keys))
        if not checked:
            check_field_map(source, options.field_map, list(keys))
            checked = True
        plan = plans.get(keys)
        if plan is None:
            plan = plans[keys] = FieldPlan(keys, options.field_map)
        reads_articles = reads_articles or plan.reads_articles()
        built = build_article(plan.values(record.value), record.number, record.raw)
        if isinstance(built, DroppedLine):
            result.dropped.append(built)
        else:
            result.articles.append(built)
    seen = list(keys_seen)
    missing = FieldPlan(seen, options.field_map).missing
    if missing:
        _fail_missing(source, missing, seen, "字段")
    if keys_seen and not reads_articles:
        raise _fail_no_fields(source, seen, "字段")
    if not keys_seen:
        what = "的记录都不是对象（键值对）" if result.dropped else "中没有记录"
        raise fail(source, f"JSON 文件{what}，不是文章的表格")
    return result


class JsonParser:
    """JSON documents and JSON Lines of articles under any field names."""

    format = "json"
    label = "JSON"
    extensions = frozenset({".json", ".jsonl", ".ndjson"})
    by_content = True

    def accepts(self, head: bytes) -> bool:
        return _JSON_START.match(_head_text(head)) is not None

    def parse(self, source: SourceFile, options: ParseOptions) -> ParseResult:
        encoding = sniff_encoding(source)
        result = ParseResult(articles=[])
        if _is_json_lines(source, encoding):
            # Streamed: a collection of JSON Lines may be larger than memory allows at once.
            records = _iter_json_lines(source, encoding, result)
        else:
            records = _iter_json_document(source, options, result)
        return _parse_records(source, options, records, result)


# --- CSV -----------------------------------------------------------------------------------


def _count_outside_quotes(line: str, char: str) -> int:
    return sum(part.count(char) for part in line.split('"')[::2])


def sniff_delimiter(header: str, suffix: str) -> str:
    """The delimiter of the header line: the most frequent of comma, tab and semicolon."""
    counts = {char: _count_outside_quotes(header, char) for char in _CSV_DELIMITERS}
    if suffix == ".tsv" and counts["\t"]:
        return "\t"
    best = max(_CSV_DELIMITERS, key=lambda char: counts[char])
    return best if counts[best] else ","


class CsvParser:
    """CSV and TSV tables with a header row, as Excel and databases save them."""

    format = "csv"
    label = "CSV"
    extensions = frozenset({".csv", ".tsv"})
    by_content = False

    def accepts(self, head: bytes) -> bool:
        return True

    def parse(self, source: SourceFile, options: ParseOptions) -> ParseResult:
        encoding = sniff_encoding(source)
        lines = iter_lines(source, encoding)
        result = ParseResult(articles=[])
        read = 0
        header_line = ""
        for header_line in lines:
            read += 1
            if header_line.strip():
                break
        if not header_line.strip():
            raise fail(source, "文件是空的")
        delimiter = sniff_delimiter(header_line, source.suffix)
        # The lines of the row being read, for its source text: the csv reader asks for the
        # lines of one row at a time, a cell with line breaks spanning several.
        pending: list[str] = []

        def feed() -> Iterator[str]:
            nonlocal read
            for line in lines:
                read += 1
                pending.append(line)
                yield line + "\n"

        csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL_CHARS))
        header = next(csv.reader([header_line], delimiter=delimiter))
        columns = [strip_space(name) for name in header]
        named = [name for name in columns if name]
        check_field_map(source, options.field_map, named)
        plan = FieldPlan(named, options.field_map)
        if plan.missing:
            _fail_missing(source, plan.missing, named, "列")
        if not plan.reads_articles():
            raise _fail_no_fields(source, named, "列")
        reader = csv.reader(feed(), delimiter=delimiter)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                raise fail(source, f"第 {read} 行不是有效的 CSV（{error}）") from None
            number = read - len(pending) + 1
            raw = "\n".join(pending)
            pending.clear()
            if not any(cell.strip() for cell in row):
                if raw.strip():  # a row of empty cells; blank lines are nothing
                    result.dropped.append(DroppedLine(number, raw, REASON_EMPTY_RECORD))
                continue
            record: dict[str, str] = {}
            for name, cell in zip(columns, row, strict=False):
                if name:
                    record.setdefault(name, cell)
            built = build_article(plan.values(record), number, raw)
            if isinstance(built, DroppedLine):
                result.dropped.append(built)
            else:
                result.articles.append(built)
        result.line_count = read
        return result
