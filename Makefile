# ACT Early web. Two commands: `make run` (the site on http://127.0.0.1:8000) and `make test`.
# Each sets up whatever is missing first. Needs Python 3.11+ and Node 20+.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ASSET_SOURCES := $(shell find static/scss static/js static/images web/translations -type f -name "*.*" ! -name "*.mo" 2>/dev/null) package-lock.json
CHROMIUM ?= /usr/bin/chromium
PYTHON_TREES := web audit testing tests a11y_tests bench .ci

.PHONY: run test a11y setup setup-test browser build check clean audit audit-deps proof

# Development: a key pair and form secret are made under var/keys/ when missing (never in any other
# ENVIRONMENT), one worker. Production: docs/operations.md.
run: setup
	ENVIRONMENT=development WORKERS=1 $(PY) -m web serve

test: setup-test browser
	$(PY) -m ruff check $(PYTHON_TREES)
	$(PY) -m ruff format --check $(PYTHON_TREES)
	$(PY) -m mypy
	$(VENV)/bin/lint-imports
	$(PY) -m web content check
	$(PY) -m pytest

# The browser tests alone (a11y_tests/: axe, keyboard, no JavaScript, offline, the shared device...).
a11y: setup-test browser
	$(PY) -m pytest a11y_tests

# The long runs of the proof suite (bench/RESULTS.md, "Proof that it holds"), one after another.
# Each writes its figures to bench/results/; the fast checks of the same suite run in `make test`.
proof: setup-test browser audit-deps
	$(PY) -m bench.kill_restart --database both
	$(PY) -m bench.fuzz
	$(PY) -m bench.hostile_clients
	$(PY) -m bench.load
	$(PY) -m bench.backup_rehearsal
	$(PY) -m bench.key_rotation
	$(PY) -m bench.security_matrix
	$(PY) -m bench.shared_device

# Known vulnerabilities in the pinned Python and npm dependencies (.ci/dependency_audit.py); CI runs it.
audit-deps: $(VENV)/.runtime .venv-audit/.installed
	$(PY) .ci/dependency_audit.py

.venv-audit/.installed: requirements-audit.lock
	$(PYTHON) -m venv .venv-audit
	.venv-audit/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-audit.lock
	touch $@

setup: $(VENV)/.runtime node_modules/.installed static/dist/manifest.json var/films/films.json

setup-test: setup $(VENV)/.test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.lock pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

$(VENV)/.test: requirements-test.lock $(VENV)/.runtime
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/dist/manifest.json: node_modules/.installed $(VENV)/.runtime $(ASSET_SOURCES)
	$(PY) -m web build

FILM_SOURCES := $(wildcard content/films/*.yaml) web/content/films.py web/films/build.py

# The stand-in films (docs/adr/0007-stand-in-films.md), built when missing or changed. As root,
# installs Debian's ffmpeg and espeak-ng first; without them the site still runs, films as transcripts.
var/films/films.json: $(VENV)/.runtime $(FILM_SOURCES)
	@if ! command -v ffmpeg >/dev/null || ! command -v espeak-ng >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
				ffmpeg espeak-ng fonts-dejavu-core; \
		fi; \
	fi
	@if command -v ffmpeg >/dev/null && command -v espeak-ng >/dev/null; then \
		$(PY) -m web films build && touch $@; \
	else \
		echo "warning: films not built: install Debian's ffmpeg and espeak-ng (as root: apt-get install ffmpeg espeak-ng)." >&2; \
		echo "         Their pages show the transcripts only, and a11y_tests/test_films.py fails." >&2; \
	fi

build: setup
	$(PY) -m web build

# Debian's Chromium for the browser tests (Playwright's own browser download does not work here).
browser:
	@if [ -x "$(CHROMIUM)" ] && command -v java >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium default-jre-headless; \
	else \
		echo "Chromium or Java is missing: install Debian's chromium and default-jre-headless (as root)," >&2; \
		echo "or set CHROMIUM=/path/to/chromium. The browser tests need it." >&2; exit 1; \
	fi

# QA: audit any deployed copy, e.g. make audit URL=https://staging.example.org (reports in var/audit/).
audit: setup-test browser
	$(PY) -m audit $(URL) --out var/audit

clean:
	rm -rf static/dist $(VENV) node_modules
