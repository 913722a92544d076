"""Benchmark of the archive's search against peer systems (manage.py benchmark).

- corpus.py: a deterministic synthetic corpus and the fixed query mix;
- peers.py: the peer systems (SQLite FTS5 trigram, haystack's stock jieba setup, a scan);
- wencui.py: the archive's own import, index build and search, in a throwaway data dir;
- worker.py: one measured phase of one system, run in its own process;
- runner.py: the whole run (corpus, workers, gunicorn over HTTP), collecting figures;
- report.py: machine information, ratios, the Markdown table and the JSON document.
"""
