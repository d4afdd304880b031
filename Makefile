# memlean: every entry point. Each rule calls a script; see `make help`.
.DELETE_ON_ERROR:
.DEFAULT_GOAL := all
SHELL := /bin/bash

RUBY_RECIPE ?= ruby/3.3.8
PYTHON_RECIPE ?= python/3.13.5
VARIANTS := normal malloctrim jemalloc
OUT := out
PROBE := $(OUT)/tools/memlean-probe.so
CFLAGS_TOOLS := -Wall -Wextra -Werror -O2 -g

export RUBY_RECIPE PYTHON_RECIPE

.PHONY: all help deps build build-default check-patches tools test test-unit test-artifact lint clean

all: deps build-default ## install build dependencies, build the default Ruby and CPython in all variants
	@scripts/show-builds $(RUBY_RECIPE)
	@scripts/show-builds $(PYTHON_RECIPE)

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 18

deps: ## install the Debian packages the build and the tests need (as root)
	@scripts/install-deps ci/debian/packages

build: ## build one: make build RECIPE=ruby/3.3.8 VARIANT=jemalloc
	$(if $(RECIPE),,$(error RECIPE not set; e.g. make build RECIPE=ruby/3.3.8 VARIANT=jemalloc))
	$(if $(VARIANT),,$(error VARIANT not set (one of: $(VARIANTS)); e.g. make build RECIPE=$(RECIPE) VARIANT=jemalloc))
	@scripts/build $(RECIPE) $(VARIANT)

build-default: ## build the default Ruby and CPython recipes in every variant
	@for r in $(RUBY_RECIPE) $(PYTHON_RECIPE); do for v in $(VARIANTS); do scripts/build $$r $$v || exit 1; done; done

check-patches: ## prove recipes' patches apply with --fuzz=0 (GIT=<upstream repo> [REF=<tag or branch>] [RECIPES=...] for releases out of reach)
	@scripts/check-patches $(if $(GIT),--git $(GIT)) $(if $(REF),--ref $(REF)) $(RECIPES)

tools: $(PROBE) ## build the C tools (the preload probe)

$(PROBE): tools/memlean-probe.c
	@mkdir -p $(@D)
	gcc $(CFLAGS_TOOLS) -fPIC -shared -o $@ $< -ldl

test: deps tools ## run the whole test suite (the command CI runs)
	@tests/run unit
	@$(MAKE) --no-print-directory build-default
	@tests/run artifact

test-unit: tools ## fast tests of the scripts, patches' C logic and probe
	@tests/run unit

test-artifact: tools build-default ## probes and upstream tests against built runtimes
	@tests/run artifact

lint: ## shellcheck every script
	@tests/unit/lint.sh

clean: ## remove out/ except the source cache
	rm -rf $(OUT)/build $(OUT)/stage $(OUT)/debug $(OUT)/logs $(OUT)/jemalloc $(OUT)/tools
