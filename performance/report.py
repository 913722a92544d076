"""The benchmark's figures as one JSON document and as a Markdown table."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sqlite3
from collections import defaultdict
from importlib import metadata

from performance.runner import (
    MB,
    SYSTEMS,
    WENCUI_SYSTEMS,
    RunData,
    exactness,
    latency_summary,
    percentile,
)

PACKAGES = ("Django", "django-haystack", "Whoosh", "jieba", "OpenCC", "gunicorn")


def machine_info() -> dict:
    cpu = platform.processor() or ""
    memory_mb = None
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    memory_mb = int(line.split()[1]) // 1024
    except OSError:
        pass
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_mb": memory_mb,
        "sqlite": sqlite3.sqlite_version,
        "packages": versions,
    }


def git_head() -> str | None:
    """The checked-out commit, read from .git without running git."""
    from performance.corpus import BASE_DIR

    try:
        head = (BASE_DIR / ".git" / "HEAD").read_text(encoding="ascii").strip()
        if head.startswith("ref: "):
            return (BASE_DIR / ".git" / head[5:]).read_text(encoding="ascii").strip()[:12]
        return head[:12]
    except OSError:
        return None


def _round(value, digits=1):
    return None if value is None else round(value, digits)


def _per_kind(latencies: dict[str, list[float]], kinds: dict[str, str]) -> dict:
    grouped: dict[str, list[float]] = defaultdict(list)
    for label, samples in latencies.items():
        grouped[kinds[label]].extend(samples)
    return {
        kind: {"p50": _round(percentile(v, 50)), "p95": _round(percentile(v, 95))}
        for kind, v in sorted(grouped.items())
    }


def _slowest(latencies: dict[str, list[float]], count: int = 8) -> list[dict]:
    medians = [(percentile(v, 50), label) for label, v in latencies.items() if v]
    medians.sort(reverse=True)
    return [{"query": label, "p50_ms": _round(ms)} for ms, label in medians[:count]]


def system_figures(data: RunData, name: str) -> dict:
    results = data.results
    if name == "scan":
        build, search = results["scan/run"]["build"], results["scan/run"]["search"]
    else:
        build, search = results[f"{name}/build"], results[f"{name}/search"]
    kinds = {spec.label: spec.kind for spec in data.queries}
    seconds = build["seconds"]
    figures = {
        "build_articles_per_s": _round(build["articles"] / seconds),
        "build_mb_per_s": _round(data.corpus_bytes / MB / seconds, 2),
        "build_seconds": _round(seconds, 2),
        "build_cpu_seconds": _round(build["cpu_seconds"], 2),
        "build_articles_per_cpu_s": _round(build["articles"] / build["cpu_seconds"]),
        "build_articles": build["articles"],
        "index_size_mb": _round(build["index_bytes"] / MB if build["index_bytes"] else None),
        "index_to_text": _round(
            build["index_bytes"] / data.corpus_bytes if build["index_bytes"] else None, 2
        ),
        "build_peak_rss_mb": _round(build["peak_rss_mb"]),
        "search_peak_rss_mb": _round(search["peak_rss_mb"]),
        "peak_rss_mb": _round(max(build["peak_rss_mb"], search["peak_rss_mb"])),
        "open_ms": _round(search["open_ms"]),
        "first_search_ms": _round(search["first_search_ms"]),
        "search_ms": {k: _round(v, 2) for k, v in latency_summary(search["latencies_ms"]).items()},
        # CPU time of the searching process per query: steadier than wall time on a shared
        # machine (SQLite's and jieba's work is in-process, so it counts).
        "search_cpu_ms": {k: _round(v, 2) for k, v in latency_summary(search["cpu_ms"]).items()},
        "search_ms_by_kind": _per_kind(search["latencies_ms"], kinds),
        "slowest_queries": _slowest(search["latencies_ms"]),
    }
    check = exactness(search["ids"], data.oracle, data.queries)
    figures.update(
        recall=round(check["recall"], 4),
        precision=round(check["precision"], 4),
        exact_queries=check["exact_queries"],
        exact_queries_correct=check["exact_queries_correct"],
        recall_by_kind={k: round(v, 4) for k, v in check["recall_by_kind"].items()},
        misses=check["misses"],
        total_mismatches=sorted(
            label for label, ids in search["ids"].items() if search["totals"].get(label) != len(ids)
        ),
    )
    if name in WENCUI_SYSTEMS:
        imported = results[f"{name}/import"]
        figures.update(
            import_articles_per_s=_round(imported["articles"] / imported["seconds"]),
            import_seconds=_round(imported["seconds"], 2),
            import_peak_rss_mb=_round(imported["peak_rss_mb"]),
            import_and_build_seconds=_round(imported["seconds"] + seconds, 1),
            build_reuse_seconds=_round(build.get("reuse_seconds")),
            queued_before_build=build.get("queued_before_build"),
            research={
                key: _round(value, 3 if key == "reuse_share" else 1)
                for key, value in search.get("research", {}).items()
            },
        )
        if name == "wencui" and data.http:
            http = data.http
            figures["http_ms"] = {
                k: _round(v, 2) for k, v in latency_summary(http["latencies_ms"]).items()
            }
            figures["http"] = {
                "first_search_after_start_ms": _round(http["first_search_after_start_ms"]),
                "workers": http["workers"],
                "worker_peak_rss_mb": _round(http["worker_peak_rss_mb"]),
                "worker_rss_mb": _round(http["worker_rss_mb"]),
                "master_rss_mb": _round(http["master_rss_mb"]),
                "count_mismatches": http["count_mismatches"],
                "slowest_queries": _slowest(http["latencies_ms"]),
            }
    return figures


def _ratio(a, b, digits=2):
    if a is None or b in (None, 0):
        return None
    return round(a / b, digits)


def ratios(systems: dict[str, dict]) -> dict:
    """wencui's figure divided by each peer's (search: > 1 means wencui is slower;
    build: < 1 means wencui builds slower)."""
    if "wencui" not in systems:
        return {}
    ours = systems["wencui"]
    out = {}
    for name, peer in systems.items():
        if name == "wencui":
            continue
        out[name] = {
            "search_p50": _ratio(ours["search_ms"]["p50"], peer["search_ms"]["p50"]),
            "search_p95": _ratio(ours["search_ms"]["p95"], peer["search_ms"]["p95"]),
            "search_p99": _ratio(ours["search_ms"]["p99"], peer["search_ms"]["p99"]),
            "search_cpu_p95": _ratio(ours["search_cpu_ms"]["p95"], peer["search_cpu_ms"]["p95"]),
            "build_articles_per_s": _ratio(
                ours["build_articles_per_s"], peer["build_articles_per_s"]
            ),
            "build_articles_per_cpu_s": _ratio(
                ours["build_articles_per_cpu_s"], peer["build_articles_per_cpu_s"]
            ),
            "peak_rss_mb": _ratio(ours["peak_rss_mb"], peer["peak_rss_mb"]),
            "search_peak_rss_mb": _ratio(ours["search_peak_rss_mb"], peer["search_peak_rss_mb"]),
            "index_size_mb": _ratio(ours["index_size_mb"], peer["index_size_mb"]),
        }
    return out


def summarise(data: RunData) -> dict:
    now = dt.datetime.now(dt.UTC).astimezone()
    systems = {name: system_figures(data, name) for name in SYSTEMS if name in data.options.systems}
    return {
        "date": now.isoformat(timespec="seconds"),
        "machine": {
            **machine_info(),
            "load_average_before": data.load_before,
            "load_average_after": data.load_after,
        },
        "benchmark": {
            "articles": data.options.articles,
            "seed": data.options.seed,
            "corpus_text_mb": round(data.corpus_bytes / MB, 2),
            "corpus_seconds": round(data.corpus_seconds, 1),
            "queries": len(data.queries),
            "exact_queries": len(data.oracle),
            "queries_repeat": data.options.repeat,
            "warmup_pass": not data.options.quick,
            "http": data.http is not None,
            "code_fingerprint": data.code,
            "git_head": git_head(),
        },
        "queries": [spec.label for spec in data.queries],
        "systems": systems,
        "ratios": ratios(systems),
    }


def _cell(value, digits=1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def render_table(document: dict) -> str:
    machine, bench = document["machine"], document["benchmark"]
    lines = [
        f"## Wencui search benchmark — {document['date']}",
        "",
        f"{machine['cpu']}, {machine['cores']} cores, {machine['memory_mb']} MB; "
        f"{machine['platform']}; Python {machine['python']}, SQLite {machine['sqlite']}; "
        f"load {machine['load_average_before'][0]:.2f} → {machine['load_average_after'][0]:.2f}",
        "",
        f"Code: commit {bench['git_head']} (working tree {bench['code_fingerprint']}).",
        "",
        f"{bench['articles']:,} articles, {bench['corpus_text_mb']} MB of text (seed "
        f"{bench['seed']}); {bench['queries']} queries ({bench['exact_queries']} quoted, "
        f"checked against the scan oracle) × {bench['queries_repeat']} timed passes"
        + (" after a warm-up pass." if bench["warmup_pass"] else " (quick: no warm-up pass)."),
        "",
        "| system | build art/s | build MB/s | build s | build art/CPU-s | index MB "
        "| index ÷ text | peak RSS MB (build / search) | first search ms | search p50 ms "
        "| p95 ms | p99 ms | search CPU p50 / p95 ms | recall | precision |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, s in document["systems"].items():
        lines.append(
            f"| {name} | {_cell(s['build_articles_per_s'], 0)} | {_cell(s['build_mb_per_s'], 2)} "
            f"| {_cell(s['build_seconds'])} | {_cell(s['build_articles_per_cpu_s'], 0)} "
            f"| {_cell(s['index_size_mb'])} | {_cell(s['index_to_text'], 2)} "
            f"| {_cell(s['build_peak_rss_mb'], 0)} / {_cell(s['search_peak_rss_mb'], 0)} "
            f"| {_cell(s['first_search_ms'], 0)} "
            f"| {_cell(s['search_ms']['p50'])} | {_cell(s['search_ms']['p95'])} "
            f"| {_cell(s['search_ms']['p99'])} "
            f"| {_cell(s['search_cpu_ms']['p50'])} / {_cell(s['search_cpu_ms']['p95'])} "
            f"| {s['recall']:.3f} | {s['precision']:.3f} |"
        )
    for name in WENCUI_SYSTEMS:
        if name in document["systems"]:
            s = document["systems"][name]
            lines += [
                "",
                f"{name} import: {_cell(s['import_articles_per_s'], 0)} articles/s "
                f"({_cell(s['import_seconds'])} s, peak RSS "
                f"{_cell(s['import_peak_rss_mb'], 0)} MB); import and build "
                f"{_cell(s['import_and_build_seconds'])} s (text reuse's fingerprints "
                f"{_cell(s['build_reuse_seconds'])} s of the build).",
            ]
    systems = document["systems"]
    research = {n: systems[n].get("research") for n in WENCUI_SYSTEMS if n in systems}
    research = {n: r for n, r in research.items() if r}
    if research:
        lines += [
            "",
            "Research tools, each once, cold (reuse check of a "
            f"{next(iter(research.values()))['reuse_passage_characters']:,}-character passage "
            "made of pieces of corpus articles; concordance first page):",
            "",
            "| system | reuse check ms | articles found | share reused | concordance "
            "of a common phrase ms (occurrences) | of a common character ms (occurrences) |",
            "|---|--:|--:|--:|--:|--:|",
        ]
        for name, r in research.items():
            lines.append(
                f"| {name} | {_cell(r['reuse_ms'])} | {_cell(r['reuse_articles'])} "
                f"| {_cell(r['reuse_share'], 3)} | {_cell(r['concordance_phrase_ms'])} "
                f"({_cell(r['concordance_phrase_occurrences'])}) "
                f"| {_cell(r['concordance_character_ms'])} "
                f"({_cell(r['concordance_character_occurrences'])}) |"
            )
    wencui = document["systems"].get("wencui")
    if wencui:
        if "http_ms" in wencui:
            http, h = wencui["http_ms"], wencui["http"]
            lines += [
                "",
                "| wencui over HTTP (gunicorn) | p50 ms | p95 ms | p99 ms | first answer after "
                "start ms | workers | worker peak RSS MB |",
                "|---|--:|--:|--:|--:|--:|--:|",
                f"| /api/search | {_cell(http['p50'])} | {_cell(http['p95'])} "
                f"| {_cell(http['p99'])} | {_cell(h['first_search_after_start_ms'], 0)} "
                f"| {h['workers']} | {_cell(h['worker_peak_rss_mb'], 0)} |",
            ]
    if document["ratios"]:
        lines += [
            "",
            "Ratios, wencui ÷ peer (search: above 1 = wencui slower; build: below 1 = wencui "
            "slower):",
            "",
            "| peer | search p50 | search p95 | search p99 | search CPU p95 | build art/s "
            "| build art/CPU-s | peak RSS | search RSS | index size |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for name, r in document["ratios"].items():
            lines.append(
                f"| {name} | {_cell(r['search_p50'], 2)} | {_cell(r['search_p95'], 2)} "
                f"| {_cell(r['search_p99'], 2)} | {_cell(r['search_cpu_p95'], 2)} "
                f"| {_cell(r['build_articles_per_s'], 2)} "
                f"| {_cell(r['build_articles_per_cpu_s'], 2)} "
                f"| {_cell(r['peak_rss_mb'], 2)} | {_cell(r['search_peak_rss_mb'], 2)} "
                f"| {_cell(r['index_size_mb'], 2)} |"
            )
    kinds = sorted({k for s in document["systems"].values() for k in s["search_ms_by_kind"]})
    names = list(document["systems"])
    lines += [
        "",
        "Search p50 / p95 ms by kind of query:",
        "",
        "| kind | " + " | ".join(names) + " |",
        "|---|" + "--:|" * len(names),
    ]
    for kind in kinds:
        cells = []
        for name in names:
            k = document["systems"][name]["search_ms_by_kind"].get(kind)
            cells.append(f"{_cell(k['p50'])} / {_cell(k['p95'])}" if k else "—")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    recall_kinds = sorted({k for s in document["systems"].values() for k in s["recall_by_kind"]})
    lines += [
        "",
        "Recall of quoted queries by kind:",
        "",
        "| kind | " + " | ".join(names) + " |",
        "|---|" + "--:|" * len(names),
    ]
    for kind in recall_kinds:
        cells = [f"{document['systems'][n]['recall_by_kind'].get(kind, 1.0):.3f}" for n in names]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
