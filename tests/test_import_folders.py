"""import_articles on folders and .zip archives, with the options a whole collection takes."""

from __future__ import annotations

import shutil
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from archive.models import Article, Keyword, Publication, SourceDocument

TEXT = Path(__file__).resolve().parent / "fixtures" / "ingest" / "text"
# One article each.
FILES = len(list(TEXT.rglob("*.txt")))
GOVERNMENT_REPORTS = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "corpus"
    / "real"
    / "government_work_reports.jsonl"
)


@pytest.fixture
def empty_db(db):
    Article.objects.all().delete()
    for model in (SourceDocument, Publication, Keyword):
        model.objects.all().delete()


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    """A folder as people keep them: a day of a newspaper in a dated folder, loose files
    and the litter of an operating system."""
    folder = tmp_path / "收藏"
    shutil.copytree(TEXT, folder)
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    return folder


def run(*args: object) -> str:
    out = StringIO()
    call_command("import_articles", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_folder_is_read_recursively_one_article_per_file(empty_db, collection):
    out = run(collection)

    assert Article.objects.count() == FILES
    assert f"共 {FILES} 个文件" in out
    names = list(SourceDocument.objects.order_by("name").values_list("name", flat=True))
    assert "收藏/rmrb/2019-10-08/01-03.txt" in names
    assert not any(".DS_Store" in name for name in names)


def test_reimporting_an_unchanged_folder_changes_nothing(empty_db, collection):
    run(collection)
    before = list(Article.objects.order_by("id").values_list("id", "updated"))

    out = run(collection)

    assert list(Article.objects.order_by("id").values_list("id", "updated")) == before
    assert f"未改变 {FILES} 个" in out


def test_a_changed_file_updates_its_article_in_place(empty_db, collection):
    run(collection)
    path = collection / "speech.txt"
    article = Article.objects.get(title="在全县乡村振兴工作推进会上的讲话")
    path.write_text(path.read_text(encoding="utf-8").replace("我完全同意", "我都同意"), "utf-8")

    out = run(collection)

    changed = Article.objects.get(pk=article.pk)
    assert "我都同意" in changed.body
    assert "更新 1 篇" in out
    assert Article.objects.count() == FILES


def test_a_one_article_file_with_a_new_title_keeps_its_article(empty_db, collection):
    run(collection)
    path = collection / "speech.txt"
    article = Article.objects.get(title="在全县乡村振兴工作推进会上的讲话")
    path.write_text(path.read_text(encoding="utf-8").replace("推进会", "部署会"), "utf-8")

    run(collection)

    assert Article.objects.get(pk=article.pk).title == "在全县乡村振兴工作部署会上的讲话"
    assert Article.objects.count() == FILES


def test_a_zip_archive_is_read_like_a_folder(empty_db, collection, tmp_path):
    archive = tmp_path / "剪报.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted(collection.rglob("*.txt")):
            bundle.write(path, path.relative_to(collection).as_posix())

    run(archive)

    assert Article.objects.count() == FILES
    assert SourceDocument.objects.filter(name="剪报.zip/speech.txt").exists()


def test_publication_option_fills_articles_that_name_none(empty_db, collection):
    run(collection / "rmrb", "--publication", "东江日报")

    assert set(Article.objects.values_list("publication__name", flat=True)) == {"东江日报"}


def test_date_from_path_dates_articles_that_have_no_date(empty_db, collection):
    run(collection / "rmrb", "--date-from-path")

    article = Article.objects.get(title="把学习成果转化为推动发展的实际行动")
    assert (article.year, article.month, article.day) == (2019, 10, 8)
    dated_by_text = Article.objects.get(title="青山绿水间的“生态账”")
    assert (dated_by_text.year, dated_by_text.month, dated_by_text.day) == (2019, 10, 7)


def test_dry_run_shows_each_file_with_its_dropped_lines_and_writes_nothing(empty_db, tmp_path):
    path = tmp_path / "减负.txt"
    path.write_text("基层减负见实效\n2/ 4各级党组织要把这项工作抓紧抓实。\n", encoding="utf-8")

    out = run(path, "--dry-run")

    assert Article.objects.count() == 0
    assert f"== {path}（纯文本）" in out
    assert "第 2 行 [页码] 2/ 4" in out
    assert "已写入" not in out
    assert out.rstrip().endswith("（试运行，未写入）")


def test_an_unknown_field_in_a_map_is_refused_with_the_fields_we_have(empty_db, tmp_path):
    with pytest.raises(CommandError, match="可用：title"):
        run(tmp_path, "--map", "正文=content")


def test_the_government_work_reports_come_in_whole(empty_db):
    records = GOVERNMENT_REPORTS.read_text(encoding="utf-8").splitlines()

    run(GOVERNMENT_REPORTS)

    assert Article.objects.count() == len(records) == 72
    assert Article.objects.exclude(year=None).count() == 52
