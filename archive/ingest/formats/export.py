"""This archive's own JSON Lines export, recognised by its keys and imported without loss."""

from __future__ import annotations

import json

from archive.ingest.base import ParseOptions, ParseResult
from archive.ingest.exchange import EXPORT_KEYS
from archive.ingest.sources import SourceFile


class ExportParser:
    format = "export"
    label = "文萃导出文件（JSON Lines）"
    extensions = frozenset({".jsonl", ".json", ".ndjson", ".txt"})
    by_content = True
    # Stored by archive.ingest.exchange, which keeps ids and times: see import_export_file.
    lossless = True

    def accepts(self, head: bytes) -> bool:
        first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
        if not first.startswith(b"{"):
            return False
        try:
            record = json.loads(first.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            # A first record longer than the sniffed head: judge by the keys that come
            # before the paragraphs (keys are written in alphabetical order).
            text = first.decode("utf-8", errors="ignore")
            return all(
                f'"{key}"' in text for key in ("created", "fingerprint", "id", "issue_label")
            )
        return isinstance(record, dict) and EXPORT_KEYS <= record.keys()

    def parse(self, source: SourceFile, options: ParseOptions) -> ParseResult:
        raise NotImplementedError("stored by archive.ingest.exchange.import_export_file")
