"""Concordance (KWIC): every occurrence of a phrase, counted exactly and shown in its
context, through each engine: counts checked against a brute-force count of every start
position in the folded searchable texts."""

from __future__ import annotations

import pytest

from archive.models import Article
from search import (
    Equals,
    YearRange,
    concordance,
    concordance_lines,
    fold,
    get_engine,
    searchable_segments,
)
from search.errors import PageOutOfRange


@pytest.fixture
def folded_corpus(corpus_search) -> dict[int, tuple[int | None, str | None, list[str]]]:
    """Article id → (year, publication, its folded searchable segments)."""
    articles = Article.objects.select_related("publication").prefetch_related(
        "keyword_links__keyword"
    )
    return {
        a.pk: (
            a.year,
            a.publication.name if a.publication_id else None,
            [fold(s) for s in searchable_segments(a)],
        )
        for a in articles
    }


def brute_force(corpus, phrase: str, *, years=None, source=None) -> tuple[int, int]:
    """(occurrences, articles): each start position where the folded phrase is, tried one by
    one."""
    needle = fold(phrase)
    occurrences, articles = 0, 0
    for article_year, publication, segments in corpus.values():
        if years is not None and article_year not in years:
            continue
        if source is not None and publication != source:
            continue
        found = sum(
            1
            for segment in segments
            for start in range(len(segment) - len(needle) + 1)
            if segment[start : start + len(needle)] == needle
        )
        occurrences += found
        articles += found > 0
    return occurrences, articles


@pytest.mark.parametrize(
    "phrase",
    [
        "战斗堡垒",
        "基层党组织",
        "层党组织",  # across jieba's words
        "织战斗堡",
        "党",  # single characters, in nearly every paragraph several times
        "的",
        "組織",  # traditional input for text stored simplified
        "堡壘",
        "党员",
        "2019",
        "复工复产",
    ],
)
def test_occurrences_equal_a_brute_force_count(folded_corpus, phrase):
    result = concordance(query=phrase, per_page=10)
    expected = brute_force(folded_corpus, phrase)
    assert expected[0] > 0
    assert (result.occurrences, result.articles) == expected


@pytest.mark.parametrize(
    ("filters", "years", "source"),
    [
        ({"year": YearRange(2020, 2020)}, {2020}, None),
        ({"year": YearRange(2018, 2019)}, {2018, 2019}, None),
        ({"source": Equals("商情")}, None, "商情"),
        ({"source": Equals("商情"), "year": YearRange(2019, 2019)}, {2019}, "商情"),
    ],
)
@pytest.mark.parametrize("phrase", ["党组织", "組織", "的"])
def test_filters_count_exactly_as_search_filters(folded_corpus, phrase, filters, years, source):
    result = concordance(query=phrase, filters=filters)
    assert (result.occurrences, result.articles) == brute_force(
        folded_corpus, phrase, years=years, source=source
    )


def test_quotes_are_optional(corpus_search):
    plain = concordance(query="战斗堡垒")
    for quoted in ('"战斗堡垒"', "“战斗堡垒”", "「战斗堡垒」"):
        assert concordance(query=quoted).occurrences == plain.occurrences > 0


def test_several_terms_look_for_the_first_and_say_which_were_left_out(corpus_search):
    result = concordance(query="战斗堡垒 党员 -疫情")
    assert result.phrase.text == "战斗堡垒"
    assert result.phrase.ignored == ("党员", "-疫情")
    assert result.occurrences == concordance(query="战斗堡垒").occurrences


def test_every_line_shows_the_match_as_written_in_its_context(corpus_search):
    width = 12
    result = concordance(query="組織", width=width, per_page=1000)
    assert len(result.lines) == result.occurrences > 0
    for line in result.lines:
        assert fold(line.match) == "组织"
        assert len(line.left) <= width and len(line.right) <= width
        article = Article.objects.get(pk=line.article_id)
        # The line is a piece of one of the article's segments, as written.
        assert any(line.left + line.match + line.right in s for s in searchable_segments(article))


def test_lines_link_to_the_paragraph_holding_them(corpus_search):
    result = concordance(query="战斗堡垒", width=8, per_page=1000)
    anchored = [line for line in result.lines if "#p" in line.url]
    assert anchored
    for line in anchored:
        article = Article.objects.get(pk=line.article_id)
        number = int(line.url.rsplit("#p", 1)[1])
        paragraph = article.paragraphs[number - 1]
        assert line.left + line.match + line.right in paragraph
        assert line.url.startswith(article.get_absolute_url())


