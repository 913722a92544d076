"""The archive itself as a benchmarked system: import, index build and search, through the
project's own code paths. Only ever run in a worker process whose WENCUI_DATA_DIR is the
benchmark's throwaway directory (see runner.worker_env)."""

from __future__ import annotations

from pathlib import Path

from performance.corpus import (
    CONCORDANCE_CHARACTER,
    CONCORDANCE_PHRASE,
    QuerySpec,
    reuse_passage,
)
from performance.peers import Hit, Page, Progress, System, directory_size


def setup_django() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


class Wencui(System):
    name = "wencui"

    def import_corpus(self, corpus: Path, progress: Progress) -> dict:
        """Create the database, then import the corpus file with the archive's importer."""
        import time

        from django.core.management import call_command

        from archive.ingest import ImportOptions, import_paths

        call_command("migrate", interactive=False, verbosity=0)
        started, cpu_started = time.perf_counter(), time.process_time()
        summary = import_paths(
            [corpus], ImportOptions(), progress=lambda message: progress(f"import: {message}")
        )
        if summary.failed:
            raise RuntimeError(summary.failed[0].error)
        return {
            "articles": summary.count("created"),
            "duplicates": summary.count("duplicates"),
            "seconds": time.perf_counter() - started,
            "cpu_seconds": time.process_time() - cpu_started,
        }

    def build(self, corpus: Path, progress: Progress) -> dict:
        """Build the index from the database with the archive's rebuild_index."""
        import time

        from search import PendingIndexUpdate, rebuild_index, refresh_reuse

        # The import queued every article for an index that did not exist yet; a full
        # rebuild indexes them all anyway (and would index the queued ones again).
        queued, _ = PendingIndexUpdate.objects.all().delete()
        # Text reuse's fingerprints, which rebuild_index brings up to date too, timed apart:
        # the same work whatever the engine.
        started = time.perf_counter()
        refresh_reuse()
        reuse_seconds = time.perf_counter() - started

        def report(done: int, total: int) -> None:
            if done % 2000 == 0 or done == total:
                progress(f"wencui: {done}/{total} articles indexed")

        articles = rebuild_index(progress=report)
        return {"articles": articles, "queued_before_build": queued, "reuse_seconds": reuse_seconds}

    def index_size(self) -> int:
        """What search adds: the index directory, or (an engine whose index is in the
        database) the search app's tables with their indexes and out-of-line text."""
        from django.conf import settings
        from django.db import connection

        from search import get_engine

        if not getattr(get_engine(), "updates_in_transaction", False):
            return directory_size(Path(settings.HAYSTACK_CONNECTIONS["default"]["PATH"]))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(sum(pg_total_relation_size(oid)), 0) FROM pg_class"
                " WHERE relkind = 'r' AND relname LIKE 'search\\_postgres\\_%%'"
            )
            return int(cursor.fetchone()[0])

    def open(self) -> None:
        from archive.text import jieba_module
        from search import get_engine

        # As a gunicorn worker starts: the dictionary was loaded before the fork
        # (config/wsgi.py), the index is opened by the first search.
        jieba_module()
        self.engine = get_engine()

    def _filters(self, spec: QuerySpec) -> dict:
        from search import Equals, YearRange

        filters = {}
        if spec.source is not None:
            filters["source"] = Equals(spec.source)
        if spec.years:
            filters["year"] = YearRange(start=spec.years[0], end=spec.years[1])
        return filters

    def search(self, spec: QuerySpec) -> Page:
        from search import forget_folds, search_articles

        forget_folds()  # as for the index's memo (see runner.worker_env): no help from before

        outcome = search_articles(query=spec.text, filters=self._filters(spec), sort=spec.sort)
        if outcome.unavailable:
            raise RuntimeError("the benchmark index is unavailable")
        hits = [
            Hit(
                id=hit.article.pk,
                title=str(hit.title_html),
                author=hit.article.author,
                source=hit.article.publication.name if hit.article.publication else "",
                year=hit.article.year or 0,
                snippets=[str(s) for s in hit.snippets],
            )
            for hit in outcome.hits
        ]
        return Page(
            outcome.total,
            hits,
            {f.value: f.count for f in outcome.facet_values("source")},
            {f.value: f.count for f in outcome.facet_values("year")},
        )

    def matching_ids(self, spec: QuerySpec) -> set[int]:
        from search import EngineQuery, parse_query

        results = self.engine.search(
            EngineQuery(
                query=parse_query(spec.text),
                filters=tuple(self._filters(spec).items()),
                sort=spec.sort,
                offset=0,
                limit=10**9,
            )
        )
        return set(results.article_ids)

    def research(self, corpus: Path) -> dict:
        """The research tools through their public functions, each timed once, cold: a
        reuse check of a passage made of pieces of corpus articles, and the first page of
        the concordance of a common phrase and of a common character."""
        import time

        from search import concordance, find_reuse

        passage = reuse_passage(corpus)
        figures: dict = {"reuse_passage_characters": len(passage)}
        started = time.perf_counter()
        report = find_reuse(text=passage)
        figures["reuse_ms"] = (time.perf_counter() - started) * 1000
        figures["reuse_articles"] = report.article_count
        figures["reuse_share"] = report.matched_chars / report.length if report.length else 0.0
        for key, query in (("phrase", CONCORDANCE_PHRASE), ("character", CONCORDANCE_CHARACTER)):
            started = time.perf_counter()
            lines = concordance(query=query, page=1)
            figures[f"concordance_{key}_ms"] = (time.perf_counter() - started) * 1000
            figures[f"concordance_{key}_occurrences"] = lines.occurrences
        return figures
