"""Tests for import_articles and export_articles on the bundled compilation and exports,
on a real SQLite database."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import tracemalloc
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from archive.ingest import ImportFailed, ImportOptions, SourceFile, import_source
from archive.ingest.formats.compilation import parse_raw_text
from archive.management.commands.import_articles import Command as ImportCommand
from archive.models import Article, ArticleKeyword, Keyword, Publication, SourceDocument

BASE_DIR = Path(__file__).resolve().parent.parent
CORPUS = BASE_DIR / "fixtures" / "grassroots-party-organisations.txt"

PUBLICATIONS = {"商情", "求知", "大东方", "新长征·党建版", "青年生活"}
AUTHORS = {"杨姿姮", "中共天津市委党校课题组", "旦正", "高洪宝", "张小康", "高尚忠"}
EDITED_TITLE = "浅议怎样发挥基层党组织的战斗堡垒作用"
REMOVED_TITLE = "浅谈如何发挥基层党组织战斗堡垒作用"
ADDED_TITLE = "新时代基层党组织建设的几点思考"
ADDED_LINES = [
    ADDED_TITLE,
    "基层党组织建设要坚持问题导向，找准工作的切入点和着力点。",
    "要把党员队伍建设好，让每一名党员都成为一面旗帜。",
]


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def empty_db(db):
    """The session database holds the bundled corpus; these tests start without it."""
    Article.objects.all().delete()
    for model in (SourceDocument, Publication, Keyword):
        model.objects.all().delete()


def import_path(*, path: Path, progress=None, dry_run: bool = False):
    """One file through the importer, as the command imports each file."""
    source = SourceFile.from_path(Path(path), label=str(path))
    report = import_source(source, ImportOptions(dry_run=dry_run), progress)
    if report.error:
        raise ImportFailed(report.error)
    return report


def run_import(*args) -> str:
    out = StringIO()
    call_command("import_articles", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue()


def import_error(*args) -> str:
    with pytest.raises(CommandError) as failure:
        run_import(*args)
    return str(failure.value)


def cli(capsys, *argv) -> tuple[int, str, str]:
    """Run import_articles as manage.py would: (exit status, stdout, stderr)."""
    command = ImportCommand()
    # manage.py closes the database connections at the end; here that would end the test's
    # own transaction (on SQLite's in-memory test database, closing does nothing).
    with mock.patch.object(connections, "close_all"):
        try:
            command.run_from_argv(
                ["manage.py", "import_articles", "--skip-checks", *map(str, argv)]
            )
            status = 0
        except SystemExit as exit_:
            status = exit_.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def export_text() -> str:
    out = StringIO()
    call_command("export_articles", stdout=out, stderr=StringIO())
    return out.getvalue()


def snapshot() -> dict[str, list]:
    """Everything the importer may write, to compare before and after."""
    return {
        "articles": list(
            Article.objects.order_by("id").values_list(
                "id",
                "title",
                "author",
                "publication_id",
                "issue_label",
                "year",
                "month",
                "abstract",
                "body",
                "source_document_id",
                "source_lines",
                "fingerprint",
                "created",
                "updated",
            )
        ),
        "links": list(
            ArticleKeyword.objects.order_by("id").values_list(
                "article_id", "keyword_id", "position"
            )
        ),
        "publications": list(Publication.objects.order_by("id").values_list("id", "name")),
        "keywords": list(Keyword.objects.order_by("id").values_list("id", "name")),
        "documents": list(
            SourceDocument.objects.order_by("id").values_list(
                "id", "name", "sha256", "line_count", "dropped_lines", "imported_at"
            )
        ),
    }


def synthetic_text(count: int, *, paragraphs: int = 3, variant: str = "") -> str:
    """A compilation of `count` distinct articles: each a title line, its own source line
    (what marks a text as a compilation of several) and a few paragraphs."""
    sentence = "基层党组织是党在社会基层组织中的战斗堡垒，是党的全部工作和战斗力的基础。"
    lines = []
    for i in range(count):
        lines.append(f"关于基层党组织建设的思考（编号{i}）")
        lines.append(f"来源：《党建研究》2020年第{i % 12 + 1}期")
        for j in range(paragraphs):
            lines.append(f"第{j}段：{sentence}这是第{i}篇文章的第{j}段{variant}。")
    return "\n".join(lines) + "\n"


# --- raw text ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bundled_file_imports_18_articles_with_their_publications_and_authors(empty_db):
    out = run_import(CORPUS)

    assert last_line(out) == f"{CORPUS}: 新增 18 篇，更新 0 篇，未变 0 篇，删除 0 篇，重复 0 篇"
    assert Article.objects.count() == 18
    assert set(Publication.objects.values_list("name", flat=True)) == PUBLICATIONS
    assert Article.objects.exclude(publication=None).count() == 6
    assert set(Article.objects.exclude(author="").values_list("author", flat=True)) == AUTHORS
    article = Article.objects.get(title=EDITED_TITLE)
    assert (article.author, article.publication.name, article.issue_label, article.year) == (
        "杨姿姮",
        "商情",
        "2020年第36期",
        2020,
    )
    assert article.keyword_names == ["基层党组", "战斗堡垒", "作用"]
    document = SourceDocument.objects.get()
    assert document.name == CORPUS.name
    assert document.sha256 == hashlib.sha256(CORPUS.read_bytes()).hexdigest()
    assert document.line_count == 319
    assert set(Article.objects.values_list("source_document", flat=True)) == {document.pk}


@pytest.mark.django_db
def test_stored_articles_and_dropped_lines_are_what_parse_raw_text_gives(empty_db):
    run_import(CORPUS)

    result = parse_raw_text(CORPUS.read_text(encoding="utf-8"))
    expected = [
        (
            a.title,
            a.author,
            a.publication or None,
            a.issue_label,
            a.year,
            a.month,
            a.abstract,
            a.keywords,
            "\n".join(a.paragraphs),
            "\n".join(f"{n}\t{t}" for n, t in a.source_lines),
        )
        for a in result.articles
    ]
    stored = [
        (
            a.title,
            a.author,
            a.publication.name if a.publication else None,
            a.issue_label,
            a.year,
            a.month,
            a.abstract,
            a.keyword_names,
            a.body,
            a.source_lines,
        )
        for a in Article.objects.order_by("id")
    ]
    assert stored == expected
    dropped = sorted(
        [*result.dropped, *(d for a in result.articles for d in a.dropped)],
        key=lambda d: d.number,
    )
    expected_dropped = "\n".join(f"{d.number}\t{d.reason}\t{d.text}" for d in dropped)
    assert SourceDocument.objects.get().dropped_lines == expected_dropped


@pytest.mark.django_db
def test_reimporting_an_unchanged_file_says_so_and_changes_nothing(empty_db):
    run_import(CORPUS)
    before = snapshot()

    out = run_import(CORPUS)

    assert last_line(out) == f"{CORPUS}: 文件未改变，跳过"
    assert snapshot() == before


@pytest.mark.django_db
def test_changed_file_updates_its_articles_in_place_keeping_their_ids(empty_db, tmp_path):
    first = tmp_path / "v1" / CORPUS.name
    first.parent.mkdir()
    shutil.copy(CORPUS, first)
    run_import(first)
    ids = dict(Article.objects.values_list("title", "id"))
    updated = dict(Article.objects.values_list("id", "updated"))
    # Fix a typo in one article, remove another one, add a new one at the end.
    text = CORPUS.read_text(encoding="utf-8")
    assert text.count("基层组織") == 1
    removed = next(a for a in parse_raw_text(text).articles if a.title == REMOVED_TITLE)
    removed_lines = {n for n, _ in removed.source_lines}
    lines = text.replace("基层组織", "基层组织").split("\n")
    kept = [line for n, line in enumerate(lines, 1) if n not in removed_lines]
    second = tmp_path / "v2" / CORPUS.name
    second.parent.mkdir()
    second.write_text("\n".join([*kept, *ADDED_LINES]) + "\n", encoding="utf-8")

    out = run_import(second)

    assert f"{second}: 新增 1 篇，更新 1 篇，未变 16 篇，删除 1 篇，重复 0 篇" in out
    assert f"删除：{REMOVED_TITLE}" in out
    assert not Article.objects.filter(title=REMOVED_TITLE).exists()
    edited = Article.objects.get(title=EDITED_TITLE)
    assert edited.pk == ids[EDITED_TITLE]
    assert "基层组织中的战斗堡垒" in edited.body
    assert edited.updated > updated[edited.pk]
    for article in Article.objects.exclude(title__in=[EDITED_TITLE, ADDED_TITLE]):
        assert article.pk == ids[article.title]
        assert article.updated == updated[article.pk]
    added = Article.objects.get(title=ADDED_TITLE)
    assert added.pk > max(ids.values())
    assert added.body == "\n".join(ADDED_LINES[1:])
    document = SourceDocument.objects.get()
    assert document.sha256 == hashlib.sha256(second.read_bytes()).hexdigest()


@pytest.mark.django_db
def test_lines_moving_up_renumbers_source_lines_without_counting_an_update(empty_db, tmp_path):
    path = tmp_path / "moved.txt"
    path.write_text(synthetic_text(3), encoding="utf-8")
    run_import(path)
    last = Article.objects.get(title="关于基层党组织建设的思考（编号2）")
    path.write_text("\n\n\n" + synthetic_text(3), encoding="utf-8")

    out = run_import(path)

    assert last_line(out) == f"{path}: 新增 0 篇，更新 0 篇，未变 3 篇，删除 0 篇，重复 0 篇"
    moved = Article.objects.get(pk=last.pk)
    assert moved.source_lines.split("\t", 1)[0] == str(int(last.source_lines.split("\t", 1)[0]) + 3)
    assert moved.updated == last.updated


@pytest.mark.django_db
def test_two_articles_with_the_same_title_are_matched_in_order(empty_db, tmp_path):
    title = "关于加强基层党组织建设的意见"
    body_one = ["第一篇的第一段，讲基层党组织的作用。", "第一篇的第二段，讲党员的先锋模范作用。"]
    body_two = ["第二篇的第一段，讲疫情防控中的堡垒作用。", "第二篇的第二段，讲群众工作。"]
    path = tmp_path / "same-title.txt"
    source = "来源：《党建研究》2020年第1期"
    path.write_text(
        "\n".join([title, source, *body_one, title, source, *body_two]) + "\n", encoding="utf-8"
    )
    run_import(path)
    one, two = Article.objects.order_by("id")
    body_two[1] = "第二篇的第二段，改讲组织生活。"
    path.write_text(
        "\n".join([title, source, *body_one, title, source, *body_two]) + "\n", encoding="utf-8"
    )

    out = run_import(path)

    assert last_line(out) == f"{path}: 新增 0 篇，更新 1 篇，未变 1 篇，删除 0 篇，重复 0 篇"
    assert Article.objects.get(pk=one.pk).updated == one.updated
    assert Article.objects.get(pk=two.pk).body == "\n".join(body_two)


@pytest.mark.django_db
def test_article_already_imported_from_another_file_is_reported_as_a_duplicate(empty_db, tmp_path):
    (tmp_path / "a.txt").write_text(synthetic_text(1), encoding="utf-8")
    (tmp_path / "b.txt").write_text(synthetic_text(2), encoding="utf-8")
    run_import(tmp_path / "a.txt")

    out = run_import(tmp_path / "b.txt")

    assert f"{tmp_path / 'b.txt'}: 新增 1 篇，更新 0 篇，未变 0 篇，删除 0 篇，重复 1 篇" in out
    assert "重复，未导入：关于基层党组织建设的思考（编号0）" in out
    assert Article.objects.count() == 2
    first = Article.objects.get(title="关于基层党组织建设的思考（编号0）")
    assert first.source_document.name == "a.txt"


@pytest.mark.django_db
def test_gb18030_file_is_accepted(empty_db, tmp_path):
    path = tmp_path / "gb.txt"
    path.write_bytes(CORPUS.read_text(encoding="utf-8").encode("gb18030"))

    out = run_import(path)

    assert "新增 18 篇" in last_line(out)
    assert set(Publication.objects.values_list("name", flat=True)) == PUBLICATIONS


@pytest.mark.django_db
def test_bom_and_crlf_line_ends_give_the_same_articles_and_line_numbers(empty_db, tmp_path):
    path = tmp_path / "windows.txt"
    text = CORPUS.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))

    run_import(path)

    expected = parse_raw_text(text).articles
    stored = list(Article.objects.order_by("id"))
    assert [a.title for a in stored] == [a.title for a in expected]
    assert [a.source_lines for a in stored] == [
        "\n".join(f"{n}\t{t}" for n, t in a.source_lines) for a in expected
    ]


@pytest.mark.django_db
def test_invalid_utf8_after_the_first_64_kb_fails_naming_the_line_and_changes_nothing(
    tmp_path,
):
    before = snapshot()  # the session database already holds the corpus
    body = CORPUS.read_bytes().rstrip(b"\n") + b"\n"
    assert len(body) * 2 > 64 * 1024
    path = tmp_path / CORPUS.name
    path.write_bytes(body * 2 + b"\xe5\x9f good start, then \xff\xfe\n" + body)

    message = import_error(path)

    assert message == f"{path}: 第 639 行不是有效的 UTF-8 文本"
    assert snapshot() == before


@pytest.mark.django_db
def test_import_interrupted_while_storing_leaves_the_database_as_it_was(empty_db, tmp_path):
    path = tmp_path / "many.txt"
    path.write_text(synthetic_text(150), encoding="utf-8")
    import_path(path=path)
    before = snapshot()
    path.write_text(synthetic_text(250, variant="（修订）"), encoding="utf-8")

    def interrupt(message: str) -> None:
        if message.startswith("已处理 200/"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_path(path=path, progress=interrupt)

    assert snapshot() == before


@pytest.mark.django_db
def test_dry_run_prints_the_table_and_dropped_lines_and_writes_nothing(empty_db):
    before = snapshot()

    out = run_import("--dry-run", CORPUS)

    assert snapshot() == before
    lines = out.splitlines()
    assert ["标题", "作者", "刊物", "日期", "段落"] in [line.split() for line in lines]
    row = next(line for line in lines if line.startswith("发挥基层党支部的战斗堡垒作用 "))
    assert row.split() == ["发挥基层党支部的战斗堡垒作用", "高洪宝", "新长征·党建版", "2020", "17"]
    assert "  第 1 行 [无正文的标题] 在夺取防控和发展双胜利中发挥基层党组织战斗堡垒作用" in lines
    assert last_line(out) == (
        f"{CORPUS}: 新增 18 篇，更新 0 篇，未变 0 篇，删除 0 篇，重复 0 篇（试运行，未写入）"
    )


# --- bad input -------------------------------------------------------------------------------


def _write(content: bytes):
    def make(tmp_path: Path) -> Path:
        path = tmp_path / "input.txt"
        path.write_bytes(content)
        return path

    return make


def _directory(tmp_path: Path) -> Path:
    (tmp_path / "folder").mkdir()
    return tmp_path / "folder"


JAPANESE = "これは日本語の文章です。\n漢字と仮名。\n" * 20
TRADITIONAL = "基層黨組織是黨在社會基層組織中的戰鬥堡壘，是黨的全部工作和戰鬥力的基礎。\n" * 5
_RNG = random.Random(7)
_RANDOM = bytes(_RNG.randrange(1, 256) for _ in range(4096))  # no NUL: not "binary"

BAD_INPUTS = {
    "missing": (lambda tmp_path: tmp_path / "nowhere.txt", "文件不存在"),
    "empty-directory": (_directory, "目录是空的"),
    "empty": (_write(b""), "文件是空的"),
    "only-whitespace": (_write(" \n\n\t\u3000\n".encode()), "文件是空的"),
    "binary": (_write(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256))), "不是文本"),
    # Mostly NUL with no signature of a known format: binary, not a text with stray NULs.
    "nul-padded": (_write(b"\x00" * 4000 + "基层党组织\n".encode()), "含有 NUL 字节，是二进制文件"),
    "shift-jis": (_write(JAPANESE.encode("shift_jis")), "不像简体中文"),
    "big5": (_write(TRADITIONAL.encode("big5")), "不像简体中文"),
    "random-bytes": (_write(_RANDOM), "不是 UTF-8、GB18030 或 UTF-16"),
    "utf-32": (_write("基层党组织\n".encode("utf-32")), "UTF-32"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", BAD_INPUTS)
def test_bad_input_fails_with_one_line_naming_the_file_and_writes_nothing(kind, tmp_path, capsys):
    make, reason = BAD_INPUTS[kind]
    path = make(tmp_path)
    before = snapshot()

    status, _, err = cli(capsys, path)

    assert status != 0
    assert len(err.strip().splitlines()) == 1
    assert str(path) in err
    assert reason in err
    assert snapshot() == before


@pytest.mark.django_db
def test_with_several_files_a_bad_one_fails_alone_and_the_exit_status_is_non_zero(
    empty_db, tmp_path, capsys
):
    good = tmp_path / "good.txt"
    good.write_text(synthetic_text(2), encoding="utf-8")
    missing = tmp_path / "missing.txt"

    status, out, err = cli(capsys, CORPUS, missing, good)

    assert status != 0
    assert f"{missing}: 文件不存在" in err
    assert f"{CORPUS}: 新增 18 篇" in out
    assert f"{good}: 新增 2 篇" in out
    assert Article.objects.count() == 20


# --- Characters no database can store ------------------------------------------------------

PARAGRAPH = "基层党组织是党的全部工作和战斗力的基础，" * 30 + "必须抓紧抓好。"
UNREADABLE = "数据库无法保存的字符（已清除）"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "title_line"),
    [("意见.txt", "关于加强支部建设的意见"), ("意见.md", "# 关于加强支部建设的意见")],
)
def test_stray_nuls_are_removed_with_a_dropped_line_each(tmp_path, capsys, name, title_line):
    path = tmp_path / name
    lines = [
        title_line,
        "",
        PARAGRAPH,
        "",
        "第二段\x00落在这里。",
        "",
        "\x00\x00",
        "",
        "结尾一段话。",
    ]
    path.write_bytes("\n".join(lines).encode())

    status, out, _ = cli(capsys, "--dry-run", path)
    assert status == 0
    assert f"  第 5 行 [{UNREADABLE}] \\u0000" in out
    assert f"  第 7 行 [{UNREADABLE}] \\u0000" in out

    status, out, _ = cli(capsys, path)
    assert status == 0
    assert last_line(out) == (
        f"{path}: 新增 1 篇，更新 0 篇，未变 0 篇，删除 0 篇，重复 0 篇，"
        "2 行清除了数据库无法保存的字符（见舍弃的行）"
    )
    article = Article.objects.get(title="关于加强支部建设的意见")
    assert article.paragraphs == [PARAGRAPH, "第二段落在这里。", "结尾一段话。"]
    assert "\x00" not in article.source_lines
    assert f"5\t{UNREADABLE}\t\\u0000" in article.source_document.dropped_lines.split("\n")


@pytest.mark.django_db
def test_escaped_nul_and_lone_surrogate_in_a_table_are_removed_and_reported(tmp_path, capsys):
    path = tmp_path / "表.jsonl"
    path.write_text(
        '{"title": "表里的\\u0000标题", "content": "正文\\ud800。"}\n', encoding="utf-8"
    )

    status, out, _ = cli(capsys, "--dry-run", path)
    assert f"  第 1 行 [{UNREADABLE}] \\u0000\\ud800" in out
    assert cli(capsys, path)[0] == 0

    article = Article.objects.get(title="表里的标题")
    assert article.body == "正文。"


@pytest.mark.django_db
def test_an_export_holding_a_nul_imports_without_it_and_says_so(tmp_path, capsys):
    record = json.loads(export_text().splitlines()[0])
    record.update(id=987654, title="导出里的\x00标题", paragraphs=["带\x00的段落"])
    path = tmp_path / "archive.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")

    status, out, _ = cli(capsys, path)

    assert status == 0, out
    assert "1 行清除了数据库无法保存的字符" in last_line(out)
    article = Article.objects.get(pk=987654)
    assert (article.title, article.body) == ("导出里的标题", "带的段落")


# --- JSON Lines ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_import_into_an_empty_database_export_is_byte_identical(tmp_path):
    first = tmp_path / "first.jsonl"
    second = tmp_path / "second.jsonl"
    call_command("export_articles", "--output", str(first), stdout=StringIO(), stderr=StringIO())
    Article.objects.all().delete()
    for model in (SourceDocument, Publication, Keyword):
        model.objects.all().delete()

    out = run_import(first)
    call_command("export_articles", "--output", str(second), stdout=StringIO(), stderr=StringIO())

    assert "新增 18 篇" in last_line(out)
    assert second.read_bytes() == first.read_bytes()


@pytest.mark.django_db
def test_export_writes_one_sorted_json_object_per_article_with_every_field():
    lines = export_text().splitlines()

    assert len(lines) == Article.objects.count()
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)
    article = Article.objects.get(title=EDITED_TITLE)
    record = next(r for r in records if r["id"] == article.pk)
    assert record == {
        "id": article.pk,
        "title": EDITED_TITLE,
        "subtitle": "",
        "author": "杨姿姮",
        "publication": "商情",
        "issue_label": "2020年第36期",
        "issue_number": 36,
        "year": 2020,
        "month": None,
        "day": None,
        "abstract": article.abstract,
        "keywords": ["基层党组", "战斗堡垒", "作用"],
        "paragraphs": article.paragraphs,
        "url": "",
        "is_record": False,
        "source_document": CORPUS.name,
        "source_lines": article.source_lines,
        "fingerprint": article.fingerprint,
        "created": article.created.isoformat(),
        "updated": article.updated.isoformat(),
    }
    assert lines[0] == json.dumps(
        records[0], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )


@pytest.mark.django_db
def test_jsonl_import_keeps_the_exported_ids(tmp_path):
    Article.objects.filter(
        pk__in=list(Article.objects.order_by("id").values_list("pk", flat=True)[2:5])
    ).delete()
    ids = list(Article.objects.order_by("id").values_list("pk", flat=True))
    path = tmp_path / "export.jsonl"
    path.write_text(export_text(), encoding="utf-8")
    Article.objects.all().delete()

    run_import(path)

    assert list(Article.objects.order_by("id").values_list("pk", flat=True)) == ids


@pytest.mark.django_db
def test_jsonl_article_whose_id_is_taken_gets_a_new_id_after_all_exported_ids(tmp_path):
    ids = list(Article.objects.order_by("id").values_list("pk", flat=True))
    path = tmp_path / "export.jsonl"
    path.write_text(export_text(), encoding="utf-8")
    displaced_title = Article.objects.get(pk=ids[0]).title
    Article.objects.all().delete()
    Article.objects.create(id=ids[0], title="另一篇文章", body="占用了这个编号的另一篇文章。")

    run_import(path)

    assert Article.objects.get(pk=ids[0]).title == "另一篇文章"
    assert Article.objects.get(title=displaced_title).pk > max(ids)
    assert set(Article.objects.values_list("pk", flat=True)) > set(ids[1:])


@pytest.mark.django_db
def test_importing_an_export_into_the_same_database_changes_nothing(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text(export_text(), encoding="utf-8")
    before = snapshot()

    out = run_import(path)

    assert last_line(out) == f"{path}: 新增 0 篇，更新 0 篇，未变 18 篇，删除 0 篇，重复 0 篇"
    assert snapshot() == before


@pytest.mark.django_db
def test_jsonl_record_with_changed_fields_updates_the_article_with_the_files_times(tmp_path):
    records = [json.loads(line) for line in export_text().splitlines()]
    records[4]["abstract"] = "新写的摘要。"
    records[4]["keywords"] = ["新关键词", "党建"]
    records[4]["updated"] = "2031-05-06T07:08:09.123456+00:00"
    path = tmp_path / "edited.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")

    out = run_import(path)

    assert last_line(out) == f"{path}: 新增 0 篇，更新 1 篇，未变 17 篇，删除 0 篇，重复 0 篇"
    article = Article.objects.get(pk=records[4]["id"])
    assert article.abstract == "新写的摘要。"
    assert article.keyword_names == ["新关键词", "党建"]
    assert article.updated.isoformat() == "2031-05-06T07:08:09.123456+00:00"
    assert article.created.isoformat() == records[4]["created"]


@pytest.mark.django_db
def test_dry_run_of_an_export_reports_the_changes_and_writes_nothing(tmp_path):
    records = [json.loads(line) for line in export_text().splitlines()]
    records[0]["abstract"] = "新写的摘要。"
    records[1]["id"] = 5000
    records[1]["title"] = "只在导入文件中的文章"
    path = tmp_path / "edited.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    before = snapshot()

    out = run_import("--dry-run", path)

    assert last_line(out) == (
        f"{path}: 新增 1 篇，更新 1 篇，未变 16 篇，删除 0 篇，重复 0 篇（试运行，未写入）"
    )
    assert snapshot() == before


@pytest.mark.django_db
def test_jsonl_with_a_bad_line_3_fails_naming_it_and_changes_nothing(tmp_path):
    records = [json.loads(line) for line in export_text().splitlines()[:3]]
    for number, record in enumerate(records, 1):
        record["id"] = 1000 + number
        record["title"] = f"只在导入文件中的文章{number}"
    records[2]["year"] = "2020"
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    before = snapshot()

    message = import_error(path)

    assert message == f"{path}: 第 3 行的字段“year”应为1–9999 的整数或 null"
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "不是有效的 JSON"),
        ("[1, 2]", "不是 JSON 对象"),
        ('{"id": 1}', "缺少字段"),
    ],
)
def test_malformed_jsonl_line_fails_naming_the_line(line, problem, tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text(export_text().splitlines()[0] + "\n" + line + "\n", encoding="utf-8")

    message = import_error(path)

    assert message.startswith(f"{path}: 第 2 行")
    assert problem in message


# --- export_articles -------------------------------------------------------------------------


@pytest.mark.django_db
def test_failed_export_leaves_the_previous_file_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "articles.jsonl"
    target.write_text("旧的导出\n", encoding="utf-8")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)

    with pytest.raises(CommandError, match="无法写入"):
        call_command(
            "export_articles", "--output", str(target), stdout=StringIO(), stderr=StringIO()
        )

    assert target.read_text(encoding="utf-8") == "旧的导出\n"
    assert list(tmp_path.iterdir()) == [target]


@pytest.mark.django_db
def test_export_to_a_file_replaces_it_with_the_complete_export(tmp_path):
    target = tmp_path / "articles.jsonl"
    target.write_text("旧的导出\n", encoding="utf-8")

    call_command("export_articles", "--output", str(target), stdout=StringIO(), stderr=StringIO())

    assert target.read_text(encoding="utf-8") == export_text()
    assert list(tmp_path.iterdir()) == [target]


# --- large files ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
def test_large_raw_file_is_streamed_in_bounded_memory(empty_db, tmp_path):
    path = tmp_path / "large.txt"
    path.write_text(synthetic_text(500, paragraphs=60), encoding="utf-8")
    size = path.stat().st_size
    assert size > 4_000_000
    messages: list[str] = []

    tracemalloc.start()
    try:
        report = import_path(path=path, progress=messages.append)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert len(report.created) == 500
    assert messages[:2] == ["已处理 100/500 篇", "已处理 200/500 篇"]
    # Reading the whole file and parsing it at once peaks near 4 times the size; streaming
    # keeps the text of the articles only, about twice the size.
    assert peak < size * 3
