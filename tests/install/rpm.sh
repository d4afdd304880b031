#!/usr/bin/env bash
# The rpm path, as far as this Debian machine can take it: every rpm of the
# test repository carries a valid signature of the repository key (rpm -K;
# an unsigned or altered rpm does not pass), the repodata is signed, and
# the tiny rpms of every variant, installed with rpm --root into a clean
# Debian root with a compatible glibc, find every library rpm says they
# require and pass tests/probes/verify-runtime. EL and Amazon Linux
# userlands are exercised by the generated CI workflow, not here.
. "$(dirname "$0")/../lib.sh"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

repo=$("$ROOT/tests/probes/test-repo") || { fail "the test repository is published"; finish; }
distro=$(host_distro)
yum=$repo/repo/yum/$distro/x86_64
mapfile -t rpms < <(find "$yum/Packages" -name '*.rpm' 2>/dev/null | sort)
[ ${#rpms[@]} -gt 0 ] || { fail "the test repository holds the rpms of $distro"; finish; }

db=$T_TMP/rpmdb
rpm --dbpath "$db" --initdb
rpm --dbpath "$db" --import "$repo/repo/memlean-archive-keyring.asc"
bad=0
for f in "${rpms[@]}"; do
  grep -q 'digests signatures OK' <<<"$(rpm --dbpath "$db" -K "$f" 2>&1)" || { bad=$((bad + 1)); echo "  # $(rpm --dbpath "$db" -K "$f" 2>&1)"; }
done
expect "rpm -K: all ${#rpms[@]} rpms are signed by the repository key" "$bad" 0
unsigned=$(compgen -G "$MEMLEAN_OUT/packages/$distro/*.rpm" | head -n 1)
check "rpm -K: an unsigned rpm is not taken as signed" bash -c "! rpm --dbpath '$db' -K '$unsigned' | grep -q signatures"
cp "${rpms[0]}" "$T_TMP/altered.rpm"
printf 'x' | dd of="$T_TMP/altered.rpm" bs=1 seek=$(($(stat -c %s "$T_TMP/altered.rpm") - 100)) conv=notrunc 2>/dev/null
check "rpm -K: an altered rpm fails" bash -c "! rpm --dbpath '$db' -K '$T_TMP/altered.rpm' >/dev/null 2>&1"
check "repodata/repomd.xml carries a valid detached signature" \
  gpgv --keyring "$repo/repo/memlean-archive-keyring.gpg" "$yum/repodata/repomd.xml.asc" "$yum/repodata/repomd.xml"

# The clean root gets the Debian packages that the matching .debs depend on
# (the same binaries, so the same libraries), and the tools to build a C
# extension.
mapfile -t tiny < <(for f in "${rpms[@]}"; do
  n=$(rpm -qp --qf '%{NAME}' "$f" 2>/dev/null)
  case $n in *-debuginfo) continue ;; esac
  grep -Eq "^memlean-(ruby|python)-[0-9]+\.[0-9]+\.[0-9]+(-|$)" <<<"$n" && echo "$f"
done)
libs=$(for f in "${tiny[@]}"; do
  n=$(rpm -qp --qf '%{NAME}' "$f" 2>/dev/null)
  dpkg-deb -f "$(compgen -G "$MEMLEAN_OUT/packages/$distro/${n}_*.deb" | head -n 1)" Depends
done | tr ',' '\n' | sed -E 's/^ *([^ ]+).*/\1/' | sort -u | tr '\n' ' ')
root=$T_TMP/root
# shellcheck disable=SC2086 # one package per word
if ! "$ROOT/scripts/env/make-root" "$distro" "$root" build-essential python3-setuptools-whl python3-wheel-whl $libs \
  >"$T_TMP/root.log" 2>&1; then
  fail "a clean $distro root is made" "$(tail -n 5 "$T_TMP/root.log")"
  finish
fi
rpm --root "$root" --initdb
rpm --root "$root" --import "$repo/repo/memlean-archive-keyring.asc"
cp "${tiny[@]}" "$root/tmp/"
check "rpm --root installs the ${#tiny[@]} tiny rpms, signatures enforced" \
  rpm --root "$root" --define '_pkgverify_level signature' -i --nodeps "${tiny[@]/#*\//$root/tmp/}"

# What rpm's generators say the payload requires must be in the root.
missing=()
for f in "${tiny[@]}"; do
  while IFS= read -r req; do
    [[ $req =~ ^([^\(\ ]+\.so[^\(\ ]*)(\(([^\)]*)\))?\(64bit\)$ ]] || continue
    lib=${BASH_REMATCH[1]} node=${BASH_REMATCH[3]}
    path=$(find "$root/lib/x86_64-linux-gnu" "$root/usr/lib/x86_64-linux-gnu" -maxdepth 1 -name "$lib" 2>/dev/null | head -n 1)
    if [ -z "$path" ]; then
      missing+=("$lib")
    elif [ -n "$node" ] && ! grep -q "Name: $node\$" <<<"$(readelf -V "$path")"; then
      missing+=("$lib($node)")
    fi
  done < <(rpm -qp --requires "$f" 2>/dev/null | sort -u)
done
expect "every library the rpms require is in the root (with its symbol versions)" "${missing[*]}" ""

gcc_cmd='gcc -Wall -Wextra -Werror -O2 -fPIC -shared -o /tmp/memlean-probe.so /memlean/tools/memlean-probe.c -ldl'
for f in "${tiny[@]}"; do
  n=$(rpm -qp --qf '%{NAME}' "$f" 2>/dev/null)
  v=${n##*-}
  case $v in malloctrim|jemalloc) ;; *) v=normal ;; esac
  "$ROOT/scripts/env/in-root" "$root" --bind "$ROOT:/memlean:ro" -- \
    bash -c "$gcc_cmd && /memlean/tests/probes/verify-runtime /usr/bin/$n $v /tmp/memlean-probe.so" >"$T_TMP/$n.out" 2>&1 || true
  report "rpm $n" "$T_TMP/$n.out"
done

finish
