# shellcheck shell=bash
# shellcheck disable=SC2034 # the M_ and RECIPE_ variables are read by the scripts that source this
# The matrix (ci/matrix) read into variables, and what follows from it:
# cells, the release lines each cell ships, images and their tags. Sourced
# after lib.sh by scripts/ci/generate, scripts/ci/matrix-cells and the tests.

MEMLEAN_MATRIX=${MEMLEAN_MATRIX:-$MEMLEAN_ROOT/ci/matrix}

# load_matrix: sets M_RECIPES (recipe names such as ruby/3.3.8, oldest
# first), M_VARIANTS, M_DISTROS, M_ARCHES, M_EXCLUDES (one per line),
# M_IMAGES ("BASE DISTRO FLAVOUR" per line), M_EOL (RUNTIME/SERIES past
# upstream's end of life, space-separated), M_IMAGE_DEFAULT,
# M_IMAGE_NAMESPACE, M_REPO_URL, M_SOURCE_URL, M_TARBALLS (the distro whose
# build environment makes the tarballs, or nothing); and per recipe
# RECIPE_NAME/SERIES/VERSION/REVISION[recipe]. Dies on the first bad line.
load_matrix() {
  local file=$MEMLEAN_MATRIX n=0 line kind rest glob f
  [ -f "$file" ] || die "matrix $file does not exist; it lists what ships (see ci/matrix)"
  M_RECIPES="" M_VARIANTS="" M_DISTROS="" M_ARCHES="" M_EXCLUDES="" M_IMAGES="" M_EOL=""
  M_IMAGE_DEFAULT="" M_IMAGE_NAMESPACE="" M_REPO_URL="" M_SOURCE_URL="" M_TARBALLS=""
  declare -gA RECIPE_NAME=() RECIPE_SERIES=() RECIPE_VERSION=() RECIPE_REVISION=()
  local globs=""
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line=${line%%#*}
    read -r kind rest <<<"$line" || true
    [ -n "${kind:-}" ] || continue
    local where="$file:$n"
    case $kind in
      recipe)
        if [ "$rest" = defaults ]; then # the recipes recipes/defaults names
          globs="$globs $(default_recipe ruby) $(default_recipe python)"
          continue
        fi
        [[ $rest =~ ^[a-z]+/[^[:space:]]+$ ]] || die "$where: 'recipe $rest' (expected recipe RUNTIME/GLOB, e.g. recipe ruby/*, or recipe defaults); fix $file"
        globs="$globs $rest" ;;
      variant) case " $MEMLEAN_VARIANTS " in *" $rest "*) ;; *) die "$where: unknown variant '$rest' (expected one of: $MEMLEAN_VARIANTS); fix $file" ;; esac
        M_VARIANTS="$M_VARIANTS $rest" ;;
      distro) [ -f "$MEMLEAN_ROOT/ci/distros/$rest/distro" ] || die "$where: unknown distro '$rest' (no ci/distros/$rest/distro); add the folder or fix $file"
        M_DISTROS="$M_DISTROS $rest" ;;
      arch) case $rest in amd64|arm64) ;; *) die "$where: unknown arch '$rest' (expected amd64 or arm64); fix $file" ;; esac
        M_ARCHES="$M_ARCHES $rest" ;;
      exclude) local term
        [ -n "$rest" ] || die "$where: exclude without terms (expected exclude KEY=GLOB..., KEY one of recipe variant distro arch); fix $file"
        for term in $rest; do
          [[ $term =~ ^(recipe|variant|distro|arch)!?=[^[:space:]]+$ ]] || die "$where: exclude term '$term' (expected KEY=GLOB or KEY!=GLOB, KEY one of recipe variant distro arch); fix $file"
        done
        M_EXCLUDES="$M_EXCLUDES$rest"$'\n' ;;
      image) local base distro flavour extra
        read -r base distro flavour extra <<<"$rest" || true
        { [ -n "${flavour:-}" ] && [ -z "${extra:-}" ] && [[ $base =~ ^[a-z0-9-]+$ ]]; } || die "$where: 'image $rest' (expected image BASE DISTRO full|slim); fix $file"
        case $flavour in full|slim) ;; *) die "$where: image flavour '$flavour' (expected full or slim); fix $file" ;; esac
        M_IMAGES="$M_IMAGES$base $distro $flavour"$'\n' ;;
      eol) [[ $rest =~ ^[a-z]+/[0-9]+\.[0-9]+$ ]] || die "$where: 'eol $rest' (expected eol RUNTIME/SERIES, e.g. eol ruby/3.2); fix $file"
        M_EOL="$M_EOL $rest" ;;
      image-default) M_IMAGE_DEFAULT=$rest ;;
      image-namespace) M_IMAGE_NAMESPACE=$rest ;;
      repo-url) M_REPO_URL=$rest ;;
      source-url) M_SOURCE_URL=$rest ;;
      tarballs) M_TARBALLS=$rest ;;
      *) die "$where: unknown statement '$kind' (expected recipe, variant, distro, arch, exclude, eol, image, image-default, image-namespace, repo-url, source-url or tarballs); fix $file" ;;
    esac
  done <"$file"
  local key
  for key in VARIANTS DISTROS ARCHES IMAGE_NAMESPACE REPO_URL SOURCE_URL; do
    local var=M_$key
    [ -n "${!var}" ] || die "$file: no ${key,,} statement (see the comment at its top); add one"
  done
  [ -n "$globs" ] || die "$file: no recipe statement; add one such as: recipe ruby/*"
  local distro
  while read -r _ distro _; do
    [ -n "${distro:-}" ] || continue
    case " $M_DISTROS " in *" $distro "*) ;; *) die "$file: image base on distro '$distro', which is not a matrix distro; add 'distro $distro' or fix the image line" ;; esac
  done <<<"$M_IMAGES"
  case " $M_DISTROS " in *" $M_IMAGE_DEFAULT "*) ;; *) [ -z "$M_IMAGE_DEFAULT" ] || die "$file: image-default $M_IMAGE_DEFAULT is not a matrix distro; fix it" ;; esac
  if [ -n "$M_TARBALLS" ]; then
    case " $M_DISTROS " in *" $M_TARBALLS "*) ;; *) die "$file: tarballs $M_TARBALLS is not a matrix distro; fix it" ;; esac
    [ "$(load_distro "$M_TARBALLS" && echo "$D_FORMAT")" = deb ] ||
      die "$file: tarballs $M_TARBALLS is not a Debian-family distro (make tarballs runs on deb distros); fix it"
  fi
  for glob in $globs; do
    local matched=0
    for f in "$MEMLEAN_ROOT"/recipes/$glob; do
      [ -f "$f" ] || continue
      matched=1
      local name=${f#"$MEMLEAN_ROOT"/recipes/}
      [ -z "${RECIPE_NAME[$name]+x}" ] || continue
      load_recipe "$f"
      RECIPE_NAME[$name]=$R_NAME RECIPE_SERIES[$name]=$R_SERIES
      RECIPE_VERSION[$name]=$R_VERSION RECIPE_REVISION[$name]=$R_PACKAGE_REVISION
    done
    [ "$matched" = 1 ] || die "$file: 'recipe $glob' matches no file under recipes/; fix the pattern"
  done
  M_RECIPES=$(for f in "${!RECIPE_NAME[@]}"; do echo "$f"; done | sort -t/ -k1,1 -k2,2V | tr '\n' ' ')
  local eol
  for eol in $M_EOL; do
    for f in "${!RECIPE_NAME[@]}"; do
      [ "${RECIPE_NAME[$f]}/${RECIPE_SERIES[$f]}" = "$eol" ] && continue 2
    done
    die "$file: eol $eol names no series of the matrix's recipes; fix the line"
  done
  M_VARIANTS=${M_VARIANTS# } M_DISTROS=${M_DISTROS# } M_ARCHES=${M_ARCHES# } M_RECIPES=${M_RECIPES% }
}

# is_eol RUNTIME/SERIES: true when ci/matrix marks the series end of life.
is_eol() {
  case " $M_EOL " in *" $1 "*) return 0 ;; esac
  return 1
}

