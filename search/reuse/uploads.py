"""A passage from an uploaded file: plain text in any encoding the archive reads, or Word."""

from __future__ import annotations

from io import BytesIO

from archive.ingest import SourceFile

EXTENSIONS = (".txt", ".docx")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def passage_from_file(*, name: str, data: bytes) -> str:
    """The text of a .txt or .docx file, read as the importer reads it (the encoding of a text
    file guessed, a Word file's paragraphs in order). Raises ImportFailed for a file that
    cannot be read, with a message saying why."""
    source = SourceFile(name=name, size=len(data), _opener=lambda: BytesIO(data))
    if source.suffix == ".docx":
        from archive.ingest.formats.docx import read_document

        document = read_document(source)
        lines = [document.title, *document.subtitle.split("\n")] if document.title else []
        return "\n".join([*lines, *(block.text for block in document.blocks)]).strip()
    from archive.ingest.sniffing import read_text

    return read_text(source)
