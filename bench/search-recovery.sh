#!/usr/bin/env bash
# Recovery benchmark of the search (issue 6): runs `poet demo` for several seeds, no seeding, and reports how many runs
# recovered the form and the median time to recovery. Targets: sc (Sutton–Chen from data/poet/EAM_Cu: exponents 9 and 6
# and the square root, constants within 1 %) or lj (Lennard-Jones from data/poet/LJ_Ar: exponents 12 and 6, σ and ε
# within 1 %). Not a unit test: each run takes minutes.
#
# usage: bench/search-recovery.sh [SEEDS (default "1 2 3 4 5")] [TIME per run (default 5m)] [THREADS (default 2)] [TARGET sc|lj (default sc)]
# Results: $OUT (default /tmp/poet-search-recovery-<date>)/seed-N.log and a summary line per seed on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${1:-"1 2 3 4 5"}
TIME=${2:-5m}
THREADS=${3:-2}
TARGET=${4:-sc}
OUT=${OUT:-/tmp/poet-search-recovery-$TARGET-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
dotnet build -c Release src/PoetSharp.Cli -v q -nologo > "$OUT/build.log"
POET=src/PoetSharp.Cli/bin/Release/net10.0/poet.dll

found=0
runs=0
times=()
for seed in $SEEDS; do
  runs=$((runs + 1))
  log="$OUT/seed-$seed.log"
  dotnet "$POET" demo --target "$TARGET" --seed "$seed" --time "$TIME" --threads "$THREADS" --out "$OUT/run-$seed" > "$log" 2>&1 || true
  line=$(grep -E '^found:' "$log" || echo "found: error (see $log)")
  echo "seed $seed: $line"
  if [[ $line == "found: yes"* ]]; then
    found=$((found + 1))
    times+=("$(sed -E 's/^found: yes, after ([0-9.]+) s.*/\1/' <<< "$line")")
  fi
  grep -E '^(recovered|evaluations):' "$log" | sed 's/^/    /' || true
done

median="n/a"
if ((${#times[@]} > 0)); then
  median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
fi
echo "$TARGET: recovered $found/$runs (time limit $TIME, $THREADS threads); median time to recovery ${median} s" | tee "$OUT/summary.txt"
