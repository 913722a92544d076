"""The index codec that keeps short posting lists in the term table: what is written inline
reads back the same, through searches, merges and deletions."""

from __future__ import annotations

import random

import pytest
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.filedb.filestore import FileStorage

from search.engines.whoosh.analysis import CharGramTokenizer
from search.engines.whoosh.codec import INLINE_LIMIT, ArchiveCodec
from search.engines.whoosh.columns import column_values
from search.engines.whoosh.ranking import ArchiveBM25F

ALPHABET = "党组织基层战斗堡垒作用发挥"


def _schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        grams=TEXT(analyzer=CharGramTokenizer((1, 2, 3)), phrase=False),
        long=TEXT(analyzer=CharGramTokenizer((4,)), phrase=True),
    )


def _texts(count: int, seed: int) -> dict[str, str]:
    rng = random.Random(seed)
    return {
        f"d{i}": "".join(rng.choice(ALPHABET) for _ in range(rng.randint(3, 30)))
        for i in range(count)
    }


def _matches(searcher, needle: str) -> set[str]:
    if len(needle) <= 3:
        query = wq.Term("grams", needle)
    else:
        grams = [needle[i : i + 4] for i in range(len(needle) - 3)]
        query = wq.Term("long", grams[0]) if len(grams) == 1 else wq.Phrase("long", grams)
    return {hit["id"] for hit in searcher.search(query, limit=None)}


@pytest.mark.parametrize("merge", [False, True])
def test_inline_postings_read_back_through_search_merge_and_delete(tmp_path, merge):
    index = FileStorage(str(tmp_path), supports_mmap=False).create_index(_schema())
    texts = _texts(120, seed=3)
    names = sorted(texts)
    # Several commits make several segments; the last merges them (optimize) or not.
    for start in range(0, len(names), 40):
        with index.writer(codec=ArchiveCodec()) as writer:
            for name in names[start : start + 40]:
                writer.add_document(id=name, grams=texts[name], long=texts[name])
    with index.writer(codec=ArchiveCodec()) as writer:
        for name in names[::7]:
            writer.delete_by_term("id", name)
            del texts[name]
    if merge:
        index.optimize()
    with index.searcher() as searcher:
        assert searcher.doc_count() == len(texts)
        inlined = sum(
            searcher.reader().term_info(field, term).doc_frequency() < INLINE_LIMIT
            for field, term in searcher.reader().all_terms()
        )
        assert inlined > 0
        rng = random.Random(5)
        needles = ["党", "织", "战斗", "堡垒作用", "基层党组织", "发挥战斗堡垒作用"]
        for _ in range(150):
            text = rng.choice(list(texts.values()))
            start = rng.randrange(len(text))
            needles.append(text[start : start + rng.randint(1, 8)])
        for needle in needles:
            expected = {name for name, text in texts.items() if needle in text}
            assert _matches(searcher, needle) == expected, needle


def test_statistics_and_scores_equal_whooshs_own_codec(tmp_path):
    # Block statistics (lengths, weights) feed BM25 and its block skipping: the same
    # documents written by either codec have the same statistics and scores.
    texts = _texts(200, seed=11)
    written = []
    for name, codec in (("whoosh", W3Codec()), ("archive", ArchiveCodec())):
        (tmp_path / name).mkdir()
        index = FileStorage(str(tmp_path / name)).create_index(_schema())
        with index.writer(codec=codec) as writer:
            for key, text in texts.items():
                writer.add_document(id=key, grams=text, long=text)
        with index.searcher() as searcher:
            reader = searcher.reader()
            statistics = {}
            for term in reader.all_terms():
                info = reader.term_info(*term)
                statistics[term] = (
                    info.doc_frequency(),
                    info.min_length(),
                    info.max_length(),
                    info.max_weight(),
                )
            query = wq.Or(
                [wq.Term("grams", "党组"), wq.Term("grams", "堡"), wq.Term("long", "战斗堡垒")]
            )
            hits = [(hit["id"], round(hit.score, 9)) for hit in searcher.search(query, limit=50)]
            written.append((statistics, hits))
    assert written[0] == written[1]
    assert written[0][1] != []


def test_ranking_with_remembered_lengths_equals_whooshs_bm25f(tmp_path):
    index = FileStorage(str(tmp_path), supports_mmap=False).create_index(_schema())
    texts = _texts(150, seed=17)
    names = sorted(texts)
    for start in range(0, len(names), 50):  # three segments
        with index.writer(codec=ArchiveCodec(), merge=False) as writer:
            for name in names[start : start + 50]:
                writer.add_document(id=name, grams=texts[name], long=texts[name])
    with index.writer(codec=ArchiveCodec(), merge=False) as writer:
        writer.delete_by_term("id", names[3])
    query = wq.Or([wq.Term("grams", "党组"), wq.Term("grams", "堡"), wq.Term("grams", "作")])
    ranked = []
    for weighting in (None, ArchiveBM25F()):
        with index.searcher(**({"weighting": weighting} if weighting else {})) as searcher:
            assert len(searcher.reader().leaf_readers()) == 3
            hits = searcher.search(query, limit=40)
            ranked.append([(hit["id"], round(hit.score, 9)) for hit in hits])
    assert ranked[0] == ranked[1]
    assert len(ranked[0]) == 40


def test_column_values_read_in_bulk_equal_whooshs_column_reader(tmp_path):
    schema = Schema(
        id=ID(stored=True, unique=True),
        source=ID(sortable=True),
        year=NUMERIC(numtype=int, bits=64, signed=True, sortable=True),
    )
    index = FileStorage(str(tmp_path), supports_mmap=False).create_index(schema)
    rng = random.Random(4)
    for batch in range(3):  # three segments; some documents without a year
        with index.writer(codec=ArchiveCodec(), merge=False) as writer:
            for n in range(25):
                fields = {"id": f"{batch}-{n}", "source": rng.choice(["商情", "求知", ""])}
                if n % 4:
                    fields["year"] = rng.choice([-5, 0, 1999, 2020, 2**40])
                writer.add_document(**fields)
    with index.writer(codec=ArchiveCodec(), merge=False) as writer:
        writer.delete_by_term("id", "1-3")
    with index.reader() as reader:
        assert len(reader.leaf_readers()) == 3
        for name in ("source", "year"):
            assert column_values(reader, name) == list(reader.column_reader(name)), name
