"""What a file is: binary or text, which encoding, read line by line with clear errors."""

from __future__ import annotations

import codecs
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from archive.ingest.base import ImportFailed
from archive.ingest.sources import SourceFile

# The encoding is decided on this much of the file; the rest is decoded as it is read.
SNIFF_BYTES = 64 * 1024
# Whether a file is binary is decided on this much of it.
BINARY_PROBE_BYTES = 8 * 1024
# Text in UTF-8 or GB18030 holds no NUL byte, yet a damaged download or a bad copy can leave
# a stray one in a text (removed on import, line by line: archive.ingest.importer). A file
# with NULs whose control bytes make up more than this share of the probe is binary: a binary
# format, or UTF-16 without its mark, has them by the hundred. A few pass in any file.
BINARY_CONTROL_SHARE = 0.01
STRAY_CONTROL_BYTES = 4
# C0 control bytes other than tab, line ends, form feed and escape.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20)])
# Share of GB2312 characters below which GB18030-decoded text is taken for mojibake.
GB2312_SHARE = 0.8
_ASCII_SPACE = b" \t\r\n\x0b\x0c"
_ENCODING_NAMES = {"utf-8": "UTF-8", "gb18030": "GB18030", "utf-16": "UTF-16"}

# Magic numbers of the binary formats we read, and of some we do not, for messages.
ZIP_MAGIC = b"PK\x03\x04"
PDF_MAGIC = b"%PDF-"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Word .doc, .wps, old Excel .xls


def fail(source: SourceFile, message: str) -> ImportFailed:
    return ImportFailed(f"{source.label}: {message}")


@dataclass
class TextEncoding:
    name: str  # codec name: "utf-8", "gb18030" or "utf-16"
    bom: bool


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode_head(head: bytes, encoding: str, *, complete: bool) -> str:
    # Incremental, so that a character cut in two at the end of the sample is not an error.
    return codecs.getincrementaldecoder(encoding)().decode(head, final=complete)


def plausibly_chinese(text: str) -> bool:
    """Whether text decoded as GB18030 reads as simplified Chinese rather than mojibake.

    GB18030 accepts almost any byte pairs, so Shift-JIS or Big5 files decode without an
    error. In simplified Chinese nearly every character is in the GB2312 set (the bundled
    corpus: 100 %); Big5 read as GB18030 gives under 50 %, Shift-JIS almost none. Traditional
    Chinese saved as GBK (about 60 %) is refused too: converted to UTF-8 it imports fine,
    whereas accepted mojibake would end up in the archive.
    """
    counts = Counter(char for char in text if ord(char) > 0x7F)
    total = sum(counts.values())
    if total < 20:  # too little to judge
        return True
    common = 0
    for char, count in counts.items():
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += count
    return common >= GB2312_SHARE * total


def is_binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return False  # text, if not one we read: sniff_encoding says so
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    probe = head[:BINARY_PROBE_BYTES]
    if b"\x00" not in probe:
        return False
    if probe.startswith((ZIP_MAGIC, PDF_MAGIC, OLE_MAGIC)):
        return True
    controls = len(probe) - len(probe.translate(None, _CONTROL_BYTES))
    return controls > max(STRAY_CONTROL_BYTES, BINARY_CONTROL_SHARE * len(probe))


def binary_kind(head: bytes) -> str:
    """A name for a binary file we cannot read as text, for the message."""
    if head.startswith(OLE_MAGIC):
        return "旧版 Word（.doc）或 WPS 文件，请另存为 .docx"
    if head.startswith(ZIP_MAGIC):
        return "压缩文件或 Office 文件"
    if head.startswith(PDF_MAGIC):
        return "PDF 文件"
    return "二进制文件"


