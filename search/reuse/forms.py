"""Validation of a reuse check's input, shared by the page and the API."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from archive.ingest import ImportFailed
from search.reuse.passages import HIGHEST_MIN_LENGTH, LOWEST_MIN_LENGTH, MAX_PASSAGE, MIN_LENGTH
from search.reuse.uploads import EXTENSIONS, MAX_UPLOAD_BYTES, passage_from_file


class MinLengthForm(forms.Form):
    """The shortest run reported (`min`), LOWEST_MIN_LENGTH–HIGHEST_MIN_LENGTH characters."""

    min = forms.IntegerField(
        required=False,
        min_value=LOWEST_MIN_LENGTH,
        max_value=HIGHEST_MIN_LENGTH,
        label=gettext_lazy("最短重复字数"),
    )

    def clean_min(self) -> int | None:
        return self.cleaned_data["min"]

    def error_text(self) -> str:
        labels = {
            "min": gettext("最短重复字数"),
            "text": gettext("文字"),
            "file": gettext("上传的文件"),
            "__all__": "",
        }
        return "；".join(
            f"{labels.get(name, name)}：{' '.join(errors)}"
            if labels.get(name)
            else " ".join(errors)
            for name, errors in self.errors.items()
        )


class ReuseForm(MinLengthForm):
    """A passage, pasted (`text`) or uploaded (`file`, .txt or .docx), of at most MAX_PASSAGE
    characters; `passage` in cleaned_data is the one to check."""

    text = forms.CharField(
        required=False,
        strip=False,
        max_length=MAX_PASSAGE,
        label=gettext_lazy("文字"),
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    file = forms.FileField(required=False, label=gettext_lazy("上传的文件"))

    field_order = ["text", "file", "min"]

    def clean_min(self) -> int:
        return self.cleaned_data["min"] or MIN_LENGTH

    def clean_file(self) -> str | None:
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        name = upload.name or ""
        if not name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(gettext("只能上传 .txt 或 .docx 文件。"))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(gettext("文件太大，最多 5 MB。"))
        try:
            return passage_from_file(name=name, data=upload.read())
        except ImportFailed as error:
            raise forms.ValidationError(
                gettext("无法读取这个文件：%(reason)s") % {"reason": error}
            ) from None

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        passage = data.get("file") or data.get("text") or ""
        if not passage.strip():
            raise forms.ValidationError(gettext("请粘贴一段文字，或上传 .txt、.docx 文件。"))
        if len(passage) > MAX_PASSAGE:
            raise forms.ValidationError(
                gettext("文字太长：最多 %(max)s 字，这里有 %(n)s 字。")
                % {"max": MAX_PASSAGE, "n": len(passage)}
            )
        data["passage"] = passage
        return data
