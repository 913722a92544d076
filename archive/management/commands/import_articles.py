"""manage.py import_articles: import files, folders and .zip archives, a transaction per file."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.ingest import (
    FileReport,
    ImportOptions,
    ParsedArticle,
    import_items,
    iter_sources,
    supported_extensions,
)

TITLE_WIDTH = 40
AUTHOR_WIDTH = 16
PUBLICATION_WIDTH = 16
# With more files than this, one progress line every PROGRESS_SECONDS instead of a line
# per file (changes and failures are always reported).
MANY_FILES = 20
PROGRESS_SECONDS = 2.0
OUR_FIELDS = ("title", "subtitle", "body", "author", "publication", "date", "year", "month")
OUR_FIELDS += ("issue", "abstract", "keywords", "url")


def display_width(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def fit(text: str, width: int) -> str:
    """Cut to `width` columns (marking the cut with …) and pad, so that columns line up."""
    if display_width(text) > width:
        kept, used = [], 0
        for char in text:
            used += display_width(char)
            if used > width - 1:
                break
            kept.append(char)
        text = "".join(kept) + "…"
    return text + " " * (width - display_width(text))


def field_map(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        ours, sep, theirs = pair.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise CommandError(f"--map 应写成 字段=文件中的列名，如 body=content：{pair}")
        if ours.strip() not in OUR_FIELDS:
            raise CommandError(f"--map 的字段“{ours}”不存在；可用：{'、'.join(OUR_FIELDS)}")
        mapping[ours.strip()] = theirs.strip()
    return mapping


def date_text(article: ParsedArticle) -> str:
    parts = [str(article.year) if article.year else ""]
    if article.year and article.month:
        parts.append(f"{article.month:02d}")
        if article.day:
            parts.append(f"{article.day:02d}")
    return "-".join(parts)


class Command(BaseCommand):
    help = (
        "导入文章：文件、目录（递归读取）或 .zip 压缩包。每个文件默认是一篇文章，"
        "明显汇编了多篇的文本按汇编规则切分。每个文件一个事务，出错的文件不写入任何内容。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths",
            nargs="+",
            type=Path,
            metavar="PATH",
            help="要导入的文件、目录或 .zip 压缩包，可以有多个。可导入："
            + "、".join(supported_extensions()),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="只解析并逐个文件列出将导入的文章和舍弃的行（及原因），不写入数据库。",
        )
        parser.add_argument(
            "--publication",
            default="",
            help="这次导入的文章都来自这个刊物（文中没有写明来源的文章用它），"
            "如 --publication 人民日报。",
        )
        parser.add_argument(
            "--date-from-path",
            action="store_true",
            help="从文件或目录名中取日期（如 20191008-01-02.txt、2019/10/08/），"
            "用于文中没有完整日期的文章。",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=NAME",
            help="表格（CSV、JSON）的列名对应，如 --map body=content --map title=headline；"
            f"可用字段：{'、'.join(OUR_FIELDS)}。",
        )

    def handle(self, *args, paths: list[Path], verbosity: int, **options) -> None:
        import_options = ImportOptions(
            dry_run=options["dry_run"],
            publication=options["publication"].strip(),
            date_from_path=options["date_from_path"],
            field_map=field_map(options["map"]),
        )
        items = list(iter_sources(paths))
        many = len(items) > MANY_FILES and not import_options.dry_run and verbosity < 2
        totals = {
            "created": 0,
            "updated": 0,
            "unchanged": 0,
            "deleted": 0,
            "duplicates": 0,
            "cleaned": 0,
        }
        failures: list[FileReport] = []
        unchanged_files = 0
        started = last_progress = time.monotonic()
        reports = import_items(items, import_options, None if many else self._progress())
        for done, report in enumerate(reports, 1):
            if report.error:
                failures.append(report)
                if len(items) > 1:
                    self.stderr.write(report.error)
            elif report.skipped:
                if verbosity >= 1:
                    self.stdout.write(f"{report.label}: 跳过（{report.skipped}）")
                continue
            unchanged_files += report.file_unchanged
            for name in totals:
                totals[name] += len(getattr(report, name))
            if report.error:
                continue
            if import_options.dry_run:
                self._print_dry_run(report)
            if not many:
                self.stdout.write(summary(report, dry_run=import_options.dry_run))
            if verbosity >= 1:
                self._print_titles(report, verbosity)
            now = time.monotonic()
            if (
                many
                and verbosity >= 1
                and (now - last_progress >= PROGRESS_SECONDS or done == len(items))
            ):
                last_progress = now
                rate = done / max(now - started, 1e-9)
                self.stdout.write(
                    f"已处理 {done}/{len(items)} 个文件，新增 {totals['created']} 篇，"
                    f"更新 {totals['updated']} 篇，每秒 {rate:.0f} 个文件"
                )
        if len(items) > 1:
            suffix = "（试运行，未写入）" if import_options.dry_run else ""
            self.stdout.write(
                f"共 {len(items)} 个文件（未改变 {unchanged_files} 个，失败 {len(failures)} 个）："
                f"新增 {totals['created']} 篇，更新 {totals['updated']} 篇，"
                f"未变 {totals['unchanged']} 篇，删除 {totals['deleted']} 篇，"
                f"重复 {totals['duplicates']} 篇{cleaned_note(totals['cleaned'])}，"
                f"用时 {time.monotonic() - started:.1f} 秒{suffix}"
            )
        if failures:
            if len(items) == 1:
                raise CommandError(failures[0].error)
            failed = "、".join(report.label for report in failures)
            raise CommandError(f"{len(failures)} 个文件（共 {len(items)} 个）导入失败：{failed}")

    def _progress(self):
        return lambda message: self.stdout.write(f"  {message}")

    def _print_titles(self, report: FileReport, verbosity: int) -> None:
        # Deletions and skipped duplicates are worth a look; the rest only when asked (-v 2).
        groups = [("删除", report.deleted), ("重复，未导入", report.duplicates)]
        if verbosity >= 2:
            groups = [("新增", report.created), ("更新", report.updated), *groups]
        for label, titles in groups:
            for title in titles:
                self.stdout.write(f"  {label}：{title}")

    def _print_dry_run(self, report: FileReport) -> None:
        if report.file_unchanged or not report.articles and not report.dropped:
            return
        self.stdout.write(f"== {report.label}（{report.format_label}）")
        self.stdout.write(
            f"{fit('标题', TITLE_WIDTH)}  {fit('作者', AUTHOR_WIDTH)}  "
            f"{fit('刊物', PUBLICATION_WIDTH)}  {fit('日期', 10)}  段落"
        )
        for article in report.articles:
            self.stdout.write(
                f"{fit(article.title, TITLE_WIDTH)}  {fit(article.author, AUTHOR_WIDTH)}  "
                f"{fit(article.publication, PUBLICATION_WIDTH)}  {fit(date_text(article), 10)}  "
                f"{len(article.paragraphs):>4}"
            )
            for line in article.subtitle.split("\n") if article.subtitle else []:
                self.stdout.write(f"  副标题：{line}")
            if article.is_record:
                self.stdout.write("  （题录，无全文）")
        for note in report.notes:
            self.stdout.write(f"注：{note}")
        if report.dropped:
            self.stdout.write(f"舍弃的行（{len(report.dropped)}）：")
            for line in report.dropped:
                self.stdout.write(f"  第 {line.number} 行 [{line.reason}] {line.text}")


def summary(report: FileReport, *, dry_run: bool) -> str:
    suffix = "（试运行，未写入）" if dry_run else ""
    if report.file_unchanged:
        return f"{report.label}: 文件未改变，跳过{suffix}"
    return (
        f"{report.label}: 新增 {len(report.created)} 篇，更新 {len(report.updated)} 篇，"
        f"未变 {len(report.unchanged)} 篇，删除 {len(report.deleted)} 篇，"
        f"重复 {len(report.duplicates)} 篇{cleaned_note(len(report.cleaned))}{suffix}"
    )


def cleaned_note(lines: int) -> str:
    """What the summary says of characters no database can store, when a file had some."""
    return f"，{lines} 行清除了数据库无法保存的字符（见舍弃的行）" if lines else ""
