# Manabu: the two README commands (`make lab`, `make test`) plus `make bench`.
# Every target bootstraps .venv itself, so a fresh clone needs only Python, make and git.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.manabu-installed
# nbgrader shells out to `alembic`, so the venv's bin/ must be on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)

COURSE ?= course_dir
MANABU_LANG ?= $(if $(findstring ja,$(LANG)),ja,en)
PORT ?= 8888
PYTEST_ARGS ?=

.PHONY: lab test bench lint system-deps venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

## make lab: build the course and open JupyterLab on it (teacher + student, nbgrader, SQLite).
lab: $(STAMP)
	$(BIN)/manabu lab --course $(COURSE) --lang $(MANABU_LANG) --port $(PORT)

## make test: install everything the tests need, then run the whole suite.
test: $(STAMP) system-deps
	$(BIN)/ruff check course autograder tests
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make bench: time and memory of every lesson notebook -> build/bench.json
bench: $(STAMP)
	$(BIN)/python -m autograder.bench --out build/bench.json

lint: $(STAMP)
	$(BIN)/ruff check course autograder tests

# Debian packages the tests need: chromium (browser tests), bubblewrap (the grading sandbox),
# WebKitGTK's WebDriver and Xvfb (a lesson in WebKit, Safari's engine, on a virtual display).
# Installed only when running as root and missing.
# Also: configurable-http-proxy (npm) for the hub tests, Debian postgresql for the gradebook test.
SYSTEM_PACKAGES := /usr/bin/chromium:chromium /usr/bin/bwrap:bubblewrap \
                   /usr/bin/WebKitWebDriver:webkit2gtk-driver /usr/bin/Xvfb:xvfb
system-deps:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
	  [ -x "$${pair%%:*}" ] || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "The tests need these Debian packages:$$missing. Run 'sudo apt-get install$$missing' once."; exit 1; \
	  fi; \
	fi
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian postgresql for the gradebook-on-PostgreSQL test..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else \
	    echo "The PostgreSQL test needs Debian's postgresql: run 'sudo apt-get install postgresql' once."; exit 1; \
	  fi; \
	fi
	@# tests/test_hub.py: JupyterHub's proxy (npm) and a venv from Debian's Python (python3-venv)
	@if ! command -v configurable-http-proxy >/dev/null; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing configurable-http-proxy (npm) for the hub tests..."; \
	    command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }; \
	    npm install -g --silent configurable-http-proxy >/dev/null; \
	  else \
	    echo "Hub tests need configurable-http-proxy: run 'sudo npm install -g configurable-http-proxy' once."; exit 1; \
	  fi; \
	fi
	@if ! /usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian python3-venv for the hub tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; \
	  else \
	    echo "Hub tests need Debian's python3-venv: run 'sudo apt-get install python3-venv' once."; exit 1; \
	  fi; \
	fi

clean:
	rm -rf build dist $(COURSE)
