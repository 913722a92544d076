"""Compare the search index with the database; optionally repair it."""

from django.core.management.base import BaseCommand, CommandError

from search.errors import IndexLocked, IndexMissing, IndexUnavailable
from search.indexing import check_index, rebuild_index, repair_index


class Command(BaseCommand):
    help = "检查检索索引是否与数据库一致：列出缺失、过期和多余的文章，不一致时退出码为 1。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix", action="store_true", help="修复发现的问题（补建、更新、删除索引条目）。"
        )

    def handle(self, *args, **options):
        try:
            report = check_index()
        except IndexMissing as error:
            # A fresh data directory: nothing is wrong, the index is simply not made yet.
            if not options["fix"]:
                raise CommandError(
                    f"还没有检索索引：{error}。用 --fix 或 rebuild_index 建立。"
                ) from error
            self.stdout.write("还没有检索索引，正在建立……")
            rebuild_index()
            report = check_index()
        except IndexUnavailable as error:
            if not options["fix"]:
                raise CommandError(
                    f"索引无法读取：{error}。用 --fix 或 rebuild_index 重建。"
                ) from error
            self.stdout.write("索引无法读取，正在重建……")
            rebuild_index()
            report = check_index()

        for label, ids in (
            ("缺失", report.missing),
            ("过期", report.stale),
            ("多余", report.orphaned),
        ):
            if ids:
                shown = "、".join(str(i) for i in ids[:20]) + ("……" if len(ids) > 20 else "")
                self.stdout.write(f"{label} {len(ids)} 篇：{shown}")
        if report.pending:
            self.stdout.write(f"待处理的索引更新 {report.pending} 条")
        if report.consistent and not report.pending:
            self.stdout.write(self.style.SUCCESS("索引与数据库一致。"))
            return
        if not options["fix"]:
            raise CommandError("索引与数据库不一致，用 --fix 修复。", returncode=1)

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"已修复 {done}/{total} 篇")

        try:
            repair_index(report, progress=progress)
        except IndexLocked as error:
            raise CommandError(f"索引被其他进程占用：{error}") from error
        after = check_index()
        if not after.consistent:
            raise CommandError("修复后索引仍不一致。", returncode=1)
        self.stdout.write(self.style.SUCCESS("索引已修复，与数据库一致。"))
