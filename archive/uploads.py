"""Importing files uploaded in the admin: upload, dry-run preview from a staging folder, confirm."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archive.ingest import (
    DroppedLine,
    FileReport,
    ImportOptions,
    ImportSummary,
    ParsedArticle,
    Skipped,
    SourceFile,
    Unreadable,
    import_items,
    supported_extensions,
)
from archive.ingest.sources import is_litter, iter_zip

# A staging folder is named by a token of this form; nothing else is ever looked up.
TOKEN_PATTERN = re.compile(r"[0-9a-f]{32}")
STAGING_MAX_AGE_SECONDS = 24 * 3600
OPTIONS_FILE = "options.json"
FILES_FOLDER = "files"
# File systems limit a name to 255 bytes; Chinese characters take three bytes in UTF-8.
MAX_NAME_BYTES = 240
FALLBACK_NAME = "upload"
# The request attribute where UploadLimitHandler says why it stopped reading an upload.
REFUSED_ATTRIBUTE = "upload_refused"
# A message per failed file, up to this many; the rest are counted.
MAX_FAILURE_MESSAGES = 20
# Dropped lines listed per file in the preview; all of them are kept with the source
# document once imported.
MAX_DROPPED_SHOWN = 500


def max_upload_bytes() -> int:
    return int(float(settings.WENCUI_UPLOAD_MAX_MB) * 1024 * 1024)


class UploadLimitHandler(FileUploadHandler):
    """First of the upload handlers: stops reading files past the size or count limit.

    The rest of the request is read and thrown away (no connection reset, which browsers
    show as a network error), and the form reports the limit instead of a 400 or a full disk.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        self.files = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.files += 1
        if self.files > settings.WENCUI_UPLOAD_MAX_FILES:
            self._refuse(
                _("一次最多上传 %(count)d 个文件；更多的文件请打包成 .zip 上传。")
                % {"count": settings.WENCUI_UPLOAD_MAX_FILES}
            )

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > max_upload_bytes():
            self._refuse(too_large_message())
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _refuse(self, message: str) -> None:
        if self.request is not None:
            setattr(self.request, REFUSED_ATTRIBUTE, message)
        raise StopUpload(connection_reset=False)


def too_large_message() -> str:
    return _("上传的文件合计超过 %(mb)s MB 的上限；请分批上传。") % {
        "mb": settings.WENCUI_UPLOAD_MAX_MB
    }


