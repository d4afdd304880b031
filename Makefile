# memlean: every entry point. Each rule calls a script; see `make help`.
.DELETE_ON_ERROR:
.DEFAULT_GOAL := all
SHELL := /bin/bash

# The default recipes: recipes/defaults, the one place that names them.
RUBY_RECIPE ?= $(shell sed -n 's/^RUBY=//p' recipes/defaults)
PYTHON_RECIPE ?= $(shell sed -n 's/^PYTHON=//p' recipes/defaults)
VARIANTS := normal malloctrim jemalloc
HOST_DISTRO := $(shell . /etc/os-release && echo "$$ID-$$VERSION_ID")
DISTRO ?= $(HOST_DISTRO)
# Packages made on this machine's distro: its own format (empty FORMATS);
# FORMATS="deb rpm" makes rpms too, to exercise the rpm path here, as make
# test does for the tiny lines (scripts/package/package-one).
FORMATS ?=
REPO ?= $(OUT)/repo
OUT := out
PROBE := $(OUT)/tools/memlean-probe.so
SAMPLER := $(OUT)/tools/memlean-sampler
REPREFIX := $(OUT)/tools/memlean-reprefix
CFLAGS_TOOLS := -Wall -Wextra -Werror -O2 -g

export RUBY_RECIPE PYTHON_RECIPE

MATRIX ?= ci/matrix

.PHONY: tarballs deploy bench bench-speed bench-smoke bench-servers bench-servers-smoke all help deps build build-default packages publish check-reproducible check-patches new-recipe check-updates tools test test-release test-unit test-artifact test-upstream test-ecosystem test-install test-images lint clean generate check-generated matrix image images

# The packages target builds what it packages: each recipe's variants are
# built and packaged in turn, the two recipes side by side (scripts/package/package-set).
all: deps packages ## install build dependencies, build the default Ruby and CPython in all variants and package them
	@scripts/build/show-builds $(RUBY_RECIPE)
	@scripts/build/show-builds $(PYTHON_RECIPE)
	@ls -1 $(OUT)/packages/$(DISTRO)

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 20

deps: ## install the Debian packages the build and the tests need (as root)
	@scripts/env/install-deps ci/debian/build-packages ci/debian/packages

build: ## build one: make build RECIPE=ruby/3.3.8 VARIANT=jemalloc
	$(if $(RECIPE),,$(error RECIPE not set; e.g. make build RECIPE=ruby/3.3.8 VARIANT=jemalloc))
	$(if $(VARIANT),,$(error VARIANT not set (one of: $(VARIANTS)); e.g. make build RECIPE=$(RECIPE) VARIANT=jemalloc))
	@scripts/build/build-one $(RECIPE) $(VARIANT)

build-default: ## build the default Ruby and CPython recipes in every variant (side by side: BUILD_JOBS=1 builds one at a time)
	@MEMLEAN_BUILD_JOBS=$(or $(BUILD_JOBS),2) scripts/build/build-set $(RUBY_RECIPE) $(PYTHON_RECIPE)

packages: ## the packages (.deb here; FORMATS="deb rpm" adds .rpm) of the default recipes, every variant, tiny and minor line, for DISTRO (default: this machine's; another Debian release builds in its own root)
	@MEMLEAN_FORMATS="$(if $(filter $(DISTRO),$(HOST_DISTRO)),$(FORMATS))" scripts/package/package-set $(DISTRO) $(RUBY_RECIPE) $(PYTHON_RECIPE)

tarballs: ## relocatable tarballs of the default recipes, every variant: Ruby's for mise, CPython's for uv with its downloads list -> out/tarballs/ [TARBALL_URL=<where they are served>]
	@MEMLEAN_TARBALL_URL="$(TARBALL_URL)" scripts/package/tarball-set $(RUBY_RECIPE) $(PYTHON_RECIPE)