# excluded RECIPE VARIANT DISTRO ARCH: true when an exclude line matches.
excluded() {
  local recipe=$1 variant=$2 distro=$3 arch=$4 rule term key value negate hit
  while IFS= read -r rule; do
    [ -n "$rule" ] || continue
    hit=1
    for term in $rule; do
      key=${term%%=*} value=${term#*=} negate=0
      case $key in *!) key=${key%!} negate=1 ;; esac
      local subject
      case $key in recipe) subject=$recipe ;; variant) subject=$variant ;; distro) subject=$distro ;; arch) subject=$arch ;; esac
      # shellcheck disable=SC2053 # the value is a glob on purpose
      if [[ $subject == $value ]]; then [ "$negate" = 0 ] || hit=0; else [ "$negate" = 1 ] || hit=0; fi
    done
    [ "$hit" = 0 ] || return 0
  done <<<"$M_EXCLUDES"
  return 1
}

# matrix_cells [DISTRO]: one line per cell, "RECIPE VARIANT DISTRO ARCH
# LINES", LINES being tiny or tiny+minor (the newest release of its series
# among the cells of that distro, arch and variant also ships the minor
# package). Sorted by distro, arch, recipe, variant.
matrix_cells() {
  local only=${1:-} distro arch variant recipe
  for distro in $M_DISTROS; do
    [ -z "$only" ] || [ "$only" = "$distro" ] || continue
    for arch in $M_ARCHES; do
      declare -A newest=()
      local kept=()
      for recipe in $M_RECIPES; do
        # Past end of life: what was published stays, nothing new is built.
        is_eol "${RECIPE_NAME[$recipe]}/${RECIPE_SERIES[$recipe]}" && continue
        for variant in $M_VARIANTS; do
          excluded "$recipe" "$variant" "$distro" "$arch" && continue
          kept+=("$recipe $variant")
          # M_RECIPES is oldest first, so the last one seen is the newest.
          newest["${RECIPE_NAME[$recipe]}-${RECIPE_SERIES[$recipe]}-$variant"]=$recipe
        done
      done
      local cell
      for cell in "${kept[@]}"; do
        read -r recipe variant <<<"$cell"
        local lines=tiny
        [ "${newest["${RECIPE_NAME[$recipe]}-${RECIPE_SERIES[$recipe]}-$variant"]}" != "$recipe" ] || lines=tiny+minor
        echo "$recipe $variant $distro $arch $lines"
      done
      unset newest
    done
  done
}

