# Veldwerk: the only two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
COMPAT := .venv-compat
COMPAT_STAMP := $(COMPAT)/.installed-stamp
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test test-fast test-e2e test-compat lint bench chromium postgresql poppler clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,postgres,fast]'
	touch $(STAMP)

# A second environment as on Flet's phone builds: cryptography 43.0.1 and no flet, fastapi or pydantic.
$(COMPAT_STAMP): Makefile
	test -x $(COMPAT)/bin/python || $(PYTHON) -m venv $(COMPAT)
	$(COMPAT)/bin/python -m pip install --quiet --disable-pip-version-check \
		'cryptography==43.0.1' sqlite-utils httpx pytest pytest-asyncio hypothesis fpdf2 pypdf msgpack
	touch $(COMPAT_STAMP)

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; \
	fi

# The server tests run against SQLite and PostgreSQL; the PostgreSQL run starts its own throwaway cluster
# (initdb + pg_ctl on a unix socket in a temporary folder), so only the binaries are needed.
postgresql:
	@if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "Installing Debian's postgresql for the server tests..."; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq postgresql; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq postgresql; fi; \
	fi

# The case-conference PDF's test renders its first page to PNG with poppler's pdftoppm (Debian's poppler-utils).
poppler:
	@if ! command -v pdftoppm >/dev/null; then \
		echo "Installing Debian's poppler-utils for the PDF tests..."; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq poppler-utils; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq poppler-utils; fi; \
	fi

run: $(STAMP)
	$(PY) -m field_app.demo_run

lint: $(STAMP)
	$(PY) -m ruff check field_app sync_server tests bench

test-fast: $(STAMP) postgresql poppler
	$(PY) -m pytest -m "not e2e" -q

# Flutter web on a loaded machine now and then drops a tap or lets it through to what lies under a closing
# menu; the helpers retry what they can, and a browser test that still fails gets one more run (a test
# that fails twice fails the build). Only the browser tests get this.
test-e2e: $(STAMP) chromium
	$(PY) -m pytest -m e2e -q --reruns 1 --reruns-delay 2

test-compat: $(COMPAT_STAMP)
	VELDWERK_COMPAT=1 PYTHONPATH=$(CURDIR) $(COMPAT)/bin/python -m pytest -q -p no:cacheprovider tests/unit

# Browser tests run in their own pytest process: Playwright's sync API and pytest-asyncio clash in one run.
test: $(STAMP) chromium postgresql poppler lint test-fast test-e2e test-compat
	@echo "All tests passed."

bench: $(STAMP) postgresql
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) $(COMPAT) artifacts .pytest_cache .demo
