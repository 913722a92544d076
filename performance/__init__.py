"""Measuring the archive: benchmarks and the load test, on one synthetic corpus.

- corpus.py: the synthetic corpus (the project's one generator) and the fixed query mix;
- search benchmark (manage.py benchmark): peers.py, the peer systems (SQLite FTS5 trigram,
  haystack's stock jieba setup, a scan); wencui.py, the archive's own import, index build
  and search in a throwaway data directory; worker.py, one measured phase of one system in
  its own process; runner.py, the whole run, with gunicorn over HTTP; report.py, the tables
  and the JSON document;
- import benchmark (manage.py benchmark_import): imports.py and import_worker.py;
- load_test.py: concurrent clients against a running server (make load).

A small app of its own so that the commands live with what they run, and the search app
carries only searching.
"""