# matrix_images: one line per image, "RUNTIME SERIES VARIANT BASE DISTRO
# FLAVOUR RECIPE": each series and variant whose newest release ships minor
# packages on the base's distro (on every matrix arch), in every base.
matrix_images() {
  local base distro flavour cells
  while read -r base distro flavour; do
    [ -n "${base:-}" ] || continue
    cells=$(matrix_cells "$distro")
    local recipe variant arch lines
    while read -r recipe variant _ arch lines; do
      [ "$lines" = tiny+minor ] || continue
      [ "$arch" = "${M_ARCHES%% *}" ] || continue
      local a everywhere=1
      for a in $M_ARCHES; do
        grep -qx "$recipe $variant $distro $a tiny+minor" <<<"$cells" || everywhere=0
      done
      [ "$everywhere" = 1 ] || continue
      echo "${RECIPE_NAME[$recipe]} ${RECIPE_SERIES[$recipe]} $variant $base $distro $flavour $recipe"
    done <<<"$cells"
  done <<<"$M_IMAGES"
}

# image_tags RUNTIME SERIES VARIANT BASE DISTRO FLAVOUR RECIPE: the image's
# tags, one per line, without the NAMESPACE/RUNTIME: part. The newest
# series' normal image of the default distro's full flavour is also latest.
image_tags() {
  local runtime=$1 series=$2 variant=$3 base=$4 distro=$5 flavour=$6 recipe=$7
  local version=${RECIPE_VERSION[$recipe]} v="" short=""
  [ "$variant" = normal ] || v=-$variant
  [ "$flavour" = full ] || short=-$flavour
  echo "$version$v-$base"
  echo "$series$v-$base"
  if [ "$distro" = "$M_IMAGE_DEFAULT" ]; then
    echo "$version$v$short"
    echo "$series$v$short"
    local newest
    newest=$(for r in $M_RECIPES; do if [ "${RECIPE_NAME[$r]}" = "$runtime" ]; then echo "${RECIPE_SERIES[$r]}"; fi; done | sort -V | tail -n 1)
    if [ "$series" = "$newest" ] && [ -z "$v$short" ]; then echo latest; fi
  fi
}
