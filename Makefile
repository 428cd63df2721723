# The two commands: `make run` (whole system locally) and `make test` (full test suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
MOTO_PORT ?= 5000

.PHONY: run test install clean bench

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip<26.3"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# Escalation settings given as `make run WAVE_SIZE=1 ...` reach the stack through the environment.
export WAVE_SIZE WAVE_INTERVAL_SECONDS ANSWER_TIMEOUT_SECONDS DECISION_TIMEOUT_SECONDS MAX_STARTS_PER_HOUR PUBLIC_VIEWS_PER_MINUTE

run: $(STAMP)
	PORT=$(PORT) MOTO_PORT=$(MOTO_PORT) $(BIN)/python -m chalicelib.local

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile

# Benchmarks (bench/): each prints a ratio measured in one run; the summary ends with the two ratios.
bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .local .pytest_cache
