"""manage.py export_articles: every article as JSON Lines, the format import_articles reads."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.ingest import export_jsonl


class Command(BaseCommand):
    help = "把全部文章导出为 JSON Lines（每行一篇，按 id 排序），可用 import_articles 导回。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            metavar="FILE",
            help="写入的文件；不给则写到标准输出。文件在导出完成后才出现，失败时原文件不变。",
        )

    def handle(self, *args, output: Path | None, verbosity: int, **options) -> None:
        # Progress goes to stderr: stdout may be the export itself.
        progress = self.stderr.write if verbosity >= 1 else None
        if output is None:
            count = export_jsonl(out=self.stdout, progress=progress)
            if verbosity >= 1:
                self.stderr.write(f"已导出 {count} 篇")
            return
        count = self._export_to_file(output, progress)
        if verbosity >= 1:
            self.stdout.write(f"已导出 {count} 篇到 {output}")

    def _export_to_file(self, output: Path, progress) -> int:
        directory = output.parent
        if not directory.is_dir():
            raise CommandError(f"{output}: 目录 {directory} 不存在")
        if output.is_dir():
            raise CommandError(f"{output}: 是目录，不是文件")
        # Written beside the target and renamed over it at the end: a failed or interrupted
        # export never leaves a half-written file where a complete one is expected.
        try:
            handle = tempfile.NamedTemporaryFile(
                "w",
                encoding="utf-8",
                newline="\n",
                dir=directory,
                prefix=f".{output.name}.",
                suffix=".tmp",
                delete=False,
            )
        except OSError as error:
            raise CommandError(f"{output}: 无法写入（{error.strerror or error}）") from None
        temporary = Path(handle.name)
        try:
            with handle:
                count = export_jsonl(out=handle, progress=progress)
                handle.flush()
                os.fsync(handle.fileno())
            # mkstemp creates the file readable by its owner only; give it the usual mode.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
            os.replace(temporary, output)
        except BaseException as error:
            temporary.unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise CommandError(f"{output}: 无法写入（{error.strerror or error}）") from None
            raise
        return count
