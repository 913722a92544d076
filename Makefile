# Wencui — the two commands of the README are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test test-sqlite test-postgres install install-dev lint serve-setup ci bench clean

# A stamp per requirements file: installing again only when it changed.
$(VENV)/.installed-runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements-dev.txt
	touch $@ $(VENV)/.installed-runtime

install: $(VENV)/.installed-runtime

install-dev: $(VENV)/.installed-dev

# Set up the data directory (database, demo corpus, search index, static files), then serve.
serve-setup: install
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py check_index --fix
	$(PY) manage.py load_demo_corpus
	$(PY) manage.py collectstatic --noinput -v 0

run: serve-setup
	$(VENV)/bin/gunicorn -c config/gunicorn.conf.py config.wsgi

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The whole suite twice: on SQLite, then on PostgreSQL (a throwaway server the tests start
# from the server binaries; WENCUI_TEST_DATABASE_URL=postgres://… uses a running one).
test: install-dev lint
	DJANGO_SETTINGS_MODULE=config.test_settings $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=config.test_settings $(PY) manage.py makemigrations --check --dry-run
	WENCUI_TEST_DATABASE=sqlite $(PY) -m pytest $(PYTEST_ARGS)
	WENCUI_TEST_DATABASE=postgres $(PY) -m pytest $(PYTEST_ARGS)

test-sqlite: install-dev
	WENCUI_TEST_DATABASE=sqlite $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install-dev
	WENCUI_TEST_DATABASE=postgres $(PY) -m pytest $(PYTEST_ARGS)

# Search benchmark against SQLite FTS5, stock haystack+jieba and a scan, in a throwaway data
# directory (your data is never used): a Markdown table, and JSON with --json FILE. E.g.
#   make bench BENCH_ARGS="--articles 2000 --json bench.json"
# The default 10,000 articles take about an hour on 2 cores (stock jieba build: ~30 min).
bench: install-dev
	$(PY) manage.py benchmark $(BENCH_ARGS)

# Import benchmark: a folder of one-article newspaper files in dated subfolders and one large
# compilation, imported in a throwaway data directory (your data is never used), then the
# folder again unchanged: a Markdown table and the targets met, JSON with --json FILE. E.g.
#   make bench-import BENCH_IMPORT_ARGS="--files 2000 --compilation-mb 10 --json import.json"
# The defaults (10,000 files of about 30 MB, a 50 MB compilation) take about 2 min on 2 cores.
.PHONY: bench-import
bench-import: install-dev
	$(PY) manage.py benchmark_import $(BENCH_IMPORT_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

# Load test (loopback only): 32 clients for 60 s against a gunicorn of its own serving the
# demo corpus. LOAD_ARGS="--url http://127.0.0.1:8000" targets a running server instead;
# "--start-server --articles 10000" a synthetic archive. See performance/load_test.py.
.PHONY: load
LOAD_ARGS ?= --start-server
load: install
	$(PY) performance/load_test.py $(LOAD_ARGS)

# The English interface: the strings marked for translation gathered into
# locale/en/LC_MESSAGES/django.po (new ones with an empty msgstr, to translate there), then
# compiled into the django.mo committed beside it. Needs GNU gettext (apt-get install gettext).
.PHONY: messages
messages: install
	$(PY) manage.py makemessages -l en --no-wrap --add-location file --ignore=var \
		--ignore=staticfiles --ignore=test-artifacts --ignore=tests --ignore=fixtures \
		--ignore=docs --ignore=scripts
	$(PY) manage.py compilemessages -l en --ignore=$(VENV)

# The README's screenshot: tests write only to test-artifacts/; this takes it there and
# copies it to docs/.
.PHONY: screenshots
screenshots: install-dev
	$(PY) -m pytest -q -p no:cacheprovider tests/browser/test_reading_room.py -k "test_screenshots and desktop"
	$(PY) -m pytest -q -p no:cacheprovider tests/browser/test_reuse.py tests/browser/test_concordance.py
	cp test-artifacts/screenshots/search-page.png docs/search-page.png
	cp test-artifacts/screenshots/reuse-desktop.png docs/reuse-page.png
	cp test-artifacts/screenshots/reuse-side-by-side-desktop.png docs/reuse-side-by-side.png
	cp test-artifacts/screenshots/concordance-desktop.png docs/concordance-page.png
	cp test-artifacts/screenshots/trend-chart-desktop.png docs/trend-chart.png
