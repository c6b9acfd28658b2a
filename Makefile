# Breakwater — developer entry points. `make` alone lists the targets.
#
#   make up     build (debug) and start the whole suite locally, data in ./data/
#   make test   unit + integration tests, then the README's Python snippet against the real suite
#
# Variables you may override:
#   SWIFT        the swift driver                       (default: swift)
#   SWIFT_FLAGS  extra flags for every swift build/test  (e.g. -Xswiftc -warnings-as-errors)
#   PYTHON       the Python used for pyzmq and scripts   (default: python3)

SHELL := /bin/bash
.DEFAULT_GOAL := help

SWIFT ?= swift
SWIFT_FLAGS ?=
PYTHON ?= python3

APT_PACKAGES := libzmq3-dev libsqlite3-dev pkg-config
# Root installs directly; anyone else goes through sudo.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get
PIP := $(PYTHON) -m pip install --quiet --disable-pip-version-check

.PHONY: help deps build test up bench clean metrics-check

help: ## list the targets
	@echo "Breakwater — make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  \1\t\2/' | expand -t 12
	@echo
	@echo "Variables: SWIFT=$(SWIFT)  SWIFT_FLAGS=$(SWIFT_FLAGS)  PYTHON=$(PYTHON)"

deps: ## install what a fresh Debian machine lacks (libzmq, sqlite, pkg-config, pyzmq); idempotent
	@missing=""; \
	for pkg in $(APT_PACKAGES); do \
	  dpkg -s "$$pkg" 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  $(APT) update -qq && $(APT) install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@if ! $(PYTHON) -c 'import zmq' >/dev/null 2>&1; then \
	  echo "deps: installing pyzmq"; \
	  $(PIP) pyzmq 2>/dev/null || $(PIP) --break-system-packages pyzmq \
	    || { $(APT) update -qq && $(APT) install -y -qq --no-install-recommends python3-zmq >/dev/null; }; \
	  $(PYTHON) -c 'import zmq' || { echo "deps: pyzmq is still not importable by $(PYTHON)" >&2; exit 1; }; \
	fi

build: deps ## debug build of every executable (.build/debug/)
	$(SWIFT) build $(SWIFT_FLAGS)

test: deps ## build, run the Swift tests, then the README snippet against the real suite
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	$(SWIFT) test --skip-build $(SWIFT_FLAGS)
	$(PYTHON) scripts/readme_snippet_test.py --bin-dir "$$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)"

up: deps ## build and run the whole suite locally (tradectl up); Ctrl-C stops it
	$(SWIFT) build $(SWIFT_FLAGS)
	@mkdir -p data
	exec "$$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)/tradectl" up

bench: deps ## release build, then print the benchmark figures (docs/benchmarks.md)
	$(SWIFT) build -c release $(SWIFT_FLAGS)
	"$$($(SWIFT) build -c release $(SWIFT_FLAGS) --show-bin-path)/breakwater-bench"

clean: ## remove build products (never touches ./data)
	$(SWIFT) package clean
	rm -rf scripts/__pycache__

metrics-check: deps ## scrape the real suite with a real Prometheus server (installs Debian's prometheus if missing)
	@dpkg -s prometheus 2>/dev/null | grep -q '^Status: install ok installed' \
	  || { $(APT) update -qq && $(APT) install -y -qq --no-install-recommends prometheus >/dev/null; }
	$(SWIFT) build $(SWIFT_FLAGS)
	$(PYTHON) scripts/metrics_check.py --bin-dir "$$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)"
