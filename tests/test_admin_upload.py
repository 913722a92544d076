"""Uploading files in the admin: the form, the dry-run preview, confirming and cancelling."""

from __future__ import annotations

import io
import os
import re
import time
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from archive.models import Article, SourceDocument

UPLOAD_URL = "/admin/archive/article/upload/"
CONFIRM_URL = "/admin/archive/article/upload/confirm/"
CANCEL_URL = "/admin/archive/article/upload/cancel/"
CHANGELIST_URL = "/admin/archive/article/"

# An invented newspaper article: headline, subtitle, byline, dateline, and a page marker
# the importer drops.
NEWSPAPER = """守护一江清水
——南岭镇河长制见闻
本报记者　周明远

　　本报南岭6月3日电　清晨六点，南岭镇的巡河员已经沿着河堤走了一个来回。
　　过去两年，镇里把河道分成十二段，每段都有专人负责，河水一天比一天清。
　　“河里又能看见小鱼了。”住在河边的老人笑着说。
第2页
"""
FIRST_IN_ZIP = """山村里的读书角
本报记者　吴青禾

　　每到周末，北坡村的读书角就坐满了孩子，志愿者轮流来给他们讲故事。
　　读书角的书架是村民一起动手做的，书是各地捐来的，已经有两千多册。
"""
SECOND_IN_ZIP = """老街换新颜
本报记者　杨晓川

　　青石板路修好了，老街两旁的铺面重新开张，手艺人又回到了街上。
　　街道办请来老住户一起商量改造方案，留住了老街原来的样子。
"""
BINARY = bytes(range(256)) * 8


def text_file(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")


def zip_file(name: str, members: dict[str, str]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, text in members.items():
            archive.writestr(member, text.encode("utf-8"))
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def two_article_zip() -> SimpleUploadedFile:
    return zip_file("合集.zip", {"读书角.txt": FIRST_IN_ZIP, "老街.txt": SECOND_IN_ZIP})


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path) -> Path:
    """Staging folders go under a data directory of the test's own."""
    settings.DATA_DIR = tmp_path
    return tmp_path


def staging_folders(data_dir: Path) -> list[Path]:
    root = data_dir / "uploads"
    return sorted(root.iterdir()) if root.exists() else []


def make_staff(username: str, *permissions: str) -> User:
    user = User.objects.create_user(username, password="unused", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=permissions))
    return user


@pytest.fixture
def curator(db, client) -> User:
    user = make_staff("curator", "add_article", "change_article", "view_article")
    client.force_login(user)
    return user


def upload(client, *files, **fields):
    return client.post(UPLOAD_URL, {"files": list(files), **fields})


def token_of(response) -> str:
    match = re.search(r'name="token" value="([0-9a-f]{32})"', response.content.decode())
    assert match, "no token on the preview page"
    return match.group(1)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def assert_no_inline_script(html: str) -> None:
    for script in re.findall(r"<script\b[^>]*>", html):
        assert " src=" in script, script
    assert not re.search(r"<[^>]+\son[a-z]+=", html)


# --- access --------------------------------------------------------------------------------


def test_the_article_list_has_an_import_button_to_the_upload_form(client, curator):
    content = client.get(CHANGELIST_URL).content.decode()
    assert f'href="{UPLOAD_URL}"' in content
    assert "导入文件" in content


