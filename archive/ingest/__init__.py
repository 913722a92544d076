"""Taking collections in: files of every format, folders and .zip archives, into articles.

The public surface; everything else in the package is its own business:

- `import_paths(paths, options)` / `iter_import` / `import_source`: import, one transaction
  per file, with a FileReport per file (articles, dropped lines with reasons, what was
  created, updated, deleted);
- `ImportOptions`: dry run, a publication for the whole import, dates from paths, a field
  map for tables;
- `export_jsonl`: the archive as JSON Lines, which imports back without loss
  (`export_line` for one article of `exported_articles()`, for lists of some articles);
- `parse_raw_text`: the compilation rules on a text, for tools that make corpora.
"""

from importlib import import_module

# Where each public name lives. Loaded on first use (PEP 562), so that the parsers, which
# need no database, can be used without Django's settings.
_HOMES = {
    "DroppedLine": "archive.ingest.base",
    "ImportFailed": "archive.ingest.base",
    "ParseResult": "archive.ingest.base",
    "ParsedArticle": "archive.ingest.base",
    "export_jsonl": "archive.ingest.exchange",
    "export_line": "archive.ingest.exchange",
    "exported_articles": "archive.ingest.exchange",
    "parse_raw_text": "archive.ingest.formats.compilation",
    "FileReport": "archive.ingest.importer",
    "ImportOptions": "archive.ingest.importer",
    "ImportSummary": "archive.ingest.importer",
    "bulk_import": "archive.ingest.importer",
    "import_items": "archive.ingest.importer",
    "import_paths": "archive.ingest.importer",
    "import_source": "archive.ingest.importer",
    "iter_import": "archive.ingest.importer",
    "supported_extensions": "archive.ingest.registry",
    "Skipped": "archive.ingest.sources",
    "SourceFile": "archive.ingest.sources",
    "Unreadable": "archive.ingest.sources",
    "iter_sources": "archive.ingest.sources",
}


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'archive.ingest' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)


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
    "export_line",
    "exported_articles",
    "import_items",
    "import_paths",
    "import_source",
    "iter_import",
    "iter_sources",
    "parse_raw_text",
    "supported_extensions",
]
