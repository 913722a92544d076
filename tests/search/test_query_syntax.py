"""The reader-facing search syntax (search.parse_query)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search import (
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    ParsedQuery,
    QueryTooLong,
    Term,
    parse_query,
)

UNBALANCED = "引号没有配对，已按短语处理。"
PUNCTUATION_ONLY = "检索词只包含标点符号，请输入文字。"
TOO_MANY = f"检索词太多，只使用了前 {MAX_TERMS} 个。"


def words(*texts: str) -> tuple[tuple[Term, ...], ...]:
    """Required groups of one plain word each, the common expected shape."""
    return tuple((Term(t),) for t in texts)


# --- plain words and whitespace ---------------------------------------------------------


def test_whitespace_separated_words_are_all_required():
    q = parse_query("党建 堡垒")
    assert q.required == words("党建", "堡垒")
    assert q.excluded == ()
    assert q.notices == ()


def test_ideographic_space_tabs_and_newlines_separate_words():
    q = parse_query("党建\u3000堡垒\t支部\n书记")
    assert q.required == words("党建", "堡垒", "支部", "书记")


def test_unquoted_word_is_taken_as_typed_without_splitting_or_case_folding():
    assert parse_query("战斗堡垒作用 Deng").terms == (Term("战斗堡垒作用"), Term("Deng"))


def test_punctuation_inside_a_word_is_kept():
    assert parse_query("C++ 5G 新长征·党建版").terms == (
        Term("C++"),
        Term("5G"),
        Term("新长征·党建版"),
    )


def test_blank_input_is_empty_without_notices():
    q = parse_query("  \u3000\t ")
    assert q.is_empty
    assert q.notices == ()
    assert q.raw == "  \u3000\t "


# --- quoted phrases ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ['"战斗 堡垒"', "“战斗 堡垒”", "「战斗 堡垒」", "『战斗 堡垒』", "＂战斗 堡垒＂"],
)
def test_each_quote_style_makes_a_phrase_keeping_inner_spaces(query):
    q = parse_query(query)
    assert q.required == ((Term("战斗 堡垒", phrase=True),),)
    assert q.notices == ()


def test_phrase_and_words_mix():
    q = parse_query("党建 “两学一做” 学习")
    assert q.terms == (Term("党建"), Term("两学一做", phrase=True), Term("学习"))


def test_quote_inside_a_run_of_text_starts_a_phrase():
    assert parse_query("他说“两学一做”").terms == (Term("他说"), Term("两学一做", phrase=True))


def test_nested_quotes_of_another_style_stay_inside_the_phrase():
    assert parse_query("“学习「两学一做」精神”").terms == (
        Term("学习「两学一做」精神", phrase=True),
    )


def test_mismatched_closing_quote_does_not_close_the_phrase():
    q = parse_query('“战斗堡垒" 党建')
    assert q.terms == (Term('战斗堡垒" 党建', phrase=True),)
    assert q.notices == (UNBALANCED,)


def test_ascii_quote_closes_ascii_quote():
    assert parse_query('"a b" c').terms == (Term("a b", phrase=True), Term("c"))


def test_unbalanced_quote_takes_rest_as_phrase_with_notice():
    q = parse_query('党建 "战斗 堡垒')
    assert q.terms == (Term("党建"), Term("战斗 堡垒", phrase=True))
    assert q.notices == (UNBALANCED,)


def test_empty_quotes_are_ignored():
    q = parse_query('党建 "" “”')
    assert q.required == words("党建")
    assert q.notices == ()


# --- exclusion --------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["党建 -疫情", "党建 －疫情", "党建 NOT 疫情"])
def test_exclusion_forms(query):
    q = parse_query(query)
    assert q.required == words("党建")
    assert q.excluded == (Term("疫情"),)


def test_excluded_phrase():
    q = parse_query('党建 -"新冠 疫情"')
    assert q.excluded == (Term("新冠 疫情", phrase=True),)


def test_lone_minus_is_ignored():
    q = parse_query("党建 - 堡垒")
    assert q.required == words("党建", "堡垒")
    assert q.excluded == ()
    assert q.notices == ()


def test_hyphen_inside_word_is_not_exclusion():
    assert parse_query("COVID-19").terms == (Term("COVID-19"),)


def test_exclusion_only_query_is_not_empty():
    q = parse_query("-疫情")
    assert not q.is_empty
    assert q.required == ()
    assert q.excluded == (Term("疫情"),)


def test_trailing_not_is_ignored_with_notice():
    q = parse_query("党建 NOT")
    assert q.required == words("党建")
    assert q.excluded == ()
    assert len(q.notices) == 1


# --- OR and AND -------------------------------------------------------------------------


def test_or_binds_neighbours_into_one_group():
    q = parse_query("党建 OR 党务 堡垒")
    assert q.required == ((Term("党建"), Term("党务")), (Term("堡垒"),))


def test_or_chains():
    assert parse_query("a OR b OR c").required == ((Term("a"), Term("b"), Term("c")),)


@pytest.mark.parametrize("query", ["a | b", "a ｜ b"])
def test_pipe_as_own_token_means_or(query):
    assert parse_query(query).required == ((Term("a"), Term("b")),)


def test_lowercase_or_is_an_ordinary_word():
    assert parse_query("a or b").required == words("a", "or", "b")


@pytest.mark.parametrize("query", ["OR a b", "a b OR", "a OR OR b"])
def test_stray_or_is_ignored_with_notice(query):
    q = parse_query(query)
    expected = ((Term("a"), Term("b")),) if "OR OR" in query else words("a", "b")
    assert q.required == expected
    assert len(q.notices) == 1
    assert "OR" in q.notices[0]


def test_or_before_exclusion_is_stray():
    q = parse_query("a OR -b")
    assert q.required == words("a")
    assert q.excluded == (Term("b"),)
    assert len(q.notices) == 1


def test_and_is_accepted_and_ignored():
    q = parse_query("a AND b")
    assert q.required == words("a", "b")
    assert q.notices == ()


# --- field prefixes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("title:堡垒", "title"),
        ("author:堡垒", "author"),
        ("source:堡垒", "source"),
        ("标题:堡垒", "title"),
        ("作者：堡垒", "author"),
        ("来源:堡垒", "source"),
        ("刊物：堡垒", "source"),
    ],
)
def test_field_prefixes_and_chinese_aliases(query, field):
    assert parse_query(query).terms == (Term("堡垒", field=field),)


def test_quoted_field_phrase():
    assert parse_query('作者:"中共天津市委"').terms == (
        Term("中共天津市委", phrase=True, field="author"),
    )


def test_excluded_field_term():
    assert parse_query("党建 -source:人民日报").excluded == (Term("人民日报", field="source"),)


@pytest.mark.parametrize("query", ["foo:bar", "http://x.cn", "注意：事项"])
def test_unknown_prefix_is_plain_text(query):
    assert parse_query(query).terms == (Term(query),)


def test_prefix_with_nothing_after_it_is_ignored():
    q = parse_query("title: 堡垒")
    assert q.required == words("堡垒")


# --- cleaning and bad input -------------------------------------------------------------


@pytest.mark.parametrize("query", ["***", "？？", "~^", "() [ ]", "-"])
def test_punctuation_only_query_is_empty_with_notice(query):
    q = parse_query(query)
    assert q.is_empty
    assert q.notices == (PUNCTUATION_ONLY,)


def test_search_engine_syntax_is_not_interpreted():
    q = parse_query("堡垒* 党建? [a TO z] (支部)")
    # TO has letters, so it is an ordinary word rather than range syntax.
    assert q.terms == (
        Term("堡垒*"),
        Term("党建?"),
        Term("[a"),
        Term("TO"),
        Term("z]"),
        Term("(支部)"),
    )
    assert q.notices == ()


def test_nul_and_control_characters_are_removed():
    assert parse_query("\x00党\x07建\x00").terms == (Term("党建"),)


def test_lone_surrogates_are_removed():
    assert parse_query("党\ud800建 \udfff").terms == (Term("党建"),)


def test_bidi_and_zero_width_marks_are_removed():
    q = parse_query("\ufeff\u202e党\u200d建\u200f \u2066堡垒\u2069")
    assert q.terms == (Term("党建"), Term("堡垒"))


def test_raw_keeps_input_as_given():
    assert parse_query("\x00党建").raw == "\x00党建"


def test_ten_thousand_characters_raise_query_too_long():
    with pytest.raises(QueryTooLong) as info:
        parse_query("党" * 10_000)
    assert "检索词太长" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_length_limit_is_inclusive_and_measured_after_cleaning():
    parse_query("a" * MAX_QUERY_LENGTH)
    parse_query(" " + "a" * MAX_QUERY_LENGTH + "\u200f\x00 ")
    with pytest.raises(QueryTooLong):
        parse_query("a" * (MAX_QUERY_LENGTH + 1))


def test_too_many_terms_keeps_first_ones_with_notice():
    q = parse_query(" ".join(f"w{i}" for i in range(MAX_TERMS + 5)))
    assert len(q.terms) == MAX_TERMS
    assert q.terms[-1] == Term(f"w{MAX_TERMS - 1}")
    assert q.notices == (TOO_MANY,)


def test_exactly_max_terms_has_no_notice():
    q = parse_query(" ".join(f"w{i}" for i in range(MAX_TERMS)))
    assert len(q.terms) == MAX_TERMS
    assert q.notices == ()


# --- ParsedQuery helpers ----------------------------------------------------------------


def test_terms_flattens_required_groups_in_order():
    q = parse_query("a OR b c -d")
    assert q.terms == (Term("a"), Term("b"), Term("c"))


def test_describe_renders_phrases_groups_exclusions_and_fields():
    q = parse_query('"战斗堡垒" 党建 OR 党务 -疫情 title:堡垒')
    assert q.describe() == "“战斗堡垒”（短语） 且 （党建 或 党务） 不含 疫情 ；标题含 堡垒"


def test_describe_excluded_field_and_empty_query():
    assert parse_query("-作者:张三").describe() == "作者不含 张三"
    assert parse_query("").describe() == "（无检索词）"


def test_parsed_query_is_immutable():
    q = parse_query("党建")
    assert isinstance(q, ParsedQuery)
    with pytest.raises(AttributeError):
        q.raw = "x"  # type: ignore[misc]


# --- property -----------------------------------------------------------------------------

_SYNTAX = st.sampled_from(
    ['"', "“", "”", "「", "」", "『", "』", "＂", "-", "－", " ", "\u3000", "OR", "|", "NOT"]
    + ["AND", "title:", "作者：", "刊物:", "foo:", "\x00", "\u200f", "\ud800", "*", "?"]
)
_QUERIES = st.lists(
    st.one_of(_SYNTAX, st.text(st.characters(exclude_categories=()), max_size=8)),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_QUERIES)
def test_parse_never_raises_and_terms_always_have_letters(raw):
    try:
        q = parse_query(raw)
    except QueryTooLong:
        return
    all_terms = q.terms + q.excluded
    assert len(all_terms) <= MAX_TERMS
    assert all(group for group in q.required)
    for term in all_terms:
        assert term.text
        assert any(ch.isalnum() for ch in term.text)
        assert term.field in (None, "title", "author", "source")
    assert isinstance(q.describe(), str)
