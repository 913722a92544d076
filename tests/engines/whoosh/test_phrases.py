"""Phrases of three characters (a gram's prefix) and longer than a gram (covering grams at
the phrase's offsets), across segments and deletions, equal a substring search."""

from __future__ import annotations

import random

from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage

from search.engines.whoosh.analysis import SEGMENT_BREAK, CharGramTokenizer
from search.engines.whoosh.codec import ArchiveCodec
from search.engines.whoosh.phrases import phrase_cover, phrase_docs, prefix_docs

ALPHABET = "党组织基层战斗堡垒"  # few characters: grams repeat, positions decide


def _containing(texts: dict[str, str], needle: str) -> set[str]:
    return {
        name
        for name, text in texts.items()
        if any(needle in segment for segment in text.split(SEGMENT_BREAK))
    }


def test_cover_is_the_fewest_grams_ending_at_the_phrase_end():
    assert phrase_cover("基层党组织") == [(0, "基层党组"), (1, "层党组织")]
    assert phrase_cover("发挥战斗堡垒作用") == [(0, "发挥战斗"), (4, "堡垒作用")]
    assert phrase_cover("一二三四五六七八九") == [(0, "一二三四"), (4, "五六七八"), (5, "六七八九")]


def test_phrase_documents_equal_a_substring_search(tmp_path):
    rng = random.Random(8)
    texts = {
        f"d{n}": SEGMENT_BREAK.join(
            "".join(rng.choice(ALPHABET) for _ in range(rng.randint(4, 40)))
            for _ in range(rng.randint(1, 3))
        )
        for n in range(90)
    }
    schema = Schema(
        id=ID(stored=True, unique=True),
        long=TEXT(analyzer=CharGramTokenizer((4,), pad_end=True), phrase=True),
    )
    index = FileStorage(str(tmp_path), supports_mmap=False).create_index(schema)
    names = sorted(texts)
    for start in range(0, len(names), 30):
        with index.writer(codec=ArchiveCodec(), merge=False) as writer:
            for name in names[start : start + 30]:
                writer.add_document(id=name, long=texts[name])
    with index.writer(codec=ArchiveCodec(), merge=False) as writer:
        for name in names[::9]:
            writer.delete_by_term("id", name)
            del texts[name]
    with index.searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 3
        names_of = {}
        for docnum in searcher.document_numbers():
            names_of[docnum] = searcher.stored_fields(docnum)["id"]
        for a in ALPHABET:
            for b in ALPHABET:
                for c in ALPHABET[:4]:
                    # Three characters: the start of a gram, or a segment's padded last one.
                    needle = a + b + c
                    found = {names_of[d] for d in prefix_docs(searcher, "long", needle)}
                    assert found == _containing(texts, needle), needle
        needles = set()
        for text in texts.values():
            for segment in text.split(SEGMENT_BREAK):
                for _ in range(4):
                    length = rng.randint(5, 14)
                    if len(segment) >= length:
                        start = rng.randrange(len(segment) - length + 1)
                        needles.add(segment[start : start + length])
        needles.update("".join(rng.choice(ALPHABET) for _ in range(6)) for _ in range(40))
        assert len(needles) > 200
        for needle in sorted(needles):
            found = {names_of[d] for d in phrase_docs(searcher, "long", needle)}
            assert found == _containing(texts, needle), needle
