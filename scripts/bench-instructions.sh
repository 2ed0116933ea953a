#!/usr/bin/env bash
# Instructions instead of time: the lint and the parse-only floor counted by callgrind (valgrind),
# one thread, so the ratio does not move with the neighbours of a shared machine. Slow (valgrind
# runs the code about 50 times slower): 10k objects by default.
# Usage: scripts/bench-instructions.sh [SIZE]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 2; }
size=${1:-10000}
cargo build --release --example gen_corpus --example bench
work=${BENCH_DIR:-$(mktemp -d)}
corpus="$work/corpus-$size"
rm -rf "$corpus"
./target/release/examples/gen_corpus --objects "$size" --seed 42 "$corpus"
count() {
  RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    ./target/release/examples/bench "$corpus" --once "$1" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
start=$(count start)
paths=$(count paths)
floor=$(count floor)
lint=$(count lint)
awk -v s="$start" -v p="$paths" -v f="$floor" -v l="$lint" 'BEGIN {
  fl = f - p; li = l - s;
  printf "parse-only floor  %.1f M instructions\n", fl / 1e6;
  printf "walk              %.1f M instructions\n", (p - s) / 1e6;
  printf "lint              %.1f M instructions (%.2fx the floor)\n", li / 1e6, li / fl;
}'
