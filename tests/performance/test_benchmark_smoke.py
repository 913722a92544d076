"""manage.py benchmark runs end to end at a small size and reports what it promises."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from performance.corpus import generate, searchable_text
from performance.runner import SYSTEMS, quick_selection

SYSTEM_KEYS = {"recall", "precision", "search_ms", "build_articles_per_s", "peak_rss_mb"}
LATENCY_KEYS = {"p50", "p95", "p99"}


def test_corpus_and_queries_are_deterministic():
    first_records, first_queries = generate(40, seed=7)
    second_records, second_queries = generate(40, seed=7)
    assert first_records == second_records
    assert first_queries == second_queries
    assert len(first_queries) >= 40
    sizes = [len("\n".join(r["paragraphs"]).encode("utf-8")) for r in first_records]
    assert min(sizes) >= 1400
    assert {q.sort for q in first_queries} == {"relevance", "newest"}
    assert any(q.source for q in first_queries) and any(q.years for q in first_queries)
    assert all(searchable_text(r).startswith(r["title"]) for r in first_records)
    assert len(quick_selection(first_queries)) == len(first_queries) // 4


@pytest.mark.slow
def test_benchmark_command_small(tmp_path):
    out = tmp_path / "bench.json"
    stdout = StringIO()
    call_command(
        "benchmark",
        "--articles",
        "300",
        "--queries-repeat",
        "1",
        "--quick",
        "--json",
        str(out),
        stdout=stdout,
    )
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["benchmark"]["articles"] == 300
    assert document["date"] and document["machine"]["cores"]
    assert set(document["systems"]) == set(SYSTEMS)
    for name, figures in document["systems"].items():
        assert SYSTEM_KEYS <= set(figures), name
        assert LATENCY_KEYS <= set(figures["search_ms"]), name
        assert figures["build_articles"] == 300, name
    wencui = document["systems"]["wencui"]
    assert LATENCY_KEYS <= set(wencui["http_ms"])
    assert wencui["http"]["count_mismatches"] == []
    for name in ("wencui", "wencui_postgres", "scan"):
        assert document["systems"][name]["recall"] == 1.0, document["systems"][name]["misses"]
        assert document["systems"][name]["precision"] == 1.0, document["systems"][name]["misses"]
        assert document["systems"][name]["total_mismatches"] == []
    assert set(document["ratios"]) == {"wencui_postgres", "fts5", "stock_jieba", "scan"}
    # What search adds to the database, against the text.
    assert document["systems"]["wencui_postgres"]["index_to_text"] > 0
    for name in ("wencui", "wencui_postgres"):
        research = document["systems"][name]["research"]
        # The passage is made of pieces of corpus articles: they are found, as reused.
        assert research["reuse_passage_characters"] == 5000, name
        assert research["reuse_articles"] >= 10 and research["reuse_share"] > 0.9, name
        assert research["concordance_phrase_occurrences"] > 0, name
        assert research["concordance_character_occurrences"] > 0, name
    table = stdout.getvalue()
    assert "| wencui |" in table and "| stock_jieba |" in table and "/api/search" in table
    assert "| wencui_postgres |" in table and "wencui_postgres import:" in table
    assert "Research tools" in table