# --- the upload form ------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; cleans to a list."""

    # Why the upload was cut short (UploadLimitHandler): what did arrive is not what the
    # user chose, so that is the error whatever else is wrong.
    refused = ""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list[UploadedFile]:
        if self.refused:
            raise ValidationError(self.refused, code="limit")
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=gettext_lazy("文件"),
        # An empty file gets the importer's own message in the preview, beside the others.
        allow_empty_file=True,
        error_messages={"required": gettext_lazy("请选择要导入的文件。")},
    )
    publication = forms.CharField(
        label=gettext_lazy("刊物"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("文中没有写明来源的文章都记在这个刊物名下。"),
    )
    date_from_path = forms.BooleanField(
        label=gettext_lazy("从路径取日期"),
        label_suffix="",  # the label follows the box
        required=False,
        help_text=gettext_lazy(
            "从文件或目录名中取日期（如 20191008-01-02.txt、2019/10/08/），"
            "用于文中没有完整日期的文章。"
        ),
    )

    def __init__(self, *args, refused: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"].refused = refused
        self.fields["files"].help_text = _(
            "可一次选择多个文件，或上传一个 .zip 压缩包；合计不超过 %(mb)s MB。可导入：%(formats)s"
        ) % {
            "mb": settings.WENCUI_UPLOAD_MAX_MB,
            "formats": "、".join([*supported_extensions(), ".zip"]),
        }

    def clean_files(self) -> list[UploadedFile]:
        files = self.cleaned_data["files"]
        if sum(file.size for file in files) > max_upload_bytes():
            raise ValidationError(too_large_message(), code="limit")
        return files

    def clean_publication(self) -> str:
        return self.cleaned_data["publication"].strip()

    def import_options(self) -> ImportOptions:
        return ImportOptions(
            publication=self.cleaned_data["publication"],
            date_from_path=self.cleaned_data["date_from_path"],
        )


# --- staging ----------------------------------------------------------------------------------


def staging_root() -> Path:
    return Path(settings.DATA_DIR) / "uploads"


def safe_name(name: str) -> str:
    """The base name of an uploaded file, harmless as a file name in the staging folder."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(char for char in base if char.isprintable()).strip()
    if base in {"", ".", ".."}:
        return FALLBACK_NAME
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem:
        stem, suffix = base, ""
    suffix = f".{suffix}" if suffix else ""
    while len((stem + suffix).encode()) > MAX_NAME_BYTES and stem:
        stem = stem[:-1]
    return (stem + suffix) if stem else FALLBACK_NAME + suffix[:16]


def _unique(name: str, taken: set[str]) -> str:
    """The name, or with a number before its extension when the upload has it already."""
    if name not in taken:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, suffix = name, ""
    number = 2
    while True:
        candidate = f"{stem} ({number}).{suffix}" if suffix else f"{stem} ({number})"
        if candidate not in taken:
            return candidate
        number += 1


@dataclass
class Staging:
    """An upload waiting in its own folder under the data directory, named by its token."""

    token: str
    path: Path
    options: ImportOptions = field(default_factory=ImportOptions)
    owner: int | None = None

    @property
    def files(self) -> list[Path]:
        return sorted((self.path / FILES_FOLDER).iterdir(), key=lambda path: path.name)

    def items(self) -> Iterator[SourceFile | Skipped | Unreadable]:
        """The staged files as the importer takes them: each by its uploaded name, a .zip
        archive's members as `archive.zip/member`, as the command names them."""
        for path in self.files:
            if is_litter(path.name):
                continue
            if path.suffix.lower() == ".zip":
                yield from iter_zip(path, path.name)
            else:
                yield SourceFile.from_path(path, path.name)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def stage(files: list[UploadedFile], options: ImportOptions, owner: int | None) -> Staging:
    """Save the uploaded files in a new private folder, with the options they go with."""
    token = secrets.token_hex(16)
    path = staging_root() / token
    staging_root().mkdir(mode=0o700, parents=True, exist_ok=True)
    path.mkdir(mode=0o700)
    (path / FILES_FOLDER).mkdir(mode=0o700)
    taken: set[str] = set()
    for upload in files:
        name = _unique(safe_name(upload.name or ""), taken)
        taken.add(name)
        fd = os.open(path / FILES_FOLDER / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
    saved = {
        "publication": options.publication,
        "date_from_path": options.date_from_path,
        "owner": owner,
    }
    (path / OPTIONS_FILE).write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    return Staging(token=token, path=path, options=options, owner=owner)


def staged(token: str, owner: int | None) -> Staging | None:
    """The staging of this token and user, if it is still there; None for anything else."""
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        return None
    path = staging_root() / token
    try:
        saved = json.loads((path / OPTIONS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if saved.get("owner") != owner:
        return None
    options = ImportOptions(
        publication=str(saved.get("publication", "")),
        date_from_path=bool(saved.get("date_from_path", False)),
    )
    return Staging(token=token, path=path, options=options, owner=owner)


def claim(staging: Staging) -> Staging | None:
    """Take the staging away from its token before importing it, so that a second click on
    the confirm button (or a second tab) finds nothing instead of importing it again."""
    claimed = staging.path.with_name(f"importing-{secrets.token_hex(8)}")
    try:
        staging.path.rename(claimed)
        # Fresh, so that the removal of stale folders leaves it alone while it imports.
        os.utime(claimed)
    except OSError:
        return None
    return Staging(token="", path=claimed, options=staging.options, owner=staging.owner)


def remove_stale_staging(now: float | None = None) -> None:
    """Remove staging folders nobody confirmed or cancelled within a day."""
    now = time.time() if now is None else now
    try:
        entries = list(os.scandir(staging_root()))
    except FileNotFoundError:
        return
    for entry in entries:
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime > STAGING_MAX_AGE_SECONDS:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.remove(entry.path)
        except FileNotFoundError:
            continue  # removed by another request meanwhile


# --- preview and import ---------------------------------------------------------------------


@dataclass
class PreviewArticle:
    article: ParsedArticle
    date: str

    @property
    def subtitle_lines(self) -> list[str]:
        return [line for line in self.article.subtitle.split("\n") if line.strip()]


@dataclass
class PreviewFile:
    report: FileReport
    articles: list[PreviewArticle]

    @property
    def dropped_shown(self) -> list[DroppedLine]:
        return self.report.dropped[:MAX_DROPPED_SHOWN]

    @property
    def dropped_hidden(self) -> int:
        return max(0, len(self.report.dropped) - MAX_DROPPED_SHOWN)


def date_label(article: ParsedArticle) -> str:
    if article.year and article.month and article.day:
        return _("%(year)d年%(month)d月%(day)d日") % {
            "year": article.year,
            "month": article.month,
            "day": article.day,
        }
    if article.year and article.month:
        return _("%(year)d年%(month)d月") % {"year": article.year, "month": article.month}
    if article.year:
        return _("%(year)d年") % {"year": article.year}
    return ""


@dataclass
class Preview:
    staging: Staging
    files: list[PreviewFile]

    @property
    def article_count(self) -> int:
        return sum(len(file.articles) for file in self.files)

    @property
    def failed_count(self) -> int:
        return sum(bool(file.report.error) for file in self.files)

    @property
    def importable(self) -> bool:
        """Whether confirming would do anything: a file read and not the same as before."""
        return any(
            not (file.report.error or file.report.skipped or file.report.file_unchanged)
            for file in self.files
        )


def preview(staging: Staging) -> Preview:
    """What importing the staged files would do: a dry run, nothing written."""
    options = dataclasses.replace(staging.options, dry_run=True)
    files = [
        PreviewFile(
            report=report,
            articles=[PreviewArticle(article, date_label(article)) for article in report.articles],
        )
        for report in import_items(staging.items(), options)
    ]
    return Preview(staging=staging, files=files)


def stage_and_preview(
    files: list[UploadedFile], options: ImportOptions, owner: int | None
) -> Preview:
    return preview(stage(files, options, owner))


def import_staged(staging: Staging) -> ImportSummary:
    """Import the staged files for real, a transaction per file, then remove them."""
    try:
        summary = ImportSummary(dry_run=False)
        summary.files = list(import_items(staging.items(), staging.options))
    finally:
        staging.discard()
    return summary


def summary_messages(summary: ImportSummary) -> list[tuple[int, str]]:
    """The messages that tell the curator what the import did: totals, then each failure."""
    files = [report for report in summary.files if not report.skipped]
    skipped = len(summary.files) - len(files)
    text = _(
        "导入完成，共 %(files)d 个文件（未改变 %(same)d 个，失败 %(failed)d 个）："
        "新增 %(created)d 篇，更新 %(updated)d 篇，未变 %(unchanged)d 篇，"
        "删除 %(deleted)d 篇，重复 %(duplicates)d 篇。"
    ) % {
        "files": len(files),
        "same": sum(report.file_unchanged for report in files),
        "failed": len(summary.failed),
        **{
            name: summary.count(name)
            for name in ("created", "updated", "unchanged", "deleted", "duplicates")
        },
    }
    if skipped:
        text += _("跳过 %(count)d 个不是文章的文件。") % {"count": skipped}
    cleaned = summary.count("cleaned")
    if cleaned:
        text += _("%(count)d 行清除了数据库无法保存的字符（见来源文件的舍弃的行）。") % {
            "count": cleaned
        }
    level = messages.WARNING if summary.failed else messages.SUCCESS
    result = [(level, text)]
    for report in summary.failed[:MAX_FAILURE_MESSAGES]:
        result.append((messages.ERROR, _("导入失败：%(error)s") % {"error": report.error}))
    if len(summary.failed) > MAX_FAILURE_MESSAGES:
        result.append(
            (
                messages.ERROR,
                _("另有 %(count)d 个文件导入失败。")
                % {"count": len(summary.failed) - MAX_FAILURE_MESSAGES},
            )
        )
    return result


# --- views (ArticleAdmin routes them) ----------------------------------------------------------


def gone_message() -> str:
    return _("这批上传的文件已不存在（已导入、已取消或超过一天），请重新上传。")


def _check_permission(request: HttpRequest, model_admin: admin.ModelAdmin) -> None:
    if not model_admin.has_add_permission(request):
        raise PermissionDenied


def _context(request: HttpRequest, model_admin: admin.ModelAdmin, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        **extra,
    }


def _upload_url(model_admin: admin.ModelAdmin) -> str:
    return reverse(f"{model_admin.admin_site.name}:archive_article_upload")


def upload_view(request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
    """Step 1 (GET) and step 2 (POST): the upload form, then the dry-run preview."""
    _check_permission(request, model_admin)
    remove_stale_staging()
    if request.method == "POST":
        form = UploadForm(
            request.POST, request.FILES, refused=getattr(request, REFUSED_ATTRIBUTE, "")
        )
        if form.is_valid():
            result = stage_and_preview(
                form.cleaned_data["files"], form.import_options(), request.user.pk
            )
            context = _context(request, model_admin, title=_("导入预览"), preview=result)
            return TemplateResponse(request, "admin/archive/article/upload_preview.html", context)
    else:
        form = UploadForm()
    context = _context(request, model_admin, title=_("导入文件"), form=form)
    return TemplateResponse(request, "admin/archive/article/upload.html", context)


def confirm_view(request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
    """Step 3: import the staged files of the token for real."""
    _check_permission(request, model_admin)
    remove_stale_staging()
    if request.method != "POST":
        return HttpResponseRedirect(_upload_url(model_admin))
    found = staged(request.POST.get("token", ""), request.user.pk)
    staging = claim(found) if found else None
    if staging is None:
        messages.error(request, gone_message())
        return HttpResponseRedirect(_upload_url(model_admin))
    for level, text in summary_messages(import_staged(staging)):
        messages.add_message(request, level, text)
    changelist = f"{model_admin.admin_site.name}:archive_article_changelist"
    return HttpResponseRedirect(reverse(changelist))


def cancel_view(request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
    """Throw an upload away without importing it."""
    _check_permission(request, model_admin)
    remove_stale_staging()
    if request.method == "POST":
        staging = staged(request.POST.get("token", ""), request.user.pk)
        if staging is not None:
            staging.discard()
            messages.info(request, _("已取消导入，上传的文件已删除。"))
        else:
            messages.error(request, gone_message())
    return HttpResponseRedirect(_upload_url(model_admin))
