#!/usr/bin/env bash
# Operators' view, per Debian release: a clean root (mmdebstrap) trusts the
# test repository's key, apt-get installs the tiny and the minor package of
# every variant of Ruby and CPython with their -dbgsym packages, and each
# runtime passes tests/probes/verify-runtime from its /usr/bin entry point:
# variant name, the GC hook counted by the preload probe, a C-extension gem
# and pip package built in the root, and the whole-jemalloc check (which
# must fail on the other variants).
. "$(dirname "$0")/../lib.sh"

# shellcheck source=scripts/lib.sh
host=$(. "$ROOT/scripts/lib.sh" && host_distro)
# tiny_and_minor RECIPE: the six runtime package names of RECIPE.
tiny_and_minor() (
  # shellcheck source=scripts/lib.sh
  . "$ROOT/scripts/lib.sh"
  load_recipe "$(recipe_path "$1")"
  for v in $MEMLEAN_VARIANTS; do
    echo "memlean-$(build_id "$R_NAME" "$R_VERSION" "$v") memlean-$(build_id "$R_NAME" "$R_SERIES" "$v")"
  done | tr '\n' ' '
)
repo=$("$ROOT/tests/probes/test-repo") || { fail "the test repository is published"; finish; }
for distro in debian-12 debian-13; do
  # shellcheck source=scripts/lib.sh
  codename=$(. "$ROOT/scripts/lib.sh" && load_distro "$distro" && echo "$D_CODENAME")
  mapfile -t names < <(deb_names "$distro")
  mapfile -t dbgsyms < <(deb_names "$distro" dbgsym)
  # make test packages both runtimes for this machine's distro and Ruby for
  # debian-13 (time); whatever else make packages made is installed too.
  want=$(tiny_and_minor "$RUBY_RECIPE")
  [ "$distro" != "$host" ] || want="$want $(tiny_and_minor "$PYTHON_RECIPE")"
  missing=$(for n in $want; do grep -qx "$n" <<<"$(printf '%s\n' "${names[@]}")" || echo "$n"; done | tr '\n' ' ')
  if [ -n "$missing" ]; then
    fail "$distro: the packages are built (missing: $missing; run: make packages DISTRO=$distro)"
    continue
  fi
  root=$T_TMP/root-$distro
  if ! "$ROOT/scripts/make-root" "$distro" "$root" build-essential python3-setuptools-whl python3-wheel-whl \
    >"$T_TMP/root.log" 2>&1; then
    fail "$distro: a clean root is made" "$(tail -n 5 "$T_TMP/root.log")"
    continue
  fi
  cat >"$T_TMP/in-root.sh" <<EOS
set -eu
install -d /etc/apt/keyrings
cp /srv/memlean/memlean-archive-keyring.gpg /etc/apt/keyrings/memlean.gpg
cat >/etc/apt/sources.list.d/memlean.sources <<EOT
Types: deb
URIs: file:/srv/memlean/apt
Suites: $codename
Components: main
Signed-By: /etc/apt/keyrings/memlean.gpg
EOT
apt-get update -q >/tmp/apt-update.log 2>&1 || { echo "FAIL: apt-get update: \$(tail -n 3 /tmp/apt-update.log)"; exit 1; }
echo "ok: apt-get update reads the signed repository"
if DEBIAN_FRONTEND=noninteractive apt-get install -y -q ${names[*]} ${dbgsyms[*]} >/tmp/apt-install.log 2>&1; then
  echo "ok: apt-get install ${#names[@]} runtime and ${#dbgsyms[@]} -dbgsym packages"
else
  echo "FAIL: apt-get install: \$(tail -n 3 /tmp/apt-install.log)"; exit 1
fi
gcc -Wall -Wextra -Werror -O2 -fPIC -shared -o /tmp/memlean-probe.so /memlean/tools/memlean-probe.c -ldl
for name in ${names[*]}; do
  variant=\${name##*-}
  case \$variant in malloctrim|jemalloc) ;; *) variant=normal ;; esac
  /memlean/tests/probes/verify-runtime /usr/bin/\$name \$variant /tmp/memlean-probe.so || true
  # The activation the README documents: the prefix's bin/ on PATH (its
  # tools run through their wrappers), and a venv.
  bin=\$(dirname "\$(readlink -f /usr/bin/\$name)")
  case \$name in
    memlean-ruby-*) tools="gem bundle rake irb" ;;
    memlean-python-*) tools="pip3 pydoc3" ;;
  esac
  for tool in \$tools; do
    if out=\$(PATH=\$bin:\$PATH \$tool --version 2>&1 </dev/null); then echo "ok: \$name: \$tool --version from its bin/ on PATH"
    else echo "FAIL: \$name: \$tool --version from its bin/ on PATH: \$out"; fi
  done
  case \$name in memlean-python-*)
    if out=\$(/usr/bin/\$name -m venv /tmp/venv-\$name 2>&1 && /tmp/venv-\$name/bin/python -c 'import ssl, sqlite3, ctypes, sys; print(sys.prefix)' 2>&1); then
      echo "ok: \$name -m venv gives a working environment (\$out)"
    else echo "FAIL: \$name -m venv: \$out"; fi
  esac
done
EOS
  cp "$T_TMP/in-root.sh" "$root/tmp/in-root.sh"
  "$ROOT/scripts/in-root" "$root" --bind "$ROOT:/memlean:ro" --bind "$repo/repo:/srv/memlean:ro" -- \
    bash /tmp/in-root.sh >"$T_TMP/$distro.out" 2>&1 || true
  report "$distro" "$T_TMP/$distro.out"
  rm -rf "$root"
done

finish
