# shellcheck shell=bash
# Benchmarks: the built runtimes they run and the record of the machine.
# Sourced through scripts/lib.sh.

# staged_runtime RECIPE VARIANT: the executable (ruby, python3) of the
# recipe's staged build of VARIANT (out/stage), or an error naming the build.
staged_runtime() {
  load_recipe "$(recipe_path "$1")"
  local name exe
  case $R_NAME in ruby) name=ruby ;; python) name=python3 ;; *) die "$1 is not a runtime recipe (expected ruby/... or python/...)" ;; esac
  exe=$MEMLEAN_OUT/stage/$(build_id "$R_NAME" "$R_VERSION" "$2")$(install_prefix "$R_NAME" "$R_VERSION" "$2")/bin/$name
  [ -x "$exe" ] || die "$exe is missing; build it first: make build RECIPE=$1 VARIANT=$2"
  printf '%s\n' "$exe"
}

# runtime_copy RECIPE VARIANT DIR: the staged runtime's executable, in a
# hard-linked copy of its prefix at DIR (for the benchmarks). Ruby finds its
# libraries relative to its executable, the length of those path strings
# moves objects between its heap's slot sizes, and that alone changes the
# GC's heap growth: the same build ended Ruby's control workload with 975 or
# 1254 heap pages depending on where it was copied (BENCHMARKS.md). So
# within a repeat every variant runs from a path of the same length, and
# each repeat uses another length.
runtime_copy() {
  local exe staged copy=$3
  exe=$(staged_runtime "$1" "$2") || exit 1
  staged=${exe%/bin/*}
  mkdir -p "$(dirname "$copy")"
  cp -al "$staged" "$copy" 2>/dev/null || { rm -rf "$copy"; cp -a "$staged" "$copy"; }
  printf '%s\n' "$copy/bin/${exe##*/}"
}

# machine_record FILE [KEY=VALUE...]: the machine a benchmark ran on
# (cores, CPU, memory, kernel, distro, the recipes measured), then the run's
# own KEY=VALUE lines, into FILE, which the reports print beside their
# tables (they read it by key).
machine_record() {
  local file=$1
  shift
  {
    echo "cores=$(nproc)"
    echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "memory_gib=$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)"
    echo "kernel=$(uname -r)"
    echo "distro=$(host_distro)"
    echo "ruby=$RUBY_RECIPE"
    echo "python=$PYTHON_RECIPE"
    printf '%s\n' "$@"
  } >"$file.tmp"
  mv "$file.tmp" "$file"
}