@pytest.mark.django_db(transaction=False)
def test_overlapping_occurrences_each_count(engine, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = Article.objects.create(
            title="哈哈哈", body="哈哈哈哈，笑声。\n又是哈哈。\n## 哈哈小节", year=1999
        )
    # 哈哈 starts at 0 and 1 in the title, at 0, 1, 2 in the first paragraph, once in the
    # second and once in the heading.
    result = concordance(query="哈哈", filters={"year": YearRange(1999, 1999)}, per_page=100)
    assert (result.occurrences, result.articles) == (7, 1)
    assert [line.url.rsplit("#", 1)[-1] for line in result.lines] == [
        article.get_absolute_url() + "?hl=%22%E5%93%88%E5%93%88%22",
        article.get_absolute_url() + "?hl=%22%E5%93%88%E5%93%88%22",
        "p1",
        "p1",
        "p1",
        "p2",
        "p3",
    ]
    assert [(line.left, line.right) for line in result.lines[2:5]] == [
        ("", "哈哈，笑声。"),
        ("哈", "哈，笑声。"),
        ("哈哈", "，笑声。"),
    ]


def test_left_order_reads_the_context_backwards_from_the_match(corpus_search):
    result = concordance(query="堡垒", sort="left", per_page=1000)
    keys = [fold(line.left)[::-1] for line in result.lines]
    assert keys == sorted(keys)
    assert len(result.lines) == concordance(query="堡垒").occurrences


def test_right_order_reads_the_context_after_the_match(corpus_search):
    result = concordance(query="堡垒", sort="right", per_page=1000)
    keys = [fold(line.right) for line in result.lines]
    assert keys == sorted(keys)


def test_date_orders_put_the_newest_or_the_oldest_first(corpus_search):
    newest = concordance(query="党组织", sort="newest", per_page=1000).lines
    oldest = concordance(query="党组织", sort="oldest", per_page=1000).lines
    dated_newest = [line.year for line in newest if line.year]
    dated_oldest = [line.year for line in oldest if line.year]
    assert dated_newest == sorted(dated_newest, reverse=True)
    assert dated_oldest == sorted(dated_oldest)
    assert dated_newest[0] > dated_oldest[0]


def test_pages_split_the_lines_in_order(corpus_search):
    everything = concordance(query="党", per_page=1000).lines
    first, second = concordance(query="党", per_page=7), concordance(query="党", per_page=7, page=2)
    assert first.lines + second.lines == everything[:14]
    with pytest.raises(PageOutOfRange):
        concordance(query="党", per_page=7, page=first.num_pages + 1)


def test_lines_for_downloads_stop_at_the_limit(corpus_search):
    result, lines = concordance_lines(query="的", limit=5)
    assert result.occurrences > 5
    assert len(list(lines)) == 5


def test_a_phrase_not_in_the_archive_has_no_occurrence(corpus_search):
    result = concordance(query="量子计算机")
    assert (result.occurrences, result.articles, result.lines) == (0, 0, [])


def test_width_is_kept_within_its_range(corpus_search):
    assert concordance(query="党", width=1).width == 5
    assert concordance(query="党", width=10_000).width == 100


def test_a_changed_article_changes_the_count(engine, django_capture_on_commit_callbacks):
    before = concordance(query="独一无二的语句").occurrences
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="新文章", body="独一无二的语句。再说一次：独一无二的语句。")
    assert concordance(query="独一无二的语句").occurrences == before + 2


def test_input_without_letters_finds_nothing(corpus_search):
    result = concordance(query="。，")
    assert result.phrase is None and result.occurrences == 0


@pytest.mark.parametrize(
    "phrase", ["党", "组织", "党组织", "战斗堡垒", "基层党组织", "发挥战斗堡垒作用", "組織", "2019"]
)
def test_the_engine_counts_each_article_as_a_brute_force_count(folded_corpus, phrase):
    counts = get_engine().phrase_occurrences(phrase=phrase)
    expected = {}
    for article_id, (_, _, segments) in folded_corpus.items():
        needle = fold(phrase)
        found = sum(
            1
            for segment in segments
            for start in range(len(segment))
            if segment.startswith(needle, start)
        )
        if found:
            expected[article_id] = found
    assert dict(zip(counts.article_ids, counts.occurrences, strict=True)) == expected
