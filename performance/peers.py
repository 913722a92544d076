"""The peer systems, built from the same corpus file and asked the same queries.

Each answers what the results page needs: the exact total, a page of 20 (title, author,
publication, year, snippets) and both facets (publication, year). None of them needs
Django, so their memory is their own.

- fts5: SQLite FTS5, tokenize='trigram', over the folded text; strings under 3
  characters (which a trigram index cannot find) by a scan with instr();
- stock_jieba: haystack's stock Whoosh setup with jieba.analyse.ChineseAnalyzer, built
  and queried the way haystack's WhooshSearchBackend does;
- scan: a substring scan over the folded texts in memory, also the exactness oracle.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from performance.corpus import QuerySpec, read_corpus, searchable_text
from search import fold

PER_PAGE = 20
SNIPPET_CONTEXT = 40
MAX_SNIPPETS = 3
Progress = Callable[[str], None]


@dataclass
class Hit:
    id: int
    title: str
    author: str
    source: str
    year: int
    snippets: list[str] = field(default_factory=list)


@dataclass
class Page:
    total: int
    hits: list[Hit]
    source_counts: dict = field(default_factory=dict)
    year_counts: dict = field(default_factory=dict)


def date_key(record: dict) -> int:
    return (record["year"] or 0) * 100 + (record["month"] or 0) if record["year"] else 0


def text_snippets(text: str, needles: list[str]) -> list[str]:
    """Up to three fragments of (folded) text around the first matches, marked."""
    spans = []
    for needle in needles:
        start = text.find(needle)
        if start != -1:
            spans.append((start, start + len(needle)))
    fragments = []
    for start, end in sorted(spans)[:MAX_SNIPPETS]:
        left = max(0, start - SNIPPET_CONTEXT)
        right = min(len(text), end + SNIPPET_CONTEXT)
        fragments.append(
            html.escape(text[left:start])
            + f"<mark>{html.escape(text[start:end])}</mark>"
            + html.escape(text[end:right])
        )
    return fragments


def directory_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class System:
    """What the worker drives: build (timed), open, search, and the set of matching ids."""

    name = ""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir

    def build(self, corpus: Path, progress: Progress) -> dict:
        raise NotImplementedError

    def open(self) -> None:
        raise NotImplementedError

    def search(self, spec: QuerySpec) -> Page:
        raise NotImplementedError

    def matching_ids(self, spec: QuerySpec) -> set[int]:
        raise NotImplementedError

    def index_size(self) -> int | None:
        return None


# -- SQLite FTS5 ----------------------------------------------------------------------------


def _fts_string(needle: str) -> str:
    return '"' + needle.replace('"', '""') + '"'


class Fts5(System):
    name = "fts5"
    MIN_TRIGRAM = 3

    @property
    def path(self) -> Path:
        return self.workdir / "fts5.sqlite3"

    def build(self, corpus: Path, progress: Progress) -> dict:
        self.path.unlink(missing_ok=True)
        db = sqlite3.connect(self.path)
        db.executescript(
            """
            CREATE TABLE docs(
                id INTEGER PRIMARY KEY, title TEXT, author TEXT, source TEXT,
                year INTEGER, date_key INTEGER, content TEXT
            );
            CREATE VIRTUAL TABLE fts USING fts5(
                content, content='docs', content_rowid='id', tokenize='trigram'
            );
            """
        )
        count = 0
        with db:
            for record in read_corpus(corpus):
                db.execute(
                    "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        record["id"],
                        record["title"],
                        record["author"],
                        record["publication"] or "",
                        record["year"] or 0,
                        date_key(record),
                        fold(searchable_text(record)),
                    ),
                )
                count += 1
                if count % 2000 == 0:
                    progress(f"fts5: {count} articles stored")
            progress("fts5: building the trigram index")
            db.execute("INSERT INTO fts(rowid, content) SELECT id, content FROM docs")
            db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        db.close()
        return {"articles": count}

    def index_size(self) -> int:
        return directory_size(self.path)

    def open(self) -> None:
        self.db = sqlite3.connect(self.path)
        self.db.execute(
            "CREATE TEMP TABLE m("
            "id INTEGER PRIMARY KEY, source TEXT, year INTEGER, date_key INTEGER, score REAL)"
        )

    def _collect(self, spec: QuerySpec) -> bool:
        """Fill temp table m with every matching article; True if the FTS index was used."""
        needles = spec.needles
        long = [n for n in needles if len(n) >= self.MIN_TRIGRAM]
        short = [n for n in needles if len(n) < self.MIN_TRIGRAM]
        conditions = "".join(" AND instr(d.content, ?) > 0" for _ in short)
        if long:
            score = "bm25(fts)" if spec.sort == "relevance" else "0"
            sql = (
                f"SELECT d.id, d.source, d.year, d.date_key, {score} FROM fts "
                "JOIN docs d ON d.id = fts.rowid WHERE fts MATCH ?" + conditions
            )
            params: list = [" AND ".join(_fts_string(n) for n in long), *short]
        else:
            params = []
            if spec.sort == "relevance":
                # Relevance of a scanned string: how often it occurs.
                score = (
                    "-("
                    + " + ".join(
                        "(length(d.content) - length(replace(d.content, ?, ''))) / length(?)"
                        for _ in short
                    )
                    + ")"
                )
                for needle in short:
                    params += [needle, needle]
            else:
                score = "0"
            sql = (
                f"SELECT d.id, d.source, d.year, d.date_key, {score} FROM docs d WHERE 1"
                + conditions
            )
            params += short
        self.db.execute("DELETE FROM m")
        self.db.execute("INSERT INTO m " + sql, params)
        return bool(long)

    @staticmethod
    def _filters(spec: QuerySpec) -> tuple[str, list, str, list]:
        source_sql, source_params = "1", []
        if spec.source is not None:
            source_sql, source_params = "source = ?", [spec.source]
        year_sql, year_params = "1", []
        if spec.years is not None:
            year_sql, year_params = "year BETWEEN ? AND ?", list(spec.years)
        return source_sql, source_params, year_sql, year_params

    def search(self, spec: QuerySpec) -> Page:
        used_index = self._collect(spec)
        source_sql, source_params, year_sql, year_params = self._filters(spec)
        both = f"{source_sql} AND {year_sql}"
        db = self.db
        total = db.execute(f"SELECT count(*) FROM m WHERE {both}", source_params + year_params)
        total = total.fetchone()[0]
        source_counts = dict(
            db.execute(
                f"SELECT source, count(*) FROM m WHERE {year_sql} GROUP BY source", year_params
            )
        )
        year_counts = dict(
            db.execute(
                f"SELECT year, count(*) FROM m WHERE {source_sql} GROUP BY year", source_params
            )
        )
        order = "score, id" if spec.sort == "relevance" else "date_key = 0, date_key DESC, id DESC"
        ids = [
            row[0]
            for row in db.execute(
                f"SELECT id FROM m WHERE {both} ORDER BY {order} LIMIT {PER_PAGE}",
                source_params + year_params,
            )
        ]
        marks = ",".join("?" * len(ids))
        rows = {
            row[0]: row
            for row in db.execute(
                f"SELECT id, title, author, source, year, content FROM docs WHERE id IN ({marks})",
                ids,
            )
        }
        if used_index:
            long = [n for n in spec.needles if len(n) >= self.MIN_TRIGRAM]
            snippets = {
                rowid: [snippet]
                for rowid, snippet in db.execute(
                    "SELECT rowid, snippet(fts, 0, '<mark>', '</mark>', '…', 24) FROM fts "
                    f"WHERE fts MATCH ? AND rowid IN ({marks})",
                    [" AND ".join(_fts_string(n) for n in long), *ids],
                )
            }
        else:
            snippets = {i: text_snippets(rows[i][5], spec.needles) for i in ids}
        hits = [
            Hit(i, rows[i][1], rows[i][2], rows[i][3], rows[i][4], snippets.get(i, [])) for i in ids
        ]
        return Page(total, hits, source_counts, year_counts)

    def matching_ids(self, spec: QuerySpec) -> set[int]:
        self._collect(spec)
        source_sql, source_params, year_sql, year_params = self._filters(spec)
        rows = self.db.execute(
            f"SELECT id FROM m WHERE {source_sql} AND {year_sql}", source_params + year_params
        )
        return {row[0] for row in rows}


# -- haystack's stock Whoosh setup with jieba's ChineseAnalyzer -------------------------------

DJANGO_CT = "archive.article"
HAYSTACK_BATCH = 1000  # update_index's default batch size


def stock_schema():
    """haystack's build_schema for a typical tutorial index, StemmingAnalyzer swapped for
    jieba's ChineseAnalyzer (the copied-backend tutorial): text (document), title,
    source (faceted: source_exact), year (faceted: year_exact), pub_date."""
    from jieba.analyse import ChineseAnalyzer
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import DATETIME, ID, NUMERIC, TEXT, Schema

    chinese = ChineseAnalyzer()
    text = TEXT(stored=True, analyzer=chinese, sortable=True)
    text.spelling = True  # haystack marks the document field for spelling suggestions
    return Schema(
        id=ID(stored=True, unique=True),
        django_ct=ID(stored=True),
        django_id=ID(stored=True),
        text=text,
        title=TEXT(stored=True, analyzer=chinese, sortable=True),
        author=TEXT(stored=True, analyzer=chinese, sortable=True),
        source=TEXT(stored=True, analyzer=chinese, sortable=True),
        # haystack's FacetCharField is a "string" field: TEXT with StemmingAnalyzer.
        source_exact=TEXT(stored=True, analyzer=StemmingAnalyzer(), sortable=True),
        year=NUMERIC(stored=True, numtype=int),
        year_exact=NUMERIC(stored=True, numtype=int),
        pub_date=DATETIME(stored=True, sortable=True),
    )


def stock_document(record: dict) -> dict:
    doc = {
        "id": f"{DJANGO_CT}.{record['id']}",
        "django_ct": DJANGO_CT,
        "django_id": str(record["id"]),
        "text": searchable_text(record),
        "title": record["title"],
        "author": record["author"],
        "source": record["publication"] or "",
        "source_exact": record["publication"] or "",
    }
    if record["year"]:
        doc["year"] = doc["year_exact"] = record["year"]
        doc["pub_date"] = dt.datetime(record["year"], record["month"] or 1, 1)
    return doc


class StockJieba(System):
    name = "stock_jieba"

    @property
    def path(self) -> Path:
        return self.workdir / "stock_whoosh"

    def build(self, corpus: Path, progress: Progress) -> dict:
        from whoosh import index
        from whoosh.writing import AsyncWriter

        self.path.mkdir(parents=True, exist_ok=True)
        ix = index.create_in(str(self.path), stock_schema())
        count = 0
        batch: list[dict] = []

        def flush() -> None:
            # haystack's update(): an AsyncWriter per batch, update_document, commit.
            writer = AsyncWriter(ix)
            for doc in batch:
                writer.update_document(**doc)
            writer.commit()
            batch.clear()

        for record in read_corpus(corpus):
            batch.append(stock_document(record))
            count += 1
            if len(batch) == HAYSTACK_BATCH:
                flush()
                progress(f"stock_jieba: {count} articles indexed")
        if batch:
            flush()
        return {"articles": count}

    def index_size(self) -> int:
        return directory_size(self.path)

    def open(self) -> None:
        from whoosh import index
        from whoosh.qparser import FuzzyTermPlugin, QueryParser

        self.index = index.open_dir(str(self.path))
        self.parser = QueryParser("text", schema=self.index.schema)
        self.parser.add_plugins([FuzzyTermPlugin])

    @staticmethod
    def query_string(spec: QuerySpec) -> str:
        # What haystack's WhooshSearchQuery builds for auto_query: (a AND "b c").
        terms = [f'"{t}"' if spec.quoted else t for t in spec.terms]
        return "(" + " AND ".join(terms) + ")"

    @staticmethod
    def narrow_queries(spec: QuerySpec) -> list[str]:
        narrow = [f"django_ct:{DJANGO_CT}"]
        if spec.source is not None:
            narrow.append(f'source_exact:"{spec.source}"')
        if spec.years is not None:
            narrow.append(f"year_exact:[{spec.years[0]} TO {spec.years[1]}]")
        return narrow

    def _narrowed(self, spec: QuerySpec):
        """haystack: every narrow query is a full unlimited search on a new searcher."""
        narrow_searcher = self.index.searcher()
        narrowed = None
        for nq in self.narrow_queries(spec):
            recent = narrow_searcher.search(self.parser.parse(nq), limit=None)
            if len(recent) <= 0:
                return narrow_searcher, False
            if narrowed is not None:
                narrowed.filter(recent)
            else:
                narrowed = recent
        return narrow_searcher, narrowed

    def search(self, spec: QuerySpec) -> Page:
        from whoosh.sorting import Count, FieldFacet

        query_string = self.query_string(spec)
        if len(query_string) <= 1:
            return Page(0, [])
        self.index = self.index.refresh()
        narrow_searcher, narrowed = self._narrowed(spec)
        if narrowed is False:
            narrow_searcher.close()
            return Page(0, [])
        self.index = self.index.refresh()
        searcher = self.index.searcher()
        parsed = self.parser.parse(query_string)
        newest = spec.sort == "newest"
        raw_page = searcher.search_page(
            parsed,
            1,
            pagelen=PER_PAGE,
            sortedby=["pub_date"] if newest else None,
            reverse=newest,
            groupedby=[
                FieldFacet("source_exact", allow_overlap=True, maptype=Count),
                FieldFacet("year_exact", allow_overlap=True, maptype=Count),
            ],
            filter=narrowed,
        )
        total = len(raw_page)
        results = raw_page.results
        source_counts = results.groups("source_exact")
        year_counts = results.groups("year_exact")
        hits = []
        for hit in raw_page:
            fields = hit.fields()  # haystack's _process_results reads every stored field
            hits.append(
                Hit(
                    id=int(fields["django_id"]),
                    title=fields.get("title", ""),
                    author=fields.get("author", ""),
                    source=fields.get("source", ""),
                    year=fields.get("year", 0),
                    snippets=[hit.highlights("text", top=MAX_SNIPPETS)],
                )
            )
        searcher.close()
        narrow_searcher.close()
        return Page(total, hits, source_counts, year_counts)

    def matching_ids(self, spec: QuerySpec) -> set[int]:
        narrow_searcher, narrowed = self._narrowed(spec)
        if narrowed is False:
            narrow_searcher.close()
            return set()
        searcher = self.index.searcher()
        parsed = self.parser.parse(self.query_string(spec))
        results = searcher.search(parsed, limit=None, filter=narrowed)
        ids = {int(searcher.stored_fields(docnum)["django_id"]) for docnum in results.docs()}
        searcher.close()
        narrow_searcher.close()
        return ids


# -- in-memory scan (the oracle) ------------------------------------------------------------


class Scan(System):
    """Folded article texts in a list, searched with `in`: exact by construction."""

    name = "scan"

    def build(self, corpus: Path, progress: Progress) -> dict:
        self.load(read_corpus(corpus))
        return {"articles": len(self.texts)}

    def load(self, records: Iterable[dict]) -> None:
        self.ids: list[int] = []
        self.texts: list[str] = []
        self.meta: list[tuple[str, str, str, int, int]] = []
        for record in records:
            self.ids.append(record["id"])
            self.texts.append(fold(searchable_text(record)))
            self.meta.append(
                (
                    record["title"],
                    record["author"],
                    record["publication"] or "",
                    record["year"] or 0,
                    date_key(record),
                )
            )

    def open(self) -> None:
        pass  # built in this very process

    def index_size(self) -> None:
        return None

    def _matches(self, needles: list[str]) -> list[int]:
        texts = self.texts
        first, rest = needles[0], needles[1:]
        found = [i for i, text in enumerate(texts) if first in text]
        for needle in rest:
            found = [i for i in found if needle in texts[i]]
        return found

    @staticmethod
    def _accepts(spec: QuerySpec, source: str, year: int) -> tuple[bool, bool]:
        source_ok = spec.source is None or source == spec.source
        year_ok = spec.years is None or (year and spec.years[0] <= year <= spec.years[1])
        return source_ok, bool(year_ok)

    def search(self, spec: QuerySpec) -> Page:
        needles = spec.needles
        source_counts: Counter = Counter()
        year_counts: Counter = Counter()
        selected = []
        for i in self._matches(needles):
            _, _, source, year, _ = self.meta[i]
            source_ok, year_ok = self._accepts(spec, source, year)
            if year_ok:
                source_counts[source] += 1
            if source_ok:
                year_counts[year] += 1
            if source_ok and year_ok:
                selected.append(i)
        if spec.sort == "relevance":
            texts = self.texts
            selected.sort(key=lambda i: (-sum(texts[i].count(n) for n in needles), self.ids[i]))
        else:
            meta = self.meta
            selected.sort(key=lambda i: (meta[i][4] == 0, -meta[i][4], -self.ids[i]))
        hits = []
        for i in selected[:PER_PAGE]:
            title, author, source, year, _ = self.meta[i]
            snippets = text_snippets(self.texts[i], needles)
            hits.append(Hit(self.ids[i], title, author, source, year, snippets))
        return Page(len(selected), hits, dict(source_counts), dict(year_counts))

    def matching_ids(self, spec: QuerySpec) -> set[int]:
        found = set()
        for i in self._matches(spec.needles):
            _, _, source, year, _ = self.meta[i]
            if all(self._accepts(spec, source, year)):
                found.add(self.ids[i])
        return found


PEERS = {cls.name: cls for cls in (Fts5, StockJieba, Scan)}


def process_peak_rss_mb() -> float | None:
    """The peak resident set of this process (VmHWM) or of the largest of its finished
    children, in MB: a parallel index build sorts its postings in child processes."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    try:
        with open(f"/proc/{os.getpid()}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return max(int(line.split()[1]) / 1024, children)
    except OSError:
        pass
    return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, children)
