#!/usr/bin/env bash
# The .deb end to end: cpack in the build tree, `dpkg -x` into a temporary root, then from there
#   reinforge-cli --version, the resources where the engine looks for them (<exe>/../share/reinforge),
#   the .desktop entry and icon, and (once the embedded default model, its GRPO preset and the train
#   command exist) a 2-step GRPO run on the embedded default using only the extracted tree.
# usage: bash packaging/test_package.sh BUILD_DIR
set -u
build="${1:?usage: test_package.sh BUILD_DIR}"
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

(cd "$build" && cpack -G DEB -B "$tmp/out" > "$tmp/cpack.log" 2>&1) || { echo "FAIL: cpack"; cat "$tmp/cpack.log"; exit 1; }
deb=$(ls "$tmp"/out/reinforge_*.deb 2>/dev/null | head -1)
[[ -n "$deb" ]] || { echo "FAIL: no .deb in $tmp/out"; cat "$tmp/cpack.log"; exit 1; }
echo "package: $(basename "$deb") ($(stat -c %s "$deb") bytes)"
dpkg-deb --info "$deb" > "$tmp/info.txt" || { echo "FAIL: dpkg-deb --info"; fail=1; }
grep -q "^ Package: reinforge" "$tmp/info.txt" || { echo "FAIL: package name"; cat "$tmp/info.txt"; fail=1; }
grep -q "^ Depends:.*python3" "$tmp/info.txt" || { echo "FAIL: Depends lacks python3"; cat "$tmp/info.txt"; fail=1; }

root="$tmp/root"
dpkg -x "$deb" "$root" || { echo "FAIL: dpkg -x"; exit 1; }
cli="$root/usr/bin/reinforge-cli"
for f in usr/bin/reinforge-cli usr/share/applications/reinforge.desktop \
         usr/share/icons/hicolor/scalable/apps/reinforge.svg usr/share/reinforge/python/reinforge_reward_worker.py; do
  [[ -f "$root/$f" ]] || { echo "FAIL: $f not in the package"; fail=1; }
done
if grep -q "REINFORGE_BUILD_GUI:BOOL=ON" "$build/CMakeCache.txt" 2>/dev/null; then
  [[ -x "$root/usr/bin/reinforge" ]] || { echo "FAIL: usr/bin/reinforge not in the package"; fail=1; }
fi
for d in models datasets; do
  [[ -d "$root/usr/share/reinforge/$d" ]] || { echo "FAIL: usr/share/reinforge/$d not in the package"; fail=1; }
done
grep -q "^Exec=reinforge" "$root/usr/share/applications/reinforge.desktop" || { echo "FAIL: .desktop Exec"; fail=1; }

want_version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
out=$("$cli" --version 2>&1); rc=$?
[[ $rc == 0 && "$out" == "reinforge-cli $want_version" ]] || { echo "FAIL: --version: exit $rc, '$out'"; fail=1; }

# The embedded default, resolved relative to the extracted executable (not the source tree).
model=$(ls -d "$root"/usr/share/reinforge/models/*/ 2>/dev/null | head -1)
preset=$(ls "$root"/usr/share/reinforge/presets/*grpo*.yaml 2>/dev/null | head -1)
if [[ -n "$model" && -f "$model/model.safetensors" && -n "$preset" ]] && "$cli" train --help >/dev/null 2>&1; then
  name=$(basename "$model")
  out=$(cd "$tmp" && env -u REINFORGE_RESOURCES_DIR -u REINFORGE_PYTHON_DIR "$cli" info "resources/models/$name" 2>&1)
  grep -qF "$root/usr/share/reinforge/models/$name" <<<"$out" || { echo "FAIL: bundled model not found from the package:"; echo "$out"; fail=1; }
  (cd "$tmp" && env -u REINFORGE_RESOURCES_DIR -u REINFORGE_PYTHON_DIR "$cli" train "$preset" \
      --set iters=2 --set output_dir="$tmp/run" > "$tmp/train.log" 2>&1)
  rc=$?
  if [[ $rc != 0 || ! -f "$tmp/run/metrics.jsonl" ]]; then
    echo "FAIL: 2-step GRPO run from the package: exit $rc"; tail -30 "$tmp/train.log"; fail=1
  else
    echo "2-step GRPO run on $name from the package: ok ($(wc -l < "$tmp/run/metrics.jsonl") metrics lines)"
  fi
else
  echo "note: no embedded default model + GRPO preset + train command in this build yet; GRPO run skipped"
fi

[[ $fail == 0 ]] && echo "test_package.sh: all checks passed"
exit $fail
