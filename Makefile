# The two commands: `make run` (whole system locally) and `make test` (full test suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
MOTO_PORT ?= 5000

.PHONY: run test lint install lock bundle browser screenshots openapi fuzz package synth deploy bench clean

# The Lambda runtime's Python: Chalice builds the package (runtime and wheels) for the Python that runs
# it, and requirements.lock is resolved for it, so the venv is made with no other.
PYTHON_VERSION := 3.11
PYTHON_CHECK = -c 'import sys; v = "%d.%d" % sys.version_info[:2]; sys.exit(0 if v == "$(PYTHON_VERSION)" else sys.executable + " is Python " + v + ": Safe Connection needs Python $(PYTHON_VERSION), the runtime its Lambda package is built for. Install it and run make with PYTHON=python$(PYTHON_VERSION) (after make clean if .venv has another Python).")'

# The dev install is constrained by requirements.lock (requirements-dev.txt), so tests run the versions that ship.
$(STAMP): requirements.txt requirements.lock requirements-dev.txt infra/requirements.txt
	@if test -x $(BIN)/python; then $(BIN)/python $(PYTHON_CHECK); else $(PYTHON) $(PYTHON_CHECK) && $(PYTHON) -m venv $(VENV); fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip<26.3"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -r infra/requirements.txt
	touch $(STAMP)

install: $(STAMP)

# requirements.lock pins every distribution of the Lambda package (requirements.txt and all it pulls in);
# the package is built from it. After changing requirements.txt: `make lock`, `make install`, `make test`,
# and commit requirements.lock. Resolved afresh against the index, installing nothing.
lock:
	@$(PYTHON) $(PYTHON_CHECK)
	$(PYTHON) infra/lock.py

# The staff pages' JavaScript (Chime SDK for JavaScript, QR code), from frontend/package.json and its
# lock file; the bundles land in chalicelib/web/static/ and are packaged with the app, not committed.
NODE_STAMP := frontend/node_modules/.installed
BUNDLE := chalicelib/web/static/sergeant.js chalicelib/web/static/officer.js chalicelib/web/static/control.js \
  chalicelib/web/static/sergeant-sw.js

$(NODE_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

$(BUNDLE) &: $(NODE_STAMP) frontend/build.mjs $(wildcard frontend/src/*.js)
	cd frontend && npm run --silent build

bundle: $(BUNDLE)

# Browser tests drive Debian's Chromium (headless) through Playwright; installed here when missing.
CHROMIUM ?= /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; else \
	  echo "The browser tests need Chromium: install Debian's 'chromium' package, or set CHROMIUM=/path/to/chromium" >&2; exit 1; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null

browser: $(CHROMIUM)

# Escalation settings given as `make run WAVE_SIZE=1 ...` reach the stack through the environment.
export WAVE_SIZE WAVE_INTERVAL_SECONDS ANSWER_TIMEOUT_SECONDS DECISION_TIMEOUT_SECONDS MAX_STARTS_PER_HOUR PUBLIC_VIEWS_PER_MINUTE LOCAL_PUSH_SERGEANTS

run: $(STAMP) $(BUNDLE)
	PORT=$(PORT) MOTO_PORT=$(MOTO_PORT) $(BIN)/python -m chalicelib.local

test: lint $(STAMP) $(BUNDLE) $(CHROMIUM)
	CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -n 3 --dist loadfile

# Lint and types (pyproject.toml, frontend/eslint.config.mjs): zero findings, run first by `make test`
# (so by CI too). mypy checks app.py, chalicelib, infra and bench (strict on domain/ and services/).
lint: $(STAMP) $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	cd frontend && npx --no-install eslint --max-warnings 0 .

# The OpenAPI 3.1 document, generated from the pydantic models (a test fails when this copy is stale).
openapi: $(STAMP)
	$(BIN)/python -m chalicelib.api.openapi > docs/openapi.json

# Longer fuzzing than `make test` runs: schemathesis against a fresh local stack, new inputs each run.
FUZZ_EXAMPLES ?= 200
fuzz: $(STAMP) $(BUNDLE)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_RANDOM=1 $(BIN)/python -m pytest tests/e2e/test_fuzz_api.py

# After `make test`: refresh the README's phone-size screenshots from the browser tests' artifacts.
screenshots:
	mkdir -p docs/screenshots && cp test-artifacts/screenshots/*.png docs/screenshots/

# AWS (infra/README.md): `make synth FORCE=met` builds and checks cdk.out offline; `make deploy
# FORCE=met` deploys it with the CDK CLI and needs AWS credentials for the force's account.
FORCE ?= met
STAGE ?= prod
CDK_STACK = SafeConnection-$(FORCE)-$(STAGE)

# `make package` is synth without the checks: the cloud assembly in cdk.out, the Lambda package in it
# (tests/package builds it this way in a clean copy of the tree and runs it). The bundles come first:
# they are not committed, so a clean clone has none, and a package without them serves no JavaScript.
package: $(STAMP) $(BUNDLE)
	FORCE=$(FORCE) STAGE=$(STAGE) $(BIN)/python infra/app.py

synth: package
	$(BIN)/python -m infra.checks cdk.out/$(CDK_STACK).template.json

deploy: synth
	npx --yes aws-cdk@2 deploy --app cdk.out $(CDK_STACK) --require-approval broadening

# Benchmarks (bench/): each prints a ratio measured in one run; the summary ends with five lines outside
# tools read (cold start and worst route ratios, SMS per check, p95 time to accept, cost per check).
bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .local .pytest_cache .mypy_cache .ruff_cache test-artifacts frontend/node_modules $(BUNDLE) cdk.out
