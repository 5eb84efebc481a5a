#!/usr/bin/env bash
# The README's run command: install what is missing, build Release, start Reinforge with the
# embedded default loaded. With --headless (or without a display) run the default GRPO preset in
# the CLI instead.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/packaging/bootstrap.sh"
"$root/packaging/build.sh"
headless=0
for a in "$@"; do [[ "$a" == "--headless" ]] && headless=1; done
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then headless=1; fi
if ((headless)); then
  exec "$root/build/app/reinforge-cli" train "$root/resources/presets/grpo-default.yaml"
else
  exec "$root/build/app/reinforge"
fi