publish: ## sign out/packages into APT and YUM repositories: make publish SIGNING_KEY=<secret key file or key id> [REPO=out/repo] [KEEP_PUBLISHED=1]
	$(if $(SIGNING_KEY),,$(error SIGNING_KEY not set; e.g. make publish SIGNING_KEY=/path/to/secret-key.asc (a secret key file, or the id of a key in GNUPGHOME)))
	@MEMLEAN_SIGNING_KEY="$(SIGNING_KEY)" MEMLEAN_REPO="$(REPO)" MEMLEAN_PUBLISH_KEEP="$(KEEP_PUBLISHED)" scripts/package/publish

deploy: ## add out/packages and out/tarballs to the served site and lay it out again, signed (every earlier release kept): make deploy SIGNING_KEY=<secret key file> [URL=<where it is served>] [TO=<folder a web server serves>] [FIRST=1] -> out/deploy/site/
	$(if $(SIGNING_KEY),,$(error SIGNING_KEY not set; e.g. make deploy SIGNING_KEY=/path/to/secret-key.asc))
	@MEMLEAN_SIGNING_KEY="$(SIGNING_KEY)" MEMLEAN_DEPLOY_URL="$(URL)" MEMLEAN_DEPLOY_TO="$(TO)" MEMLEAN_DEPLOY_FIRST="$(FIRST)" scripts/package/deploy

check-reproducible: ## build RECIPE twice from source and list the files that differ: make check-reproducible RECIPE=ruby/3.3.8 [VARIANT=normal]
	$(if $(RECIPE),,$(error RECIPE not set; e.g. make check-reproducible RECIPE=ruby/3.3.8))
	@scripts/build/check-reproducible $(RECIPE) $(or $(VARIANT),normal)

check-patches: ## prove recipes' patches apply with --fuzz=0 (GIT=<upstream repo> [REF=<tag or branch>] [RECIPES=...] for releases out of reach)
	@scripts/build/check-patches $(if $(GIT),--git $(GIT)) $(if $(REF),--ref $(REF)) $(RECIPES)

new-recipe: ## write recipes/RUNTIME/VERSION from upstream's release data, checksum and patches checked: make new-recipe RUNTIME=ruby VERSION=3.4.12 [GIT=<upstream repo>]
	$(if $(and $(RUNTIME),$(VERSION)),,$(error RUNTIME or VERSION not set; e.g. make new-recipe RUNTIME=ruby VERSION=3.4.12))
	@scripts/update/new-recipe $(if $(GIT),--git $(GIT)) $(RUNTIME) $(VERSION)

check-updates: ## list, per shipped series, upstream's newest release against the newest recipe; fails when one is behind
	@scripts/update/check-updates

generate: ## write the CI workflows (.github/workflows/) and image Dockerfiles (ci/images/) from ci/matrix
	@scripts/ci/generate

check-generated: ## fail when the committed generated files differ from what ci/matrix gives
	@scripts/ci/check-generated

matrix: ## build, package and install-test DISTRO's matrix cells here (Debian), or list its CI jobs: make matrix DISTRO=debian-13 [CELLS="ruby/3.3.8 python/*:jemalloc"] [DRY_RUN=1]
	@scripts/ci/matrix-cells $(if $(DRY_RUN),--dry-run) $(DISTRO) $(CELLS)

image: ## build and smoke-test one generated image here with podman: make image DIR=ci/images/ruby/3.3/jemalloc/bookworm [REPO_DIR=out/test-repo/repo]
	$(if $(DIR),,$(error DIR not set; e.g. make image DIR=ci/images/ruby/3.3/jemalloc/bookworm (list: ci/images/tags)))
	@scripts/ci/image $(if $(REPO_DIR),--repo $(REPO_DIR)) $(DIR)

images: tools ## build and smoke-test DISTRO's images from MATRIX (here: MATRIX=tests/fixtures/matrix-local, whose releases are built here) with the test repository
	@root=$(CURDIR); if [ "$(MATRIX)" != ci/matrix ]; then root=$(OUT)/generated/$$(basename $(MATRIX)); MEMLEAN_MATRIX=$(MATRIX) scripts/ci/generate $$root; fi; \
	  repo=$$(tests/probes/test-repo) && for d in $$(scripts/ci/image --list $(DISTRO) $$root); do scripts/ci/image --repo $$repo/repo $$d || exit 1; done

