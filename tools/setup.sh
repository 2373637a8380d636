#!/usr/bin/env bash
# Installs what building and testing rbond needs, and nothing that is already there.
#   Debian packages: the kernel source, Rust 1.96 with its library sources, clang/lld,
#     the kernel's build dependencies, QEMU, and the tools the guest borrows from the host
#     (the VM mounts the host's /usr read-only, so the host's iproute2 is the guest's).
#   crates.io: bindgen-cli, pinned, built into the cache directory.
#   crates.io, for `make profile` only: rustfilt, pinned, likewise.
# Usage: tools/setup.sh <cache dir> <bindgen version> [<rustfilt version>]
set -euo pipefail
cache=$1
bindgen_version=$2
rustfilt_version=${3:-}

packages=(
  # kernel source and Rust toolchain (see shared TOOLCHAIN notes)
  linux-source-6.12 rustc-web rust-web-src
  clang lld llvm libclang-dev
  # kernel build dependencies
  make flex bison bc libelf-dev libssl-dev cpio kmod xz-utils patch python3
  # VM and guest tools
  qemu-system-x86 busybox-static iproute2 iputils-ping iperf3 ethtool tcpdump jq
  # the kernel's bonding selftests (net/forwarding/lib.sh requires mausezahn)
  netsniff-ng
  # 802.3ad partners the tests negotiate with: teamd's LACP runner and Open vSwitch
  libteam-utils openvswitch-switch
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# cargo_install CRATE VERSION: the crate's binaries into the cache, pinned, once. Any working
# cargo will do (rustup's, say); a bare Debian machine gets cargo-web, the cargo that goes
# with rustc-web. Looked up here, after the packages above are in.
cargo_install() {
  local crate=$1 version=$2 cargo
  cargo=$(command -v cargo || true)
  if [ -z "$cargo" ] || ! "$cargo" --version >/dev/null 2>&1; then
    echo "setup: no working cargo on PATH: installing Debian's cargo-web"
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    dpkg-query -W -f='${Status}' cargo-web 2>/dev/null | grep -q "install ok installed" || {
      $sudo apt-get update -q
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends cargo-web
    }
    cargo=/usr/bin/cargo
  fi
  "$cargo" install --locked --quiet "$crate@$version" --root "$cache/$crate-$version"
}

if [ ! -x "$cache/bindgen-cli-$bindgen_version/bin/bindgen" ]; then
  echo "setup: building bindgen-cli $bindgen_version from crates.io (about 3 minutes)"
  cargo_install bindgen-cli "$bindgen_version"
fi

# `make profile` only: rustfilt, which demangles the Rust symbols of perf's reports.
if [ -n "$rustfilt_version" ] && [ ! -x "$cache/rustfilt-$rustfilt_version/bin/rustfilt" ]; then
  echo "setup: building rustfilt $rustfilt_version from crates.io (under a minute)"
  cargo_install rustfilt "$rustfilt_version"
fi
