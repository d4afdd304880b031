# shellcheck shell=bash
# The helpers every memlean script sources, one file per concern in
# scripts/lib/ (scripts/lib/package.sh, matrix.sh and upstream.sh are
# sourced by the scripts that need them). Loading them does nothing but
# define variables and functions.
#   core.sh     where things are, errors and progress, steps, templates,
#               KEY=value files, jobs side by side, digests, arch and distro
#   recipes.sh  recipes, variants, distros, build ids and prefixes
#   build.sh    build settings and stamps, ccache, sources and patches, ELF files
#   bench.sh    the runtimes a benchmark runs, the machine record
# shellcheck source=scripts/lib/core.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=scripts/lib/recipes.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/recipes.sh"
# shellcheck source=scripts/lib/build.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/build.sh"
# shellcheck source=scripts/lib/bench.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/bench.sh"
