# Breakwater — developer entry points. `make` alone lists the targets.
#
#   make up     build (debug) and start the whole suite locally, data in ./data/
#   make test   unit + integration tests, then the README's Python snippet and Binance's own
#               clients (ccxt, binance-sdk-spot) against the real suite
#
# Variables you may override:
#   SWIFT        the swift driver                       (default: swift)
#   SWIFT_FLAGS  extra flags for every swift build/test  (e.g. -Xswiftc -warnings-as-errors)
#   PYTHON       the Python used for pyzmq and scripts   (default: python3)
#   TEST_PARALLELISM  Swift tests run at once by make test (default: 6)

SHELL := /bin/bash
.DEFAULT_GOAL := help

SWIFT ?= swift
SWIFT_FLAGS ?=
PYTHON ?= python3

APT_PACKAGES := libzmq3-dev libsqlite3-dev pkg-config tcpdump
# Root installs directly; anyone else goes through sudo.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get
PIP := $(PYTHON) -m pip install --quiet --disable-pip-version-check

.PHONY: help deps build test up bench clean metrics-check chaos fuzz soak

help: ## list the targets
	@echo "Breakwater — make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  \1\t\2/' | expand -t 12
	@echo
	@echo "Variables: SWIFT=$(SWIFT)  SWIFT_FLAGS=$(SWIFT_FLAGS)  PYTHON=$(PYTHON)"

deps: ## install what a fresh Debian machine lacks (libzmq, sqlite, pkg-config, tcpdump for the capture test, pyzmq); idempotent
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

# Tests running at once. Most integration tests start the six real executables; with all of
# them at once a 2-core machine runs ~80 processes and starves the test process itself (a
# 10 s wait for a ZeroMQ subscription to join then fails). 6 keeps both cores busy and the
# whole run shorter than unbounded parallelism (2m33s vs 2m56s measured here).
TEST_PARALLELISM ?= 6

# Binance's own clients (ccxt and the official binance-sdk-spot, pinned) for the Binance front's
# test, in a virtual environment of their own under .build/ (about 20 s the first time; reused).
BINANCE_VENV := .build/binance-venv
CCXT_VERSION := 4.5.90
BINANCE_SDK_SPOT_VERSION := 13.3.0

$(BINANCE_VENV)/.installed-$(CCXT_VERSION)-$(BINANCE_SDK_SPOT_VERSION):
	@$(PYTHON) -m venv --help >/dev/null 2>&1 && $(PYTHON) -c 'import ensurepip' >/dev/null 2>&1 \
	  || { $(APT) update -qq && $(APT) install -y -qq --no-install-recommends python3-venv >/dev/null; }
	$(PYTHON) -m venv $(BINANCE_VENV)
	$(BINANCE_VENV)/bin/pip install --quiet --disable-pip-version-check ccxt==$(CCXT_VERSION) binance-sdk-spot==$(BINANCE_SDK_SPOT_VERSION)
	@touch $@

test: deps $(BINANCE_VENV)/.installed-$(CCXT_VERSION)-$(BINANCE_SDK_SPOT_VERSION) ## build, run the Swift tests, then the README snippet and Binance's clients against the real suite
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$(TEST_PARALLELISM) $(SWIFT) test --skip-build $(SWIFT_FLAGS)
	$(PYTHON) scripts/readme_snippet_test.py --bin-dir "$$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)"
	$(BINANCE_VENV)/bin/python scripts/binance_clients_test.py --bin-dir "$$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)"

up: deps ## build and run the whole suite locally (tradectl up; keys made in data/keys the first time); Ctrl-C stops it
	$(SWIFT) build $(SWIFT_FLAGS)
	@mkdir -p data
	exec "$$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)/tradectl" up

# The peer section's NautilusTrader, in a virtual environment of its own under .build/
# (about 1 minute and ~300 MB the first time; reused after).
PEER_VENV := .build/peer-venv
NAUTILUS_VERSION := 1.221.0

