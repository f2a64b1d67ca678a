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

TRAIN_INPUTS := config.yml domain.yml $(shell find data knowledge -name '*.yml' 2>/dev/null) \
                $(wildcard bot/nlu/*.py)

.PHONY: help install train chat run test lint check-knowledge validate test-stories bench clean

help:
	@echo "make run    install (first time), train if needed, start the bot (REST on :$(RASA_PORT))"
	@echo "make chat   talk to the bot in the terminal (rasa shell)"
	@echo "make test   everything CI runs"
	@echo "make bench  quality and speed benchmarks (writes bench/results.json)"

install: $(STAMP)

$(STAMP): pyproject.toml
	@python3.10 -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null || { \
	  echo "ERROR: Python 3.10 is required (Rasa 3.6 does not run on 3.11 or newer)."; \
	  echo "       Install it, e.g. 'pyenv install 3.10' (this repo's .python-version selects it),"; \
	  echo "       or 'apt-get install python3.10 python3.10-venv', then run make again."; \
	  exit 1; }
	@test -x $(PY) || python3.10 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip wheel
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $@

check-knowledge: $(STAMP)
	$(PY) -m bot check

# Rasa itself skips work whose inputs did not change; make skips calling it.
train: $(MODEL)

$(MODEL): $(STAMP) $(TRAIN_INPUTS)
	$(PY) -m bot check
	$(RASA) train --fixed-model-name current --out models --num-threads 2
	@touch $@

chat: $(MODEL)
	$(PY) -m bot chat

run: $(MODEL)
	$(PY) -m bot run

validate: $(STAMP)
	$(RASA) data validate --fail-on-warnings

test-stories: $(MODEL)
	$(RASA) test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out results/stories

lint: $(STAMP)
	$(VENV)/bin/ruff check bot actions tests bench

test: $(STAMP) check-knowledge lint validate test-stories
	$(PY) -m pytest

bench: $(MODEL)
	$(PY) -m bench

clean:
	rm -rf models results .rasa tracker.db
