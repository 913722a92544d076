"""Passages shared inside the archive: the pairs stored equal a brute-force oracle, and they
follow imports, edits and deletes through the index updates of each engine."""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import call_command

from archive.models import Article
from search import ArticleOverlap, compute_overlaps, fold, searchable_segments
from search.folding import is_word_char
from search.reuse import ReuseFingerprint
from search.reuse.overlaps import overlap_min

MIN = 50


def stream(article: Article) -> str:
    text = "\n".join(searchable_segments(article))
    return "".join(c for c in fold(text) if is_word_char(c))


def covered_by_common_runs(a: str, b: str, length: int) -> int:
    """How many characters of a lie in a run of `length` or more that b holds too: the union
    of a's windows of that length found in b (every longer run is made of such windows)."""
    windows = {b[j : j + length] for j in range(len(b) - length + 1)}
    covered = [False] * len(a)
    for i in range(len(a) - length + 1):
        if a[i : i + length] in windows:
            covered[i : i + length] = [True] * length
    return sum(covered)


def oracle_pairs() -> dict[tuple[int, int], tuple[int, int]]:
    streams = {
        a.pk: stream(a)
        for a in Article.objects.select_related("publication").prefetch_related(
            "keyword_links__keyword"
        )
    }
    pairs = {}
    for pk, chars in streams.items():
        for other, other_chars in streams.items():
            if pk < other:
                shared = covered_by_common_runs(chars, other_chars, MIN)
                if shared:
                    pairs[(pk, other)] = (shared, covered_by_common_runs(other_chars, chars, MIN))
    return pairs


def stored_pairs() -> dict[tuple[int, int], tuple[int, int]]:
    stored = {
        (o.article_id, o.other_id): (o.shared_chars, o.other_shared_chars)
        for o in ArticleOverlap.objects.all()
    }
    for (pk, other), (shared, other_shared) in stored.items():
        assert stored[(other, pk)] == (other_shared, shared), "stored both ways"
    return {key: value for key, value in stored.items() if key[0] < key[1]}


def test_the_default_minimum_is_50():
    assert overlap_min() == MIN


def test_the_bundled_corpus_pairs_equal_the_oracle(corpus_db):
    expected = oracle_pairs()
    assert expected, "the bundled corpus has articles sharing a passage"
    assert stored_pairs() == expected


def test_computing_again_from_scratch_gives_the_same_pairs(corpus_db):
    before = stored_pairs()
    summary = compute_overlaps()
    assert summary.changed == summary.articles == Article.objects.count()
    assert stored_pairs() == before
    assert summary.fingerprints == ReuseFingerprint.objects.count()


def test_the_fingerprint_table_holds_about_a_third_of_the_characters(corpus_db):
    characters = sum(len(stream(a)) for a in Article.objects.all())
    rows = ReuseFingerprint.objects.count()
    # Winnowing with a window of 6 selects about 2 / (6 + 1) of the positions.
    assert 0.2 * characters < rows < 0.4 * characters


def borrowed_passage(source: Article) -> str:
    """A long passage of `source`'s body, with its punctuation changed."""
    body = "".join(source.paragraphs[1:4])
    return re.sub(r"[，。、]", "；", body[:120])


def test_an_edit_that_copies_a_passage_creates_an_overlap(
    engine, django_capture_on_commit_callbacks
):
    source = Article.objects.get(author="杨姿姮")
    target = (
        Article.objects.exclude(pk=source.pk)
        .exclude(pk__in=ArticleOverlap.objects.values("article_id"))
        .first()
    )
    with django_capture_on_commit_callbacks(execute=True):
        target.body += "\n" + borrowed_passage(source)
        target.save()
    overlap = ArticleOverlap.objects.get(article=target, other=source)
    assert overlap.longest >= MIN
    assert stored_pairs() == oracle_pairs()


