# Short verbs for Cooperation Atlas. `make run` serves the site; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Local development runs with DEBUG on, so that no SECRET_KEY is needed; production sets its own.
DEV := DEBUG=$${DEBUG:-true}

.PHONY: install browser-deps bench-deps run test test-fast lint format reload export bench bench-smoke bench-datasette bench-datasette-smoke soak soak-smoke stack-deps stack stack-stop soak-stack soak-stack-smoke observatory-deps observatory evaluate-ingest bench-ingest bench-ingest-smoke api-check api-check-smoke lighthouse lighthouse-smoke world-map messages migrations-check clean

# The interface's translations, compiled from the .po files (the .mo are build output, not
# committed), whenever a .po changes.
TRANSLATIONS := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

install: $(VENV)/.installed $(TRANSLATIONS)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(VENV)/.installed
	$(BIN)/pybabel compile -d locale -D django -l $* > /dev/null

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# What the browser and validator tests need: Debian's Chromium and jing, axe-core and the Nu Html Checker
# (vnu-jar; it runs on the Java already here), Lighthouse and world-atlas, into node_modules/, not
# committed.
browser-deps:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	command -v jing >/dev/null || (apt-get update -qq && apt-get install -y -qq jing)
	@# GNU gettext's xgettext: the test that the French catalogue holds every string of the code.
	command -v xgettext >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext)
	@# One npm call for all: a later --no-save install would prune the others as extraneous.
	@# world-atlas (Natural Earth's countries) is what the world map is converted from.
	test -f node_modules/axe-core/axe.min.js -a -f node_modules/vnu-jar/build/dist/vnu.jar -a -f node_modules/world-atlas/countries-50m.json -a -x node_modules/.bin/lighthouse || npm install --no-save --no-package-lock --silent axe-core@4 vnu-jar world-atlas@2.0.2 lighthouse@12

# The load generator of the benchmark.
bench-deps:
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)

# The benchmark on PostgreSQL (its own database, cooperation_bench): 1,000 to 100,000 agreements.
bench: install bench-deps
	$(BIN)/python bench/run.py

# The same at 200 agreements in a few seconds, so that CI keeps the benchmark working.
bench-smoke: install bench-deps
	$(BIN)/python bench/run.py --sizes 200 --requests 3 --wrk-seconds 1 --rounds 1 --output /tmp/cooperation-bench-smoke.json

# The atlas and Datasette side by side on one SQLite file of 100,000 synthetic agreements
# (Datasette in an environment of its own), and the same at 2,000 in a minute or two.
bench-datasette: install bench-deps
	$(BIN)/python bench/datasette.py --agreements 100000

bench-datasette-smoke: install bench-deps
	$(BIN)/python bench/datasette.py --agreements 2000 --seconds 1 --rounds 1 --output /tmp/cooperation-datasette-smoke.json

# The API against its own OpenAPI schema, by schemathesis (every check, every phase) on the
# running site: 100 examples per operation, and 15 in CI.
api-check: install
	$(BIN)/python bench/api_check.py --max-examples 100

api-check-smoke: install
	$(BIN)/python bench/api_check.py --max-examples 15

# The ingest assistant scored on the seed releases (leave-one-out and from an empty catalogue);
# fails when a target of issue #14 is missed. Seconds: CI runs it as it is.
evaluate-ingest: install
	$(DEV) $(BIN)/python manage.py evaluate_ingest --check

# The ingest assistant's speed: a 2,000-word release proposed and its review page served, with
# 100,000 synthetic agreements on PostgreSQL (its own database), and at 300 on SQLite for CI.
bench-ingest: install
	$(BIN)/python bench/ingest.py --agreements 100000

bench-ingest-smoke: install
	$(BIN)/python bench/ingest.py --agreements 300 --sqlite /tmp/cooperation-ingest-smoke.sqlite3 --runs 2 --requests 3 --output /tmp/cooperation-ingest-smoke.json --report-only

# The soak test on PostgreSQL (its own database, cooperation_soak; stops PostgreSQL for 10 s):
# 60 s of traffic at 64 connections, then during reloads and an outage; reloads killed halfway.
soak: install
	$(BIN)/python bench/soak.py --seconds 60 --connections 64 --outage-seconds 10