def sniff_encoding(source: SourceFile) -> TextEncoding:
    """The text encoding of the file: UTF-16 by its BOM, else UTF-8, else GB18030.

    Raises ImportFailed for an empty, binary or undecodable file.
    """
    head = source.head(SNIFF_BYTES)
    if not head.removeprefix(codecs.BOM_UTF8).strip(_ASCII_SPACE):
        if source.size <= len(head):
            raise fail(source, "文件是空的")
    # UTF-32's little-endian mark begins like UTF-16's: asked first.
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise fail(source, "是 UTF-32 编码，请先转换为 UTF-8")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = _decode_head(head, "utf-16", complete=source.size <= len(head))
        except UnicodeDecodeError:
            raise fail(source, "以 UTF-16 标记开头，但不是有效的 UTF-16 文本") from None
        if source.size <= len(head) and not text.strip():
            raise fail(source, "文件是空的（只有空白字符）")
        return TextEncoding("utf-16", True)
    if is_binary(head):
        raise fail(source, f"含有 NUL 字节，是{binary_kind(head)}，不是文本")
    complete = source.size <= len(head)
    if head.startswith(codecs.BOM_UTF8):
        try:
            text = _decode_head(head[3:], "utf-8", complete=complete)
        except UnicodeDecodeError as error:
            line = _line_of(head, error.start + 3)
            raise fail(source, f"以 UTF-8 标记开头，但第 {line} 行不是有效的 UTF-8 文本") from None
        encoding = TextEncoding("utf-8", True)
    else:
        try:
            text = _decode_head(head, "utf-8", complete=complete)
            encoding = TextEncoding("utf-8", False)
        except UnicodeDecodeError as error:
            utf8_line = _line_of(head, error.start)
            try:
                text = _decode_head(head, "gb18030", complete=complete)
            except UnicodeDecodeError:
                raise fail(
                    source,
                    f"不是 UTF-8、GB18030 或 UTF-16 编码的文本（按 UTF-8 读，第 {utf8_line} 行"
                    "有无效字节），请先转换为 UTF-8",
                ) from None
            if not plausibly_chinese(text):
                raise fail(
                    source,
                    "不是 UTF-8 编码，按 GB18030 读又不像简体中文（也许是 Big5、Shift-JIS "
                    "等编码），请先转换为 UTF-8",
                ) from None
            encoding = TextEncoding("gb18030", False)
    if complete and not text.strip():
        raise fail(source, "文件是空的（只有空白字符）")
    return encoding


def iter_lines(source: SourceFile, encoding: TextEncoding | None = None) -> Iterator[str]:
    """The file's lines without their line ends ("\\r\\n", "\\n" or a lone "\\r"), streamed."""
    encoding = encoding or sniff_encoding(source)
    try:
        if encoding.name == "utf-16":
            yield from _iter_utf16_lines(source)
        else:
            yield from _iter_byte_lines(source, encoding)
    except OSError as error:
        raise fail(source, f"读取中断（{error.strerror or error}）") from None


def _iter_byte_lines(source: SourceFile, encoding: TextEncoding) -> Iterator[str]:
    # Each line decoded on its own: "\n" and "\r" never occur inside a UTF-8 or GB18030
    # character, and a decoding error then names its line.
    number = 0
    with source.open() as handle:
        for raw in handle:
            try:
                text = raw.decode(encoding.name)
            except UnicodeDecodeError:
                name = _ENCODING_NAMES[encoding.name]
                raise fail(source, f"第 {number + 1} 行不是有效的 {name} 文本") from None
            if number == 0 and encoding.bom:
                text = text.removeprefix("\ufeff")
            if text.endswith("\r\n"):
                text = text[:-2]
            elif text.endswith(("\n", "\r")):
                text = text[:-1]
            for line in text.split("\r"):
                number += 1
                yield line


def _iter_utf16_lines(source: SourceFile) -> Iterator[str]:
    number = 0
    try:
        with source.open() as raw:
            stream = io.TextIOWrapper(raw, encoding="utf-16", errors="strict", newline="")
            for line in stream:
                number += 1
                if line.endswith("\r\n"):
                    line = line[:-2]
                elif line.endswith(("\n", "\r")):
                    line = line[:-1]
                yield line
    except UnicodeDecodeError:
        raise fail(source, f"第 {number + 1} 行附近不是有效的 UTF-16 文本") from None


def read_text(source: SourceFile) -> str:
    """The whole file as text (for formats read at once: Markdown, HTML, CSV, JSON)."""
    return "\n".join(iter_lines(source))
