"""One article out of a free-text document: title, subtitle, metadata, paragraphs.

(Being written: lay_out(document, source, options) -> ParseResult.)
"""

from __future__ import annotations

from archive.ingest.base import Document, ParseOptions, ParseResult
from archive.ingest.sources import SourceFile


def lay_out(document: Document, source: SourceFile, options: ParseOptions) -> ParseResult:
    """The articles of a free-text document (one, unless it is clearly a compilation)."""
    raise NotImplementedError
