# `make site` and `make test` set up a fresh machine: a virtual environment from the
# pinned requirements, then the build or the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

# System packages the tests drive; installed with apt-get when missing (as root).
SYSTEM_PACKAGES := chromium default-jre-headless nginx git
SYSTEM_COMMANDS := chromium java nginx git

.PHONY: site test check lint clean system-deps

site: $(VENV)/.runtime
	$(PY) build.py build

check: $(VENV)/.runtime
	$(PY) build.py check

test: system-deps $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m pytest

system-deps:
	@missing=""; for c in $(SYSTEM_COMMANDS); do \
	  command -v $$c >/dev/null 2>&1 || [ -x /usr/sbin/$$c ] || missing="$$missing $$c"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages (missing:$$missing)"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(SYSTEM_PACKAGES); \
	fi

lint: $(VENV)/.dev
	$(PY) -m ruff check .

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $(VENV)/.runtime $@

clean:
	rm -rf site $(VENV)
