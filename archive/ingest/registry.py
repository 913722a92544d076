"""Which parser reads a file: by its extension, then by what its first bytes look like."""

from __future__ import annotations

from functools import cache

from django.utils.module_loading import import_string

from archive.ingest.base import Parser
from archive.ingest.sniffing import OLE_MAGIC, binary_kind, fail, is_binary
from archive.ingest.sources import SourceFile

# In the order they are asked: a parser that recognises a file by its content comes before
# the one that would take any file with that extension (an EndNote export is a .txt file,
# an export of this archive a .jsonl file). Plain text comes last and takes what is text.
PARSERS = (
    "archive.ingest.formats.export.ExportParser",
    "archive.ingest.formats.tabular.JsonParser",
    "archive.ingest.formats.tabular.CsvParser",
    "archive.ingest.formats.references.RisParser",
    "archive.ingest.formats.references.EndNoteParser",
    "archive.ingest.formats.references.RefWorksParser",
    "archive.ingest.formats.references.NoteExpressParser",
    "archive.ingest.formats.references.BibTexParser",
    "archive.ingest.formats.markdown.MarkdownParser",
    "archive.ingest.formats.html.HtmlParser",
    "archive.ingest.formats.docx.DocxParser",
    "archive.ingest.formats.pdf.PdfParser",
    "archive.ingest.formats.plaintext.PlainTextParser",
)
SNIFF_BYTES = 8 * 1024

# Formats people have that we do not read, with what to do instead.
_UNSUPPORTED = {
    ".doc": "旧版 Word 文件（.doc），请用 Word 或 WPS 另存为 .docx",
    ".wps": "WPS 文字文件，请另存为 .docx",
    ".xls": "Excel 文件，请另存为 CSV（UTF-8）",
    ".xlsx": "Excel 文件，请另存为 CSV（UTF-8）",
    ".rtf": "RTF 文件，请另存为 .docx 或纯文本",
    ".caj": "CAJ 文件，请用 CAJViewer 另存为 PDF 或纯文本",
    ".kdh": "CAJ 文件，请用 CAJViewer 另存为 PDF 或纯文本",
    ".nh": "CAJ 文件，请用 CAJViewer 另存为 PDF 或纯文本",
    ".epub": "EPUB 电子书，请先转换为 .docx 或纯文本",
}


@cache
def parsers() -> tuple[Parser, ...]:
    return tuple(import_string(path)() for path in PARSERS)


def supported_extensions() -> list[str]:
    return sorted({ext for parser in parsers() for ext in parser.extensions if ext})


def parser_for(source: SourceFile) -> Parser:
    """The parser for this file; raises ImportFailed naming what the file seems to be."""
    head = source.head(SNIFF_BYTES)
    suffix = source.suffix
    if suffix in _UNSUPPORTED:
        raise fail(source, f"是{_UNSUPPORTED[suffix]}")
    for parser in parsers():
        if suffix in parser.extensions and parser.accepts(head):
            return parser
    # An unknown extension, or content that is not what the extension says: a parser that
    # recognises its format by content alone (a PDF, an EndNote export), else plain text.
    for parser in parsers():
        if (parser.by_content or parser.format == "text") and parser.accepts(head):
            return parser
    if head.startswith(OLE_MAGIC):
        raise fail(source, f"是{_UNSUPPORTED['.doc']}")
    if is_binary(head):
        raise fail(source, f"含有 NUL 字节，是{binary_kind(head)}，不是文本")
    known = "、".join(supported_extensions())
    raise fail(source, f"不是可以导入的格式（{suffix or '无扩展名'}）；可导入：{known}")