def test_the_upload_form_offers_files_publication_date_from_path_and_preview(client, curator):
    response = client.get(UPLOAD_URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<input type="file" name="files"[^>]* multiple', content)
    assert 'name="publication"' in content
    assert 'name="date_from_path"' in content
    assert "预览（不写入）" in content
    assert 'enctype="multipart/form-data"' in content
    assert re.search(r'<script src="[^"]*js/upload\.js" defer>', content)
    assert_no_inline_script(content)


def test_staff_without_permission_to_add_articles_get_403(client, db):
    client.force_login(make_staff("reader", "view_article"))
    assert client.get(UPLOAD_URL).status_code == 403
    assert upload(client, text_file("报道.txt", NEWSPAPER)).status_code == 403
    assert client.post(CONFIRM_URL, {"token": "0" * 32}).status_code == 403
    assert client.post(CANCEL_URL, {"token": "0" * 32}).status_code == 403


def test_the_import_button_is_not_shown_without_permission_to_add(client, db):
    client.force_login(make_staff("reader", "view_article"))
    assert UPLOAD_URL not in client.get(CHANGELIST_URL).content.decode()


# --- preview ---------------------------------------------------------------------------------


def test_preview_shows_titles_metadata_and_dropped_reasons_and_writes_nothing(
    client, curator, data_dir
):
    articles, documents = Article.objects.count(), SourceDocument.objects.count()
    response = upload(client, text_file("20230604-02.txt", NEWSPAPER))
    content = response.content.decode()
    assert response.status_code == 200
    assert "守护一江清水" in content
    assert "——南岭镇河长制见闻" in content
    assert "周明远" in content
    assert "纯文本" in content or "文本" in content
    assert re.search(r"<td>8</td><td>页码</td><td>第2页</td>", content)
    assert "确认导入" in content
    assert re.search(rf'<input type="submit" formaction="{CANCEL_URL}" value="取消">', content)
    assert_no_inline_script(content)
    assert (Article.objects.count(), SourceDocument.objects.count()) == (articles, documents)


def test_preview_lists_a_long_run_of_dropped_lines_only_in_part(client, curator, monkeypatch):
    monkeypatch.setattr("archive.uploads.MAX_DROPPED_SHOWN", 1)
    paragraphs = NEWSPAPER.split("\n")[4:7]
    pages = "\n".join(["守护一江清水", "本报记者　周明远", ""])
    for number, paragraph in enumerate(paragraphs, 1):
        pages += f"\n{paragraph}\n第{number}页"
    content = upload(client, text_file("报道.txt", pages)).content.decode()
    assert "第1页" in content
    assert "第3页" not in content
    assert "另有 2 行未列出" in content


def test_preview_applies_the_publication_and_dates_from_the_file_name(client, curator):
    # The article has no dateline: its date can only come from the file name.
    without = upload(client, text_file("20220315-01.txt", FIRST_IN_ZIP)).content.decode()
    assert "南岭日报" not in without and "2022年3月15日" not in without
    content = upload(
        client,
        text_file("20220315-01.txt", FIRST_IN_ZIP),
        publication="南岭日报",
        date_from_path="on",
    ).content.decode()
    assert "<td>南岭日报</td>" in content
    assert "<td>2022年3月15日</td>" in content


def test_preview_keeps_the_upload_in_a_private_staging_folder(client, curator, data_dir):
    token = token_of(upload(client, text_file("报道.txt", NEWSPAPER), two_article_zip()))
    [folder] = staging_folders(data_dir)
    assert folder.name == token
    assert sorted(path.name for path in (folder / "files").iterdir()) == ["合集.zip", "报道.txt"]
    assert oct(folder.stat().st_mode & 0o777) == oct(0o700)


def test_preview_of_a_zip_lists_the_articles_of_both_members(client, curator):
    content = upload(client, two_article_zip()).content.decode()
    assert "合集.zip/读书角.txt" in content and "合集.zip/老街.txt" in content
    assert "山村里的读书角" in content and "老街换新颜" in content


def test_a_bad_file_shows_its_error_and_the_others_are_still_previewed(client, curator):
    content = upload(
        client, SimpleUploadedFile("坏文件.txt", BINARY), text_file("报道.txt", NEWSPAPER)
    ).content.decode()
    error = re.search(r'<p class="errornote">([^<]*坏文件\.txt[^<]*)</p>', content)
    assert error, "the bad file's error is not shown"
    assert "守护一江清水" in content
    assert "确认导入" in content


def test_file_names_with_folders_keep_only_their_base_name(client, curator, data_dir):
    boundary = "wencui-test-boundary"
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="files"; filename="../../../报道.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
        f"{NEWSPAPER}\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    response = client.post(
        UPLOAD_URL, body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 200
    [folder] = staging_folders(data_dir)
    assert [path.name for path in (folder / "files").iterdir()] == ["报道.txt"]
    assert not (data_dir / "报道.txt").exists()


# --- form errors -----------------------------------------------------------------------------


def test_an_empty_selection_is_a_form_error(client, curator, data_dir):
    response = client.post(UPLOAD_URL, {"publication": "南岭日报"})
    assert response.status_code == 200
    assert "请选择要导入的文件。" in response.content.decode()
    assert staging_folders(data_dir) == []


def test_an_upload_over_the_size_limit_is_a_form_error(client, curator, settings, data_dir):
    settings.WENCUI_UPLOAD_MAX_MB = 0.01  # about 10 KB
    big = text_file("长文.txt", NEWSPAPER + "　　河水一天比一天清。\n" * 1000)
    response = upload(client, big)
    content = response.content.decode()
    assert response.status_code == 200
    assert "超过 0.01 MB 的上限" in content
    assert staging_folders(data_dir) == []


def test_files_that_together_pass_the_size_limit_are_a_form_error(client, curator, settings):
    settings.WENCUI_UPLOAD_MAX_MB = 0.01
    half = "　　河水一天比一天清。\n" * 200  # about 6 KB each
    response = upload(client, text_file("一.txt", half), text_file("二.txt", half))
    assert response.status_code == 200
    assert "超过 0.01 MB 的上限" in response.content.decode()


def test_more_files_than_the_limit_are_a_form_error(client, curator, settings):
    settings.WENCUI_UPLOAD_MAX_FILES = 1
    response = upload(client, text_file("一.txt", NEWSPAPER), text_file("二.txt", NEWSPAPER))
    assert response.status_code == 200
    assert "一次最多上传 1 个文件" in response.content.decode()


# --- confirm and cancel ------------------------------------------------------------------------


def test_confirm_imports_the_staged_files_and_removes_the_staging_folder(
    client, curator, data_dir, engine
):
    token = token_of(upload(client, text_file("报道.txt", NEWSPAPER), two_article_zip()))
    response = client.post(CONFIRM_URL, {"token": token})
    assert response.status_code == 302
    assert response["Location"] == CHANGELIST_URL
    titles = {"守护一江清水", "山村里的读书角", "老街换新颜"}
    assert set(Article.objects.filter(title__in=titles).values_list("title", flat=True)) == titles
    assert staging_folders(data_dir) == []
    [summary] = messages_of(response)
    assert "共 3 个文件" in summary and "新增 3 篇" in summary


def test_confirm_uses_the_options_given_with_the_upload(client, curator, engine):
    response = upload(
        client,
        text_file("20220315-01.txt", FIRST_IN_ZIP),
        publication="南岭日报",
        date_from_path="on",
    )
    client.post(CONFIRM_URL, {"token": token_of(response)})
    article = Article.objects.get(title="山村里的读书角")
    assert article.publication.name == "南岭日报"
    assert (article.year, article.month, article.day) == (2022, 3, 15)


def test_a_bad_file_fails_alone_and_the_others_are_imported(client, curator, engine):
    token = token_of(
        upload(client, SimpleUploadedFile("坏文件.txt", BINARY), text_file("报道.txt", NEWSPAPER))
    )
    response = client.post(CONFIRM_URL, {"token": token})
    assert Article.objects.filter(title="守护一江清水").exists()
    assert not SourceDocument.objects.filter(name="坏文件.txt").exists()
    summary, failure = messages_of(response)
    assert "失败 1 个" in summary and "新增 1 篇" in summary
    assert failure.startswith("导入失败：") and "坏文件.txt" in failure


def test_a_stray_nul_is_shown_in_the_preview_removed_and_counted_in_the_summary(
    client, curator, engine
):
    text = NEWSPAPER.replace("清晨六点", "清晨\x00六点")
    preview = upload(client, text_file("报道.txt", text))
    assert "数据库无法保存的字符（已清除）" in preview.content.decode()
    response = client.post(CONFIRM_URL, {"token": token_of(preview)})
    (summary,) = messages_of(response)
    assert "1 行清除了数据库无法保存的字符" in summary
    assert "清晨六点" in Article.objects.get(title="守护一江清水").body


def test_the_summary_shows_on_the_article_list(client, curator, engine):
    token = token_of(upload(client, text_file("报道.txt", NEWSPAPER)))
    content = client.post(CONFIRM_URL, {"token": token}, follow=True).content.decode()
    assert "共 1 个文件" in content


@pytest.mark.parametrize("token", ["0" * 32, "../../secret_key", "ABCDEF" * 6, ""])
def test_a_token_that_does_not_exist_gives_a_message_not_a_500(client, curator, token):
    articles = Article.objects.count()
    response = client.post(CONFIRM_URL, {"token": token})
    assert response.status_code == 302
    assert response["Location"] == UPLOAD_URL
    assert any("已不存在" in message for message in messages_of(response))
    assert Article.objects.count() == articles


def test_a_token_used_once_cannot_import_again(client, curator, engine):
    token = token_of(upload(client, text_file("报道.txt", NEWSPAPER)))
    client.post(CONFIRM_URL, {"token": token})
    response = client.post(CONFIRM_URL, {"token": token})
    assert any("已不存在" in message for message in messages_of(response))


def test_another_curator_cannot_confirm_an_upload(client, curator, data_dir):
    token = token_of(upload(client, text_file("报道.txt", NEWSPAPER)))
    client.force_login(make_staff("other", "add_article", "view_article"))
    response = client.post(CONFIRM_URL, {"token": token})
    assert any("已不存在" in message for message in messages_of(response))
    assert not Article.objects.filter(title="守护一江清水").exists()
    assert len(staging_folders(data_dir)) == 1


def test_cancel_removes_the_staging_folder_and_imports_nothing(client, curator, data_dir):
    articles = Article.objects.count()
    token = token_of(upload(client, text_file("报道.txt", NEWSPAPER)))
    response = client.post(CANCEL_URL, {"token": token})
    assert response.status_code == 302
    assert staging_folders(data_dir) == []
    assert Article.objects.count() == articles
    assert any("已取消" in message for message in messages_of(response))


def test_staging_folders_older_than_a_day_are_removed_when_the_page_is_used(
    client, curator, data_dir
):
    token = token_of(upload(client, text_file("报道.txt", NEWSPAPER)))
    folder = data_dir / "uploads" / token
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(folder, (two_days_ago, two_days_ago))
    client.get(UPLOAD_URL)
    assert not folder.exists()


def test_a_recent_staging_folder_is_kept_when_the_page_is_used(client, curator, data_dir):
    token = token_of(upload(client, text_file("报道.txt", NEWSPAPER)))
    client.get(UPLOAD_URL)
    assert (data_dir / "uploads" / token).is_dir()


# --- the rest of the admin ---------------------------------------------------------------------


def test_the_article_form_has_subtitle_day_url_and_record_fields(client, curator):
    article = Article.objects.first()
    content = client.get(f"{CHANGELIST_URL}{article.pk}/change/").content.decode()
    for name in ("subtitle", "day", "url", "is_record"):
        assert f'name="{name}"' in content, name


def test_a_source_document_shows_its_format_line_count_and_dropped_lines(client, curator, engine):
    curator.user_permissions.add(Permission.objects.get(codename="view_sourcedocument"))
    client.post(CONFIRM_URL, {"token": token_of(upload(client, text_file("报道.txt", NEWSPAPER)))})
    document = SourceDocument.objects.get(name="报道.txt")
    listing = client.get("/admin/archive/sourcedocument/").content.decode()
    assert "报道.txt" in listing
    content = client.get(f"/admin/archive/sourcedocument/{document.pk}/change/").content.decode()
    assert document.format and document.format in content
    assert f'<div class="readonly">{document.line_count}</div>' in content
    assert "<td>8</td><td>页码</td><td>第2页</td>" in content
