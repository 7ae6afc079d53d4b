# `make site` and `make test` set up a fresh machine: a virtual environment from the
# pinned requirements, then the build or the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

# System packages the tests drive; installed with apt-get when missing (as root).
SYSTEM_PACKAGES := chromium default-jre-headless nginx git fonts-noto-core libfribidi0
SYSTEM_COMMANDS := chromium java nginx git
# Packages without a command, by a file they install: the share cards' fonts, and the
# FriBiDi that Pillow's text layout loads from the system.
SYSTEM_FILES := /usr/share/fonts/truetype/noto/NotoNastaliqUrdu-Regular.ttf \
  /usr/lib/*/libfribidi.so.0

.PHONY: site test check lint clean system-deps bench schemas

site: $(VENV)/.runtime $(VENV)/.bytecode
	$(PY) build.py build

check: $(VENV)/.runtime
	$(PY) build.py check

# The editor schemas in schemas/, generated from the validator's declarations.
schemas: $(VENV)/.runtime
	$(PY) -m factcheck.schema

test: system-deps $(VENV)/.dev $(VENV)/.bytecode
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy --strict factcheck
	$(PY) -m pytest

system-deps:
	@missing=""; for c in $(SYSTEM_COMMANDS); do \
	  command -v $$c >/dev/null 2>&1 || [ -x /usr/sbin/$$c ] || missing="$$missing $$c"; done; \
	for f in $(SYSTEM_FILES); do ls $$f >/dev/null 2>&1 || missing="$$missing $$f"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages (missing:$$missing)"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(SYSTEM_PACKAGES); \
	fi

# The speed comparison with Hugo, MkDocs and Pelican (bench/README.md). Those tools live
# in their own environment: Pelican's pins clash with the test tools'.
BENCH_VENV := bench/.work/venv

bench: $(VENV)/.runtime $(VENV)/.bytecode $(BENCH_VENV)/.installed
	@[ -x /usr/bin/time ] || { apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q time; }
	$(PY) bench/run.py $(BENCH_ARGS)

$(BENCH_VENV)/.installed: bench/requirements.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --disable-pip-version-check -q -r bench/requirements.txt
	touch $@

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy --strict factcheck

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

# The generator's own modules compiled ahead, as pip does for installed packages: every
# build starts faster (0.2 s a process), also where PYTHONDONTWRITEBYTECODE is set.
# Python checks each file's bytecode against its source, so an edit is never missed.
$(VENV)/.bytecode: $(wildcard factcheck/*.py factcheck/features/*.py) | $(VENV)/bin/python
	$(PY) -m compileall -q factcheck
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $(VENV)/.runtime $@

clean:
	rm -rf site $(VENV)
