#!/usr/bin/env bash
# Build, generate seeded corpora of the given sizes and benchmark each.
# Usage: scripts/bench.sh [SIZE...]   (default: 1000 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin ekstrust --example gen_corpus --example bench
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
work=${BENCH_DIR:-$(mktemp -d)}
for n in "${sizes[@]}"; do
  rm -rf "$work/corpus-$n"
  ./target/release/examples/gen_corpus --objects "$n" --seed 42 "$work/corpus-$n"
  ./target/release/examples/bench "$work/corpus-$n" --iterations 21
  echo
done
