"""Rebuild the whole search index beside the live one, then switch over."""

from django.core.management.base import BaseCommand

from search.indexing import rebuild_index


class Command(BaseCommand):
    help = "重建检索索引：在现有索引旁建好新索引后再切换，检索不中断。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_true",
            help="为兼容 haystack 的同名命令而保留；本命令从不提问。",
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]

        def progress(done: int, total: int) -> None:
            if verbosity >= 1:
                self.stdout.write(f"已索引 {done}/{total} 篇")

        total = rebuild_index(progress=progress)
        self.stdout.write(self.style.SUCCESS(f"索引重建完成，共 {total} 篇文章。"))
