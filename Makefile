# Async TypeScript: the two commands are `make lab` (open the course) and `make test`
# (run every check). Both do whatever setup is missing first, and skip what is done.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := node_modules/.bin
KERNEL := $(VENV)/share/jupyter/kernels/tslab/kernel.json
LIB_SOURCES := $(shell find lib/src -name '*.ts' 2>/dev/null)

.PHONY: help setup lab test bench html progress strip clean check-tools

help: ## Show this help
	@echo "Async TypeScript: a notebook course on asynchronous programming"
	@echo
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

check-tools:
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("Node >= 20.19 is needed, found " + process.version); process.exit(1) }' \
	  || { echo "Install Node.js >= 20.19 (https://nodejs.org) and try again."; exit 1; }
	@$(PYTHON) -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null \
	  || { echo "Python >= 3.10 with the venv module is needed ($(PYTHON))."; exit 1; }

# --- setup, one stamp per step so a second run skips what is done --------------------

$(VENV)/.installed: requirements.txt | check-tools
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

node_modules/.installed: package.json package-lock.json lib/package.json | check-tools
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

lib/dist/.built: node_modules/.installed lib/tsconfig.json tsconfig.base.json $(LIB_SOURCES)
	$(BIN)/tsc -p lib
	@touch $@

$(KERNEL): $(VENV)/.installed node_modules/.installed tools/install_kernel.py
	$(PY) tools/install_kernel.py
	@touch $@

setup: $(VENV)/.installed node_modules/.installed lib/dist/.built $(KERNEL) ## Install everything that is missing (.venv, node_modules, lib build, kernel)

# --- the two commands -------------------------------------------------------------

lab: setup ## Open the course in JupyterLab on 127.0.0.1 (prints the URL; LAB_ARGS="--port 8899")
	$(PY) tools/lab.py $(LAB_ARGS)

test: setup ## Run every test and execute every notebook; ends with "N passed, N failed"
	$(PY) tools/test_all.py

# --- more -------------------------------------------------------------------------

bench: setup ## Run the library's benchmarks (prints one line per target, ok or MISS)
	node --expose-gc --import tsx lib/bench/run.ts

html: setup ## Render every notebook, executed with its plots, to build/html
	$(PY) tools/render_html.py

progress: lib/dist/.built ## Show every exercise of the course and whether you passed it
	@node lib/dist/bin/progress.js

strip: $(VENV)/.installed ## Remove outputs and execution counts from the notebooks
	$(PY) tools/nbclean.py strip

clean: ## Remove everything setup made (.venv, node_modules, lib/dist, build)
	rm -rf $(VENV) node_modules lib/dist build
