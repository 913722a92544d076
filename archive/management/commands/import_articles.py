"""manage.py import_articles: import raw-text or JSON Lines files, each in its own transaction."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.importing import ImportFailed, ImportReport, import_path

TITLE_WIDTH = 40
AUTHOR_WIDTH = 16
PUBLICATION_WIDTH = 16


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


class Command(BaseCommand):
    help = (
        "导入文章：原始文本（由解析器切分成文章）或 export_articles 导出的 JSON Lines。"
        "每个文件一个事务，出错的文件不写入任何内容。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths",
            nargs="+",
            type=Path,
            metavar="PATH",
            help="要导入的文件（UTF-8 或 GB18030 编码的原始文本，或 JSON Lines），可以有多个。",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="只解析并列出将导入的文章和舍弃的行，不写入数据库。",
        )

    def handle(self, *args, paths: list[Path], dry_run: bool, verbosity: int, **options) -> None:
        failures: list[str] = []
        for path in paths:
            try:
                report = import_path(
                    path=path,
                    dry_run=dry_run,
                    progress=self._progress(path) if verbosity >= 1 else None,
                )
            except ImportFailed as error:
                if len(paths) == 1:
                    raise CommandError(str(error)) from None
                # Keep going: every file is its own transaction, earlier ones stay imported.
                self.stderr.write(str(error))
                failures.append(str(path))
                continue
            if dry_run:
                self._print_dry_run(report)
            self.stdout.write(summary(path, report, dry_run=dry_run))
            if verbosity >= 1:
                self._print_titles(report, verbosity)
        if failures:
            failed = "、".join(failures)
            raise CommandError(f"{len(failures)} 个文件（共 {len(paths)} 个）导入失败：{failed}")

    def _progress(self, path: Path):
        return lambda message: self.stdout.write(f"{path}: {message}")

    def _print_titles(self, report: ImportReport, verbosity: int) -> None:
        # Deletions and skipped duplicates are worth a look; the rest only when asked (-v 2).
        groups = [("删除", report.deleted), ("重复，未导入", report.duplicates)]
        if verbosity >= 2:
            groups = [("新增", report.created), ("更新", report.updated), *groups]
        for label, titles in groups:
            for title in titles:
                self.stdout.write(f"  {label}：{title}")

    def _print_dry_run(self, report: ImportReport) -> None:
        # The table previews what the parser made of raw text; an export has nothing to preview.
        if report.file_unchanged or report.format != "text":
            return
        self.stdout.write(
            f"{fit('标题', TITLE_WIDTH)}  {fit('作者', AUTHOR_WIDTH)}  "
            f"{fit('刊物', PUBLICATION_WIDTH)}  年份  段落"
        )
        for article in report.articles:
            year = str(article.year) if article.year else ""
            self.stdout.write(
                f"{fit(article.title, TITLE_WIDTH)}  {fit(article.author, AUTHOR_WIDTH)}  "
                f"{fit(article.publication, PUBLICATION_WIDTH)}  {year:>4}  "
                f"{len(article.paragraphs):>4}"
            )
        if report.dropped:
            self.stdout.write(f"舍弃的行（{len(report.dropped)}）：")
            for line in report.dropped:
                self.stdout.write(f"  第 {line.number} 行 [{line.reason}] {line.text}")


def summary(path: Path, report: ImportReport, *, dry_run: bool) -> str:
    suffix = "（试运行，未写入）" if dry_run else ""
    if report.file_unchanged:
        return f"{path}: 文件未改变，跳过{suffix}"
    return (
        f"{path}: 新增 {len(report.created)} 篇，更新 {len(report.updated)} 篇，"
        f"未变 {len(report.unchanged)} 篇，删除 {len(report.deleted)} 篇，"
        f"重复 {len(report.duplicates)} 篇{suffix}"
    )
