"""Taking collections in: files of every format, folders and .zip archives, into articles.

The public surface; everything else in the package is its own business:

- `import_paths(paths, options)` / `iter_import` / `import_source`: import, one transaction
  per file, with a FileReport per file (articles, dropped lines with reasons, what was
  created, updated, deleted);
- `ImportOptions`: dry run, a publication for the whole import, dates from paths, a field
  map for tables;
- `export_jsonl`: the archive as JSON Lines, which imports back without loss;
- `parse_raw_text`: the compilation rules on a text, for tools that make corpora.
"""

from archive.ingest.base import DroppedLine, ImportFailed, ParsedArticle, ParseResult
from archive.ingest.exchange import export_jsonl
from archive.ingest.formats.compilation import parse_raw_text
from archive.ingest.importer import (
    FileReport,
    ImportOptions,
    ImportSummary,
    bulk_import,
    import_items,
    import_paths,
    import_source,
    iter_import,
)
from archive.ingest.registry import supported_extensions
from archive.ingest.sources import Skipped, SourceFile, Unreadable, iter_sources

__all__ = [
    "DroppedLine",
    "FileReport",
    "ImportFailed",
    "ImportOptions",
    "ImportSummary",
    "ParseResult",
    "ParsedArticle",
    "Skipped",
    "SourceFile",
    "Unreadable",
    "bulk_import",
    "export_jsonl",
    "import_items",
    "import_paths",
    "import_source",
    "iter_import",
    "iter_sources",
    "parse_raw_text",
    "supported_extensions",
]
