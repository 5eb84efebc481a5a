#!/usr/bin/env bash
# Installs the Debian 12 packages Reinforge needs, only those that are missing (idempotent).
# Uses sudo when not root. Usage: packaging/bootstrap.sh [--test]
set -euo pipefail
pkgs=(build-essential cmake pkg-config ccache qt6-base-dev qt6-charts-dev libeigen3-dev libopenblas-dev
      libyaml-cpp-dev libsentencepiece-dev sentencepiece libpcre2-dev libcurl4-openssl-dev
      nlohmann-json3-dev libicu-dev python3 file)  # file: CPack .deb (dpkg-shlibdeps)
if [[ "${1:-}" == "--test" ]]; then
  pkgs+=(libgtest-dev libgmock-dev xvfb xauth)
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
