"""The archive itself as a benchmarked system: import, index build and search, through the
project's own code paths. Only ever run in a worker process whose WENCUI_DATA_DIR is the
benchmark's throwaway directory (see runner.worker_env)."""

from __future__ import annotations

from pathlib import Path

from performance.corpus import QuerySpec
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
        from search import PendingIndexUpdate, rebuild_index

        # The import queued every article for an index that did not exist yet; a full
        # rebuild indexes them all anyway (and would index the queued ones again).
        queued, _ = PendingIndexUpdate.objects.all().delete()

        def report(done: int, total: int) -> None:
            if done % 2000 == 0 or done == total:
                progress(f"wencui: {done}/{total} articles indexed")

        articles = rebuild_index(progress=report)
        return {"articles": articles, "queued_before_build": queued}

    def index_size(self) -> int:
        from django.conf import settings

        return directory_size(Path(settings.HAYSTACK_CONNECTIONS["default"]["PATH"]))

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
