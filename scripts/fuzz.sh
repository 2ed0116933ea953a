#!/usr/bin/env bash
# Fuzz every target with cargo-fuzz (libFuzzer), seeded from testdata/.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60; CI-style smoke run: 10)
# Needs: cargo install cargo-fuzz. The stable toolchain builds the sanitizer flags with
# RUSTC_BOOTSTRAP=1 (no other toolchain can be fetched here).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-60}
export RUSTC_BOOTSTRAP=1
targets=(yaml_json aws_auth iam_policy cfn_terraform)
cargo fuzz build -O
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  # Seed with every test input (small files only).
  find ../testdata -type f \( -name '*.yaml' -o -name '*.json' \) -size -64k -exec cp -n {} "corpus/$t/" \; 2>/dev/null || true
  echo "== $t: ${seconds}s"
  cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 2>&1 \
    | grep -E '^(#[0-9]+\s+DONE|Done [0-9]+ runs)|ERROR|panicked|SUMMARY' || true
done
