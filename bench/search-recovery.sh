#!/usr/bin/env bash
# Recovery benchmark of the search (issue 6): runs `poet demo` for several seeds, no seeding, and reports how many runs
# recovered the form and the median time to recovery. Targets: sc (Sutton–Chen from data/poet/EAM_Cu: exponents 9 and 6
# and the square root, constants within 1 %) or lj (Lennard-Jones from data/poet/LJ_Ar: exponents 12 and 6, σ and ε
# within 1 %), or alloy (the Rafii-Tabar–Sutton Cu–Ni alloy from data/alloy/CuNi_RTS: the true model's energies, up to
# one reference energy per element, and forces on 24 random Cu–Ni cells, to 1e-4). The demo polishes only the front
# models most accurate on validation fitness (no knowledge of the answer);
# each run is made with the grammar's metals prior on, off (--no-prior) or both, and every line says which.
# Not a unit test: each run takes minutes.
#
# usage: bench/search-recovery.sh [SEEDS (default "1 2 3 4 5")] [TIME per run (default 5m)] [THREADS (default 2)] [TARGET sc|lj|alloy (default sc)] [PRIOR on|off|both (default both)]
# Results: $OUT (default /tmp/poet-search-recovery-<target>-<date>)/prior-P-seed-N.log, a line per run and a summary line
# per prior setting on stdout (also in $OUT/summary.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${1:-"1 2 3 4 5"}
TIME=${2:-5m}
THREADS=${3:-2}
TARGET=${4:-sc}
PRIOR=${5:-both}
case $PRIOR in
  on) PRIORS=(on) ;;
  off) PRIORS=(off) ;;
  both) PRIORS=(on off) ;;
  *) echo "search-recovery.sh: PRIOR must be on, off or both (got '$PRIOR')" >&2; exit 2 ;;
esac
OUT=${OUT:-/tmp/poet-search-recovery-$TARGET-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
dotnet build -c Release src/PoetSharp.Cli -v q -nologo > "$OUT/build.log"
POET=src/PoetSharp.Cli/bin/Release/net10.0/poet.dll

: > "$OUT/summary.txt"
for prior in "${PRIORS[@]}"; do
  flag=()
  [[ $prior == off ]] && flag=(--no-prior)
  found=0
  runs=0
  times=()
  for seed in $SEEDS; do
    runs=$((runs + 1))
    log="$OUT/prior-$prior-seed-$seed.log"
    dotnet "$POET" demo --target "$TARGET" --seed "$seed" --time "$TIME" --threads "$THREADS" "${flag[@]}" \
      --out "$OUT/run-prior-$prior-$seed" > "$log" 2>&1 || true
    line=$(grep -E '^found:' "$log" || echo "found: error (see $log)")
    # The demo states the setting it ran with; a run that disagrees with the one asked for is reported as such.
    stated=$(sed -nE 's/^prior: (on|off)$/\1/p' "$log")
    echo "prior ${stated:-?} seed $seed: $line"
    if [[ -n $stated && $stated != "$prior" ]]; then
      echo "    (asked for prior $prior)"
    fi
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
  echo "$TARGET, metals prior $prior: recovered $found/$runs (time limit $TIME, $THREADS threads); median time to recovery ${median} s" | tee -a "$OUT/summary.txt"
done
