#!/usr/bin/env bash
# Prepares the kernel tree rbond builds against:
#   1. extracts Debian's linux-source-6.12 into <build>/linux-source-6.12, again whenever the
#      installed package's version differs from the one extracted;
#   2. lays the project's rust/, driver and sample files and kernel/patches over it
#      (tools/kbuild/overlay.py: only files whose content changes are touched);
#   3. configures <build>/kernel as tinyconfig + kernel/rbond.config, again whenever the
#      fragment or the tree changes, and checks every option of the fragment took effect.
# Usage: tools/kbuild/prepare.sh <repo> <build dir> <make args for the kernel...>
set -euo pipefail
repo=$1; build=$2; shift 2
kmake=(make -s "$@")

src=$build/linux-source-6.12
obj=$build/kernel
tarball=/usr/src/linux-source-6.12.tar.xz
pkg_version=$(dpkg-query -W -f='${Version}' linux-source-6.12)

if [ "$(cat "$src/.rbond-debian-version" 2>/dev/null)" != "$pkg_version" ]; then
  echo "prepare: extracting linux-source-6.12 $pkg_version"
  rm -rf "$src" "$obj"
  mkdir -p "$build"
  tar -C "$build" -xf "$tarball"
  echo "$pkg_version" > "$src/.rbond-debian-version"
fi

python3 "$repo/tools/kbuild/overlay.py" --repo "$repo" --tree "$src"

fragment=$repo/kernel/rbond.config
stamp=$obj/.rbond-config-stamp
want="$pkg_version $(sha256sum "$fragment" | cut -d' ' -f1) $(cat "$src"/drivers/net/rbond/Kconfig | sha256sum | cut -d' ' -f1)"
if [ ! -f "$obj/.config" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "prepare: configuring the kernel (tinyconfig + kernel/rbond.config)"
  mkdir -p "$obj"
  "${kmake[@]}" -C "$src" O="$obj" tinyconfig
  (cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$fragment" >/dev/null)
  "${kmake[@]}" -C "$src" O="$obj" olddefconfig
  bad=0
  while IFS= read -r line; do
    case "$line" in
      CONFIG_*=*) opt=${line%%=*}; val=${line#*=}
        grep -qx "$opt=$val" "$obj/.config" || { echo "prepare: $opt=$val did not take effect (got: $(grep -E "^(# )?$opt[= ]" "$obj/.config" || echo unset))"; bad=1; } ;;
      "# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *}
        grep -q "^$opt=" "$obj/.config" && { echo "prepare: $opt should be off"; bad=1; } ;;
    esac
  done < "$fragment"
  [ $bad -eq 0 ] || { echo "prepare: kernel/rbond.config does not fit this tree (a missing dependency?)" >&2; exit 1; }
  echo "$want" > "$stamp"
fi