bench: tools build-default ## the memory and speed benchmarks: the workloads (-> out/bench/), the app servers (make bench-servers) and CPU speed against Debian's interpreters (make bench-speed)
	@MEMLEAN_BENCH_COMMAND="make bench" scripts/bench/workloads $(OUT)/bench
	@MEMLEAN_BENCH_COMMAND="make bench" scripts/bench/servers $(OUT)/bench-servers
	@MEMLEAN_BENCH_COMMAND="make bench" scripts/bench/speed $(OUT)/bench-speed

bench-speed: build-default ## CPU kernels and Ruby's own benchmarks: every variant against normal and against Debian 13's python3.13 and ruby3.3, in a clean Debian 13 root -> out/bench-speed/report.md
	@MEMLEAN_BENCH_COMMAND="make bench-speed" scripts/bench/speed $(OUT)/bench-speed

bench-servers: tools build-default ## Puma and gunicorn under wrk, every variant against what operators do with stock, 20 s phases, about 25 minutes (REPEATS=3: medians and ranges, 3x as long) -> out/bench-servers/report.md and SVG charts
	@MEMLEAN_BENCH_COMMAND="make bench-servers$(if $(REPEATS), REPEATS=$(REPEATS))" scripts/bench/servers $(if $(REPEATS),--repeats $(REPEATS)) $(OUT)/bench-servers

bench-servers-smoke: tools build-default ## one short repeat of the app servers, one mode per runtime (what make test runs) -> out/bench-servers-smoke/
	@MEMLEAN_BENCH_COMMAND="make bench-servers-smoke" scripts/bench/servers --smoke $(OUT)/bench-servers-smoke

bench-smoke: tools build-default ## one short repeat of the bloat workload (what make test runs) -> out/bench-smoke/
	@MEMLEAN_BENCH_COMMAND="make bench-smoke" scripts/bench/workloads --smoke $(OUT)/bench-smoke

tools: $(PROBE) $(SAMPLER) $(REPREFIX) ## build the C tools (the preload probe, the memory sampler, the prefix rewriter)

$(PROBE): tools/memlean-probe.c
	@mkdir -p $(@D)
	gcc $(CFLAGS_TOOLS) -fPIC -shared -o $@ $< -ldl

$(SAMPLER): tools/memlean-sampler.c
	@mkdir -p $(@D)
	gcc $(CFLAGS_TOOLS) -o $@ $<

$(REPREFIX): tools/memlean-reprefix.c
	@mkdir -p $(@D)
	gcc $(CFLAGS_TOOLS) -o $@ $<

test: ## run the whole test suite (the command CI runs), stage by stage with timings: tests/suite
	@tests/suite

test-release: ## the whole suite with CPython built as released (PGO and LTO; make test builds it unoptimized), about 30 minutes longer
	@MEMLEAN_PYTHON_OPTIMIZE=1 tests/suite

test-unit: tools ## fast tests of the scripts, patches' C logic and probe
	@tests/run unit

test-artifact: tools build-default ## probes and upstream tests against built runtimes
	@tests/run artifact

test-images: tools ## build and smoke-test generated images here (packages and the test repository first: make packages)
	@tests/run images

test-upstream: tools build-default ## the runtimes' own test sets on both trimming variants, in full (make test runs part of them on one): about 10 minutes
	@MEMLEAN_UPSTREAM_FULL=1 tests/run artifact python-upstream ruby-upstream

test-ecosystem: tools build-default ## third-party C extensions (Nokogiri, Oj, FFI, bcrypt; psycopg2 against PostgreSQL, PyYAML, Pillow, NumPy) pass their own tests on every variant; writes the compatibility table in COMPATIBILITY.md [ECOSYSTEM="ruby-bcrypt ..."]
	@tests/ecosystem/run $(ECOSYSTEM)

test-install: tools packages ## lint, publish and install what out/packages holds in clean Debian 12 and 13 roots (make packages DISTRO=debian-13 first)
	@tests/run install

lint: ## shellcheck every script
	@tests/unit/lint.sh

clean: ## remove out/ except the source cache
	rm -rf $(OUT)/build $(OUT)/stage $(OUT)/debug $(OUT)/logs $(OUT)/jemalloc $(OUT)/tools
