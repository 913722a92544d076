"""The files of an import: plain files, folders read recursively, and members of .zip archives."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

HASH_CHUNK_BYTES = 1024 * 1024
# A member this much larger than its compressed size is a zip bomb, not a collection.
MAX_ZIP_RATIO = 200
# What one archive may unpack to in all.
MAX_ZIP_TOTAL_BYTES = 4 * 1024**3

# Files that come with collections but are never articles: operating-system litter, Word's
# lock files, resource forks that macOS puts into .zip archives.
_LITTER_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
_LITTER_FOLDERS = frozenset({"__macosx", ".git", ".svn"})


@dataclass
class SourceFile:
    """One file to import, wherever it lies; read as bytes, as often as a parser needs."""

    name: str  # the key it is stored under and the label users see: "报纸/01.txt"
    size: int
    _opener: Callable[[], BinaryIO] = field(repr=False)
    _sha256: str | None = field(default=None, repr=False)
    # How messages name it: the path as given on the command line, else the name.
    label: str = ""

    def __post_init__(self) -> None:
        self.label = self.label or self.name

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix.lower()

    @property
    def stem(self) -> str:
        return PurePosixPath(self.name).stem

    def open(self) -> BinaryIO:
        return self._opener()

    def read_bytes(self) -> bytes:
        with self.open() as handle:
            return handle.read()

    def head(self, size: int) -> bytes:
        with self.open() as handle:
            return handle.read(size)

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            digest = hashlib.sha256()
            with self.open() as handle:
                for chunk in iter(lambda: handle.read(HASH_CHUNK_BYTES), b""):
                    digest.update(chunk)
            self._sha256 = digest.hexdigest()
        return self._sha256

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> SourceFile:
        """A file held in memory (an upload, a test)."""
        return cls(name=name, size=len(data), _opener=lambda: io.BytesIO(data))

    @classmethod
    def from_path(cls, path: Path, name: str | None = None, label: str = "") -> SourceFile:
        return cls(
            name=name or path.name,
            size=path.stat().st_size,
            _opener=lambda: path.open("rb"),
            label=label,
        )


@dataclass
class Unreadable:
    """A path that holds nothing to import, with the reason (one line, naming the path)."""

    name: str
    message: str


@dataclass
class Skipped:
    """A file inside a folder or archive that is not an article (a picture, a lock file)."""

    name: str
    reason: str


def is_litter(name: str) -> bool:
    parts = PurePosixPath(name).parts
    if any(part.lower() in _LITTER_FOLDERS for part in parts[:-1]):
        return True
    base = parts[-1] if parts else ""
    return base.lower() in _LITTER_NAMES or base.startswith(("~$", "._", ".~lock"))


def _zip_member_name(info: zipfile.ZipInfo) -> str:
    # Archives made on Chinese Windows store GBK names without the UTF-8 flag; Python
    # then reads them as code page 437. Undo that when the bytes are valid GB18030.
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def iter_zip(path: Path, label: str) -> Iterator[SourceFile | Skipped | Unreadable]:
    """The members of a .zip archive, by name, as `label/member`."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        yield Unreadable(label, f"{label}: 不是有效的 zip 压缩包（{error}）")
        return
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        total = sum(info.file_size for info in members)
        if total > MAX_ZIP_TOTAL_BYTES:
            yield Unreadable(label, f"{label}: 解压后共 {total // 1024**2} MB，超过上限")
            return
        named = sorted(((_zip_member_name(info), info) for info in members), key=lambda p: p[0])
        for member, info in named:
            name = f"{label}/{member}"
            if is_litter(member):
                continue
            if info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO:
                yield Unreadable(name, f"{name}: 压缩比异常（疑为压缩炸弹），未解压")
                continue
            if info.flag_bits & 0x1:
                yield Unreadable(name, f"{name}: 有密码保护，无法读取")
                continue
            if member.lower().endswith(".zip"):
                yield Skipped(name, "压缩包中的压缩包，请先解压")
                continue
            yield SourceFile(
                name=name,
                size=info.file_size,
                _opener=lambda info=info: zipfile.ZipFile(path).open(info),
            )


def _walk(folder: Path) -> Iterator[Path]:
    """Every file under the folder, in a stable order (by name, folders and files mixed)."""
    entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name.lower() not in _LITTER_FOLDERS and not entry.name.startswith("."):
                yield from _walk(Path(entry.path))
        elif entry.is_file():
            yield Path(entry.path)


def iter_sources(paths: list[Path]) -> Iterator[SourceFile | Skipped | Unreadable]:
    """Files, folders (recursively) and .zip archives, in the order given and then by name.

    A file is named by its file name, a file in a folder by its path from the folder's
    parent ("报纸/2019/01.txt"), a member of an archive by the archive's name and its own:
    the name identifies the file when it is imported again.
    """
    for path in paths:
        label = str(path)
        if not path.exists():
            yield Unreadable(label, f"{label}: 文件不存在")
        elif path.is_dir():
            found = False
            for file in _walk(path):
                found = True
                name = file.relative_to(path.parent).as_posix()
                if is_litter(name):
                    continue
                if file.suffix.lower() == ".zip":
                    yield from iter_zip(file, name)
                else:
                    yield _file(file, name)
            if not found:
                yield Unreadable(label, f"{label}: 目录是空的")
        elif path.suffix.lower() == ".zip":
            yield from iter_zip(path, path.name)
        else:
            yield _file(path, path.name, label=label)


def _file(path: Path, name: str, *, label: str | None = None) -> SourceFile | Unreadable:
    label = label or name
    if not path.is_file():
        return Unreadable(name, f"{label}: 不是普通文件")
    if not os.access(path, os.R_OK):
        return Unreadable(name, f"{label}: 没有读取权限")
    return SourceFile.from_path(path, name, label)