$(PEER_VENV)/.installed:
	@$(PYTHON) -m venv --help >/dev/null 2>&1 && $(PYTHON) -c 'import ensurepip' >/dev/null 2>&1 \
	  || { $(APT) update -qq && $(APT) install -y -qq --no-install-recommends python3-venv >/dev/null; }
	$(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/pip install --quiet --disable-pip-version-check nautilus_trader==$(NAUTILUS_VERSION)
	@touch $@

bench: deps $(PEER_VENV)/.installed ## release build, then print the benchmark figures (docs/benchmarks.md)
	$(SWIFT) build -c release $(SWIFT_FLAGS)
	BENCH_PEER_PYTHON=$(PEER_VENV)/bin/python BENCH_PEER_SCRIPT=scripts/peer_nautilus.py \
	  "$$($(SWIFT) build -c release $(SWIFT_FLAGS) --show-bin-path)/breakwater-bench"

# The fault campaign (docs/reliability.md): SEED replays a schedule, DURATION is in seconds.
SEED ?=
DURATION ?= 300
CHAOS_FLAGS ?=

chaos: deps ## seeded faults against the real suite, then the seven invariants (SEED=… DURATION=…)
	$(SWIFT) build $(SWIFT_FLAGS)
	$(PYTHON) scripts/chaos_checks_test.py
	$(PYTHON) scripts/chaos.py --bin-dir "$$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)" $(if $(SEED),--seed $(SEED)) --duration $(DURATION) $(CHAOS_FLAGS)

FUZZ_FRAMES ?= 1000000
FUZZ_RUNS ?= 1000000
FUZZ_TARGETS := decimal header order-submit
FUZZ_BUILD := $(SWIFT) build --package-path Tests/Fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld

fuzz: deps ## frames against the running gateway and venue, then libFuzzer on the decoders (SEED=… FUZZ_FRAMES=… FUZZ_RUNS=…)
	$(SWIFT) build $(SWIFT_FLAGS)
	$(PYTHON) scripts/fuzz_protocol.py --bin-dir "$$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)" $(if $(SEED),--seed $(SEED)) --frames $(FUZZ_FRAMES)
	$(FUZZ_BUILD)
	@for target in $(FUZZ_TARGETS); do \
	  mkdir -p .build/fuzz-corpus/$$target; \
	  echo "fuzz: libFuzzer fuzz-$$target, $(FUZZ_RUNS) runs"; \
	  "$$($(FUZZ_BUILD) --show-bin-path)/fuzz-$$target" -runs=$(FUZZ_RUNS) $(if $(SEED),-seed=$(SEED)) \
	    .build/fuzz-corpus/$$target Tests/Fuzz/Corpus/fuzz-$$target 2>&1 | grep -E 'DONE|ERROR|SUMMARY|Done|==[0-9]+==' ; \
	  test "$${PIPESTATUS[0]}" -eq 0 || exit 1; \
	done

SOAK_MINUTES ?= 10
SOAK_RATE ?= 40

soak: deps ## a steady load for SOAK_MINUTES at SOAK_RATE orders/s: memory and p99 must hold (docs/reliability.md)
	$(SWIFT) build $(SWIFT_FLAGS)
	$(PYTHON) scripts/soak.py --bin-dir "$$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)" --minutes $(SOAK_MINUTES) --rate $(SOAK_RATE)

clean: ## remove build products (never touches ./data)
	$(SWIFT) package clean
	rm -rf scripts/__pycache__

metrics-check: deps ## scrape the real suite with a real Prometheus server (installs Debian's prometheus if missing)
	@dpkg -s prometheus 2>/dev/null | grep -q '^Status: install ok installed' \
	  || { $(APT) update -qq && $(APT) install -y -qq --no-install-recommends prometheus >/dev/null; }
	$(SWIFT) build $(SWIFT_FLAGS)
	$(PYTHON) scripts/metrics_check.py --bin-dir "$$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)"

# ---- Docker Compose (docs/operations.md, "Deploy with Docker Compose") -------------------
# The no-registry image path: compose/engine.sh starts a Docker engine if none answers and
# makes the base image (debootstrap + docker import, cached); the executables are built on
# this host (release, static Swift stdlib) and copied into compose/Dockerfile.local.
#   COMPOSE        the compose command (default: `docker compose` if it works, else docker-compose)
#   COMPOSE_SCALE  the --scale flags of compose-up
COMPOSE ?= $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)
COMPOSE_SCALE ?= --scale order-gateway=3 --scale risk-service=2 --scale reconciler=2 --scale persistence-writer=2
COMPOSE_IMAGE ?= breakwater:local
COMPOSE_BASE_IMAGE ?= breakwater-base:bookworm
# The /health contract once the services serve it (they read BW_HTTP_PORT), else compose/bw-probe.
COMPOSE_HEALTHCHECK ?= $(shell grep -rqs BW_HTTP_PORT Shared Services && echo 'curl -fsS http://localhost:9090/health' || echo bw-probe)
COMPOSE_EXES := bus persistence-writer venue-sim risk-service order-gateway reconciler tradectl
RELEASE_STATIC := $(SWIFT) build -c release --static-swift-stdlib $(SWIFT_FLAGS)

.PHONY: compose-images compose-up compose-down compose-test

compose-images: deps ## Docker engine + base image if missing, release binaries, image breakwater:local
	compose/engine.sh start
	BW_BASE_IMAGE=$(COMPOSE_BASE_IMAGE) compose/engine.sh base-image
	$(RELEASE_STATIC)
	rm -rf compose/bin && mkdir -p compose/bin
	bin="$$($(RELEASE_STATIC) --show-bin-path)"; \
	for exe in $(COMPOSE_EXES); do cp "$$bin/$$exe" compose/bin/ && strip compose/bin/$$exe; done
	docker build -q -f compose/Dockerfile.local --build-arg BASE_IMAGE=$(COMPOSE_BASE_IMAGE) -t $(COMPOSE_IMAGE) .

compose-up: compose-images ## build the images, make the bus's keys (once, compose/keys), start the suite scaled
	compose/keys.sh compose/bin/tradectl
	cd compose && BW_IMAGE=$(COMPOSE_IMAGE) BW_HEALTHCHECK="$(COMPOSE_HEALTHCHECK)" $(COMPOSE) up -d --no-build $(COMPOSE_SCALE)
	cd compose && $(COMPOSE) ps

compose-down: ## stop and remove the Compose suite (keeps the journal volume)
	cd compose && $(COMPOSE) down

compose-test: compose-images ## the scaled suite in Docker: kill replicas mid-run, check money; stops the engine it started
	$(PYTHON) scripts/compose_checks_test.py
	status=0; BW_IMAGE=$(COMPOSE_IMAGE) $(PYTHON) scripts/compose_test.py --compose "$(COMPOSE)" || status=$$?; \
	compose/engine.sh stop; exit $$status
