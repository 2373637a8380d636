#!/usr/bin/env bash
# Prepares the kernel tree rbond builds against:
#   1. extracts Debian's linux-source-6.12 into <build>/linux-source-6.12, again whenever the
#      installed package's version differs from the one extracted;
#   2. lays the project's rust/, driver and sample files and kernel/patches over it
#      (tools/kbuild/overlay.py: only files whose content changes are touched);
#   3. configures <obj dir> as tinyconfig + the given fragments (kernel/rbond.config, and for
#      the debug profile kernel/debug.config on top), again whenever a fragment or the tree
#      changes, and checks every option of the fragments took effect.
# Usage: tools/kbuild/prepare.sh <repo> <build dir> <obj dir> <fragment,...> <make args...>
set -euo pipefail
repo=$1; build=$2; obj=$3; IFS=, read -r -a fragments <<< "$4"; shift 4
kmake=(make -s "$@")

src=$build/linux-source-6.12
tarball=/usr/src/linux-source-6.12.tar.xz
pkg_version=$(dpkg-query -W -f='${Version}' linux-source-6.12)

if [ "$(cat "$src/.rbond-debian-version" 2>/dev/null)" != "$pkg_version" ]; then
  echo "prepare: extracting linux-source-6.12 $pkg_version"
  rm -rf "$src" "$build"/kernel*
  mkdir -p "$build"
  tar -C "$build" -xf "$tarball"
  echo "$pkg_version" > "$src/.rbond-debian-version"
fi

python3 "$repo/tools/kbuild/overlay.py" --repo "$repo" --tree "$src"

paths=()
for f in "${fragments[@]}"; do paths+=("$repo/kernel/$f"); done
stamp=$obj/.rbond-config-stamp
want="$pkg_version $(cat "${paths[@]}" "$src"/drivers/net/rbond/Kconfig | sha256sum | cut -d' ' -f1)"
if [ ! -f "$obj/.config" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "prepare: configuring $obj (tinyconfig + ${fragments[*]})"
  mkdir -p "$obj"
  "${kmake[@]}" -C "$src" O="$obj" tinyconfig
  (cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${paths[@]}" >/dev/null)
  "${kmake[@]}" -C "$src" O="$obj" olddefconfig
  # Later fragments override earlier ones: check each option's last word.
  bad=0
  while IFS= read -r line; do
    case "$line" in
      CONFIG_*=*) opt=${line%%=*}; val=${line#*=}
        grep -qx "$opt=$val" "$obj/.config" || { echo "prepare: $opt=$val did not take effect (got: $(grep -E "^(# )?$opt[= ]" "$obj/.config" || echo unset))"; bad=1; } ;;
      "# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *}
        grep -q "^$opt=" "$obj/.config" && { echo "prepare: $opt should be off"; bad=1; } ;;
    esac
  done < <(cat "${paths[@]}" | awk '/^CONFIG_|^# CONFIG_/ { o = $0; sub(/^# /, "", o); sub(/[= ].*/, "", o); last[o] = $0; order[n++] = o }
                                     END { for (i = 0; i < n; i++) if (!(order[i] in seen)) { seen[order[i]] = 1; print last[order[i]] } }')
  [ $bad -eq 0 ] || { echo "prepare: ${fragments[*]} do not fit this tree (a missing dependency?)" >&2; exit 1; }
  echo "$want" > "$stamp"
fi
