#!/usr/bin/env bash
# The README is the operators' front page: short, its install lines say what
# ci/matrix says, and no relative link in the project's Markdown is broken.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/scripts/lib.sh"

readme=$ROOT/README.md
lines=$(wc -l <"$readme")
check "the README is at most 200 lines ($lines)" test "$lines" -le 200

repo_url=$(awk '$1 == "repo-url" { print $2 }' "$ROOT/ci/matrix")
check "ci/matrix names the repository's address" test -n "$repo_url"
check "the README installs from ci/matrix's repo-url ($repo_url)" \
  bash -c "grep -qF '$repo_url/apt' '$readme' && grep -qF '$repo_url/yum/' '$readme'"
check "and from no other address" bash -c "! grep -Eo 'https://[^ /]+/repo' '$readme' | grep -vqxF '$repo_url'"
while read -r d; do
  parse_kv "$ROOT/ci/distros/$d/distro" D_
  if [ "$D_FORMAT" = deb ]; then
    check "the README lists $d's apt suite ($D_CODENAME)" grep -q "\`$D_CODENAME\`" "$readme"
  else
    check "the README lists $d's yum repository" grep -q "\`$d\`" "$readme"
  fi
  unset D_CODENAME
done < <(awk '$1 == "distro" { print $2 }' "$ROOT/ci/matrix")

# Relative links: [text](path) in every committed Markdown file.
broken=$(cd "$ROOT" && git ls-files '*.md' | while read -r md; do
  { grep -o '\]([^)#[:space:]]*[)#]' "$md" || true; } | sed 's/^](//; s/[)#]$//' | while read -r target; do
    case $target in '' | http:* | https:* | mailto:*) continue ;; esac
    [ -e "$(dirname "$md")/$target" ] || echo "$md -> $target"
  done
done)
check "every relative link in the Markdown files resolves${broken:+: $broken}" test -z "$broken"

# Every configuration the benchmarks run has its row in bench/README.md's
# one table of names (scripts/bench/*: the workloads' lists, the servers'
# case labels, the speed benchmark's list).
names=$( { sed -n 's/^configs_\(all\|tuning\)="\(.*\)"$/\2/p' "$ROOT/scripts/bench/workloads"
  awk '/^  case \$config in/ { on = 1; next } on && /^  esac/ { on = 0 } on' "$ROOT/scripts/bench/servers" |
    grep -oE '^ +[a-z0-9|*-]+\)' | tr -d ' )' | tr '|' '\n'
  sed -n 's/^ *ruby) echo "\(.*\)" ;;$/\1/p' "$ROOT/scripts/bench/speed"; } | tr ' ' '\n' | grep -v -e '^$' -e '\*' | sort -u)
table=$(sed -n '/^## Configurations: one name, one meaning/,$p' "$ROOT/bench/README.md")
missing=$(for n in $names; do grep -qF "\`$n\`" <<<"$table" || echo "$n"; done | tr '\n' ' ')
check "every benchmark configuration has its row in bench/README.md's table ($(wc -w <<<"$names") names${missing:+; missing: $missing})" test -z "$missing"

# The knobs' defaults live in the release code; the README's table repeats
# them, and must say the same.
header=$ROOT/patches/common/release-memory/memlean_release_memory.h
for pair in MEMLEAN_RELEASE_PERIOD_MS:MEMLEAN_RELEASE_DEFAULT_PERIOD_MS MEMLEAN_IDLE_MS:MEMLEAN_IDLE_DEFAULT_MS \
  MEMLEAN_TRIM_INTERVAL_MS:MEMLEAN_TRIM_DEFAULT_INTERVAL_MS; do
  knob=${pair%%:*}
  want=$(sed -n "s/^#define ${pair#*:} \([0-9][0-9]*\)$/\1/p" "$header")
  check "the README gives $knob's default as the release code has it (${want:-none found})" \
    grep -q "^| \`$knob\` | \`$want\` |" "$ROOT/README.md"
done
finish
