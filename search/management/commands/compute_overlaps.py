"""Fingerprint the archive's articles and find the pairs that share passages."""

import time

from django.core.management.base import BaseCommand
from django.db.models import F

from search.reuse.models import ArticleOverlap
from search.reuse.overlaps import compute_overlaps, overlap_min, refresh_reuse

STAGES = {"fingerprints": "已取指纹", "overlaps": "已比对"}


class Command(BaseCommand):
    help = (
        "查重：为每篇文章取指纹，找出共有连续相同段落（默认至少 50 字，"
        "WENCUI_REUSE_OVERLAP_MIN）的文章对。文章导入、修改、删除时会自动更新，"
        "本命令用于首次计算或全部重算。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--changed",
            action="store_true",
            help="只处理文字变了、新增或删除的文章（默认全部重算）。",
        )
        parser.add_argument(
            "--list",
            action="store_true",
            help="列出共有段落的文章对及各自的重复字数。",
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]

        def progress(stage: str, done: int, total: int) -> None:
            if verbosity >= 1:
                self.stdout.write(f"{STAGES[stage]} {done}/{total} 篇")

        started = time.perf_counter()
        if options["changed"]:
            summary = refresh_reuse(progress=progress)
        else:
            summary = compute_overlaps(progress=progress)
        elapsed = time.perf_counter() - started
        rows = f"指纹 {summary.fingerprints} 条，" if summary.fingerprints is not None else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"查重完成：{summary.articles} 篇文章，重算 {summary.changed} 篇，"
                f"移除 {summary.removed} 篇，新找到 {summary.pairs} 对共有 {overlap_min()} 字以上"
                f"相同段落的文章，{rows}用时 {elapsed:.1f} 秒。"
            )
        )
        if options["list"]:
            self._list_pairs()

    def _list_pairs(self) -> None:
        pairs = (
            ArticleOverlap.objects.filter(article_id__lt=F("other_id"))
            .select_related("article", "other")
            .order_by("article_id", "other_id")
        )
        for overlap in pairs:
            version = "（另一版本）" if overlap.is_version else ""
            self.stdout.write(
                f"{overlap.article_id} 《{overlap.article.title}》 {overlap.shared_chars}/"
                f"{overlap.length} 字 ~ {overlap.other_id} 《{overlap.other.title}》 "
                f"{overlap.other_shared_chars}/{overlap.other_length} 字，"
                f"最长 {overlap.longest} 字{version}"
            )