# The same in about a minute (shorter, fewer connections, a smaller catalogue), for CI.
soak-smoke: install
	$(BIN)/python bench/soak.py --seconds 5 --connections 16 --outage-seconds 3 --kill-points 0.5 --copies 300

# A local production stack on loopback (bench/stack.py): nginx with TLS on 443 (80 redirects;
# STACK_HTTPS_PORT, STACK_HTTP_PORT) before two gunicorn servers (8101, 8102), PostgreSQL's
# cluster and a streaming replica of it (5433), Redis of its own (6380); its state in
# var/stack/. Debian's nginx and Redis, installed if missing.
stack-deps:
	command -v nginx >/dev/null || (apt-get update -qq && apt-get install -y -qq nginx)
	command -v redis-server >/dev/null || (apt-get update -qq && apt-get install -y -qq redis-server)

stack: install stack-deps
	$(BIN)/python bench/stack.py start

# Stops it and removes all it made: processes, replica, database, pg_hba.conf line, var/stack/.
stack-stop: install
	$(BIN)/python bench/stack.py stop

# The soak test through the stack (bench/soak_stack.py; starts one if none runs, and stops
# it): seven scenarios of 30 s with faults (an app server killed, Redis and the replica
# stopped, reloads, replay paused, 200 slow clients), or about a minute of them for CI.
soak-stack: install stack-deps
	$(BIN)/python bench/soak_stack.py

soak-stack-smoke: install stack-deps
	$(BIN)/python bench/soak_stack.py --seconds 6 --connections 8 --redis-outage 3 --slow-clients 100 --slow-seconds 6

# The MDN HTTP Observatory's scanner on the stack's real TLS (bench/observatory.py), from npm
# into var/observatory/ (apart from node_modules/, which one npm call of browser-deps owns).
# Its install script downloads Chromium's HSTS preload list, which cannot be fetched here:
# skipped, and the list left empty (localhost is on no preload list anyway).
OBSERVATORY := var/observatory/node_modules/@mdn/mdn-http-observatory
observatory-deps:
	test -f $(OBSERVATORY)/src/scan.js || npm install --prefix var/observatory --no-save --no-package-lock --silent --ignore-scripts @mdn/mdn-http-observatory@1
	test -f $(OBSERVATORY)/conf/hsts-preload.json || (mkdir -p $(OBSERVATORY)/conf && echo '{}' > $(OBSERVATORY)/conf/hsts-preload.json)

observatory: install stack-deps observatory-deps
	$(BIN)/python bench/observatory.py

run: install
	$(DEV) $(BIN)/python manage.py migrate --noinput
	@# A reload never overwrites a curator's unexported edits: if it refuses, serve them as they are.
	$(DEV) $(BIN)/python manage.py reload_fixtures || echo "Fixtures not reloaded (see above): serving the database as it is."
	$(DEV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(DEV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest

# The edit–run loop: every test but the browser, fuzz, concurrency and fresh-process ones.
test-fast: install
	$(BIN)/python -m pytest -m "not browser and not fuzz and not concurrency and not subprocess and not validator"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Lighthouse's accessibility audit (every score must be 100): ten pages at phone and desktop
# size, and three at phone size in CI.
lighthouse: install browser-deps
	$(BIN)/python bench/lighthouse.py

lighthouse-smoke: install browser-deps
	$(BIN)/python bench/lighthouse.py --smoke

# The world map's shapes (cooperation/world.json), converted again from world-atlas; commit the result.
world-map: install browser-deps
	$(DEV) $(BIN)/python manage.py build_world_map

# The French catalogue brought up to date with the code and templates (GNU gettext's xgettext,
# a developer's tool); then translate what is new in locale/fr/LC_MESSAGES/django.po.
messages: install
	$(DEV) $(BIN)/python manage.py makemessages -l fr --ignore=.venv --ignore=node_modules --ignore=tests --ignore=bench --ignore=var --no-obsolete

reload: install
	$(DEV) $(BIN)/python manage.py reload_fixtures

export: install
	$(DEV) $(BIN)/python manage.py export_fixtures

migrations-check: install
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
