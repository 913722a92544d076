"""Snippets mark exactly the characters of the original text that match, after folding."""

from __future__ import annotations

from search import highlight, snippets


def test_marks_the_original_characters_of_a_folded_match():
    assert highlight("发挥基层組織的作用", ["组织"]) == "发挥基层<mark>組織</mark>的作用"


def test_characters_that_fold_to_several_keep_their_place():
    # ㈠ folds to "(一)" and ﬁ to "fi": the text grows, the marks stay on the original.
    text = "㈠基层組織ﬁle<b>"
    assert highlight(text, ["组织"]) == "㈠基层<mark>組織</mark>ﬁle&lt;b&gt;"
    assert highlight(text, ["(一)基层"]) == "<mark>㈠基层</mark>組織ﬁle&lt;b&gt;"
    assert highlight(text, ["file"]) == "㈠基层組織<mark>ﬁle</mark>&lt;b&gt;"


def test_longer_needle_wins_where_matches_overlap():
    assert highlight("基层党组织", ["党组织", "基层党组织"]) == "<mark>基层党组织</mark>"


def test_no_match_gives_no_spans_and_escaped_text():
    assert highlight("作用", ["战斗"]) == "作用"
    assert snippets(["<script>x</script>"], ["战斗"]) == []
    assert highlight("<script>", []) == "&lt;script&gt;"
