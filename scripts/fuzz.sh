#!/usr/bin/env bash
# Fuzz every target with cargo-fuzz (libFuzzer), seeded from testdata/.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60; the CI smoke run uses 10)
# Needs: cargo install cargo-fuzz. The stable toolchain builds the sanitizer flags with
# RUSTC_BOOTSTRAP=1 (no other toolchain can be fetched here).
# Exits non-zero when any target crashes, leaks or times out; the input is left in
# fuzz/artifacts/<target>/ and the tail of the target's log is printed.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-60}
export RUSTC_BOOTSTRAP=1
targets=(yaml_json aws_auth iam_policy cfn_terraform)
cargo fuzz build -O
logs=$(mktemp -d)
failed=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  # Seed with every test input (small files only).
  find ../testdata -type f \( -name '*.yaml' -o -name '*.json' \) -size -64k -exec cp -n {} "corpus/$t/" \; 2>/dev/null || true
  echo "== $t: ${seconds}s"
  if cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 >"$logs/$t.log" 2>&1; then
    grep -E '^(#[0-9]+\s+DONE|Done [0-9]+ runs)' "$logs/$t.log" || true
  else
    failed=1
    echo "$t FAILED:"
    tail -n 40 "$logs/$t.log"
  fi
done
rm -rf "$logs"
exit "$failed"
