"""Plain text: one article per file, or a compilation of many when the text clearly is one."""

from __future__ import annotations

from archive.ingest.base import Block, Document, ParseOptions, ParseResult
from archive.ingest.formats.compilation import is_compilation, parse_lines
from archive.ingest.layout import lay_out
from archive.ingest.sniffing import is_binary, iter_lines, sniff_encoding
from archive.ingest.sources import SourceFile


class PlainTextParser:
    format = "text"
    label = "纯文本"
    extensions = frozenset({".txt", ".text"})
    by_content = False

    def accepts(self, head: bytes) -> bool:
        return not is_binary(head)

    def parse(self, source: SourceFile, options: ParseOptions) -> ParseResult:
        encoding = sniff_encoding(source)
        # Read twice rather than held: a compilation of 50 MB is streamed through its rules,
        # and the first reading stops as soon as the text shows it is one.
        if is_compilation(iter_lines(source, encoding)):
            return parse_lines(enumerate(iter_lines(source, encoding), 1))
        return lay_out(read_document(source, encoding), source, options)


def read_document(source: SourceFile, encoding=None) -> Document:
    blocks = []
    number = 0
    for number, line in enumerate(iter_lines(source, encoding), 1):
        blocks.append(Block(number, line, "line" if line.strip() else "blank"))
    return Document(blocks=blocks, line_count=number, may_be_compilation=False)
