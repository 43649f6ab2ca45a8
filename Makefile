# The two commands: `make run` (set up and serve) and `make test`.
# `make run` serves with gunicorn and starts the background workers (Procfile, run by honcho);
# `make dev` is Django's development server (reloads on code changes; run `make worker` beside it).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SHARED ?= ../shared

.PHONY: run dev worker setup venv migrate samples test browser test-postgres lint bench bench-search bench-engines bench-serve bench-extract clean

run: setup
	BIND=$(HOST):$(PORT) $(VENV)/bin/honcho --no-colour -f Procfile start

dev: setup
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

worker: venv
	$(PY) manage.py db_worker --queue-name '*'

setup: venv migrate samples

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# pip 23's resolver fails on lxml[html-clean] (trafilatura's extra): a pinned newer pip first
	$(PY) -m pip install --quiet --disable-pip-version-check 'pip==25.3'
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

migrate: venv
	$(PY) manage.py migrate --no-input

# Ingest the bundled samples (and ../shared's, when it is there).  Exit status 1 only means some
# records were rejected (the deleted-article page is, on purpose); they are in the ingest log.
samples: migrate
	$(PY) manage.py ingest samples $(wildcard $(SHARED)/seeds $(SHARED)/data/wechat/*.html $(SHARED)/data/localgov) || test $$? -eq 1

test: venv browser
	$(PY) -m pytest

# Debian's chromium and chromedriver for the browser tests, and a CJK font for their screenshots
# (as root, when missing; elsewhere those tests skip unless REQUIRE_BROWSER=1).
browser:
	@if [ ! -x /usr/bin/chromedriver ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			chromium chromium-driver fonts-wqy-zenhei >/dev/null; \
	fi

# The same suite on a throwaway PostgreSQL server (CI runs it after `make test`). The browser tests
# serve their own SQLite site (they drop DATABASE_URL), so they are left out unless PYTEST_ARGS says.
PYTEST_ARGS ?= --ignore=tests/browser
test-postgres: venv
	scripts/test-postgres.sh $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: venv
	$(PY) bench/ingest.py --records 2000 --records 20000

# Search: indexing docs/s, index size, page/API latency and recall against a stock Whoosh + jieba baseline.
bench-search: venv
	$(PY) bench/search.py --docs 10000

# The two search engines side by side (embedded Whoosh, a Typesense server started for the run).
bench-engines: venv
	$(PY) bench/engines.py --docs 100000

# Serving: the `make run` server (gunicorn + workers) under 50 clients for 60 s while 2,000 records
# are ingested, beside runserver, on 10,000 articles.
# Debian's wrk drives the load (as root, when missing; without it the benchmark uses Python clients).
bench-serve: venv
	@if ! command -v wrk >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	fi
	$(PY) bench/serve.py --docs 10000 --ingest 2000 --clients 50 --duration 60

# Extraction: the archive's main text beside readability-lxml, gne and trafilatura on ../shared's
# 21 dev pages (bag-of-character-bigram F1 against human reference text).
bench-extract: venv
	$(PY) bench/extract.py $(SHARED)/data/extraction

clean:
	rm -rf $(VENV) data