def test_an_edit_that_removes_the_passage_removes_the_overlap(
    engine, django_capture_on_commit_callbacks
):
    first, second = (
        Article.objects.get(title=t)
        for t in ("如何发挥基层党支部的战斗堡垒作用", "浅谈如何发挥基层党支部的战斗堡垒作用")
    )
    assert ArticleOverlap.objects.filter(article=first, other=second).exists()
    with django_capture_on_commit_callbacks(execute=True):
        second.abstract = "这篇文章改写了。"
        second.body = "改写以后不再有相同的段落。"
        second.save()
    assert not ArticleOverlap.objects.filter(article=first, other=second).exists()
    assert stored_pairs() == oracle_pairs()


def test_a_new_article_copying_most_of_another_is_listed_first_as_another_version(
    engine, django_capture_on_commit_callbacks
):
    source = Article.objects.get(title="如何发挥基层党支部的战斗堡垒作用")
    with django_capture_on_commit_callbacks(execute=True):
        copy = Article.objects.create(
            title="转载：" + source.title, body=source.body.replace("。", "．")
        )
    overlaps = list(ArticleOverlap.objects.filter(article=source))
    assert overlaps[0].other_id == copy.pk
    assert overlaps[0].is_version
    assert stored_pairs() == oracle_pairs()


def test_deleting_an_article_removes_its_overlaps_and_fingerprints(
    engine, django_capture_on_commit_callbacks
):
    article = Article.objects.get(title="浅谈如何发挥基层党支部的战斗堡垒作用")
    pk = article.pk
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert not ArticleOverlap.objects.filter(other_id=pk).exists()
    assert not ReuseFingerprint.objects.filter(article_id=pk).exists()


def test_the_command_reports_progress_and_lists_the_pairs(corpus_db):
    out = StringIO()
    call_command("compute_overlaps", "--list", stdout=out)
    output = out.getvalue()
    assert "已取指纹 18/18 篇" in output
    assert "已比对 18/18 篇" in output
    assert "《如何发挥基层党支部的战斗堡垒作用》 143/" in output


def test_the_command_with_changed_only_recomputes_nothing_when_nothing_changed(corpus_db):
    out = StringIO()
    call_command("compute_overlaps", "--changed", stdout=out)
    assert "重算 0 篇" in out.getvalue()


def test_articles_assembled_from_others_get_exactly_the_oracles_pairs(corpus_db):
    """New articles made of pieces of the bundled ones (some pieces just long enough, some
    just too short, some in traditional characters or with other punctuation): the pairs
    found as they are added one by one, and again from scratch, are the oracle's."""
    import random

    import opencc

    from search.reuse import refresh_reuse

    to_traditional = opencc.OpenCC("s2t")
    rng = random.Random(13)
    paragraphs = [p for a in Article.objects.all() for p in a.paragraphs if len(p) > 120]
    for number in range(8):
        pieces = []
        for _ in range(rng.randint(1, 4)):
            paragraph = rng.choice(paragraphs)
            length = rng.choice([45, 49, 50, 51, 56, 80, 120])
            start = rng.randrange(len(paragraph) - length)
            piece = paragraph[start : start + length]
            if rng.random() < 0.3:
                piece = to_traditional.convert(piece)
            elif rng.random() < 0.3:
                piece = re.sub(r"[，。、]", "；", piece)
            pieces.append(piece)
        article = Article.objects.create(
            title=f"拼合的文章{number}", body="\n甲乙丙丁戊己庚辛\n".join(pieces)
        )
        refresh_reuse(article_ids=[article.pk])
    incremental = stored_pairs()
    assert incremental == oracle_pairs()
    assert len(incremental) > 5
    compute_overlaps()
    assert stored_pairs() == incremental


def test_an_imported_article_copying_a_passage_is_listed_at_once(
    engine, tmp_path, django_capture_on_commit_callbacks
):
    source = Article.objects.get(author="杨姿姮")
    path = tmp_path / "转载.txt"
    path.write_text(
        "一篇转载的文章\n\n" + borrowed_passage(source) + "\n\n以上内容转自网络。\n",
        encoding="utf-8",
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_articles", str(path), stdout=StringIO(), stderr=StringIO())
    imported = Article.objects.get(title="一篇转载的文章")
    overlap = ArticleOverlap.objects.get(article=imported, other=source)
    assert overlap.longest >= MIN
    assert stored_pairs() == oracle_pairs()
