#!/usr/bin/env bash
# Transferable by construction (issue 12): `poet fit` with POET's DFT copper target properties in the fitness, for
# several seeds; for each run, the recommended model's training errors (all training structures, `poet eval`) and its
# properties against the DFT targets (`poet properties`), beside GP1, GP2 (the paper's constants) and the Mishin EAM.
# Also, with THROUGHPUT=1, the search's candidates per second with and without targets (same seed, same time).
# Not a unit test: it runs for the whole time limit per seed.
#
# usage: bench/transferable-search.sh [TIME (default 30m)] [SEEDS (default "1 2 3")] [THREADS (default: all cores)] [DATA (dftcu|mlearn, default dftcu)]
# Results: $OUT (default /tmp/poet-transferable-<date>): run folders seed-N, fit logs, table.md.
# FIT_ARGS (environment) adds options to every poet fit, e.g. FIT_ARGS="--priors power-decay=0.15".
set -euo pipefail
cd "$(dirname "$0")/.."
TIME=${1:-30m}
SEEDS=${2:-"1 2 3"}
THREADS=${3:-$(nproc)}
WHICH=${4:-dftcu}
OUT=${OUT:-/tmp/poet-transferable-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
dotnet build -c Release src/PoetSharp.Cli -v q -nologo > "$OUT/build.log"
POET="dotnet src/PoetSharp.Cli/bin/Release/net10.0/poet.dll"
# The targets: POET's file with its dumbbell named as a 2×2×2 constant-volume value (data/poet/README.md); TARGETS=FILE for another.
T=${TARGETS:-data/poet/DFT_Cu/0K/TargetProperties_0K_cells.data}
D=data/poet/DFT_Cu
case "$WHICH" in
  dftcu) DATA=(--data "$D/NVT_FCC_300K" --data "$D/NVT_FCC_1400K" --data "$D/NPT_FCC_1400K") ;;
  mlearn) DATA=(--data "${MLEARN:-../shared/data/mlearn}/Cu_train.xyz") ;;
  *) echo "DATA must be dftcu or mlearn" >&2; exit 2 ;;
esac
GP1='sum(r^(10.21-5.47*r) - 0.21^r) + 0.97*sum(0.33^r)^-1'
GP2='7.33*sum(r^(3.98-3.94*r)) + (27.32 - sum(11.13 + 0.03*r^(11.74-2.93*r)))*sum(1)^-1'
MISHIN=/usr/share/lammps/potentials/Cu_mishin1.eam.alloy

if [ "${THROUGHPUT:-0}" = 1 ]; then
  for mode in none targets; do
    extra=(); [ "$mode" = targets ] && extra=(--targets "$T")
    $POET fit "${DATA[@]}" --time "${THROUGHPUT_TIME:-5m}" --seed 1 --threads "$THREADS" --out "$OUT/throughput-$mode" "${extra[@]}" > "$OUT/throughput-$mode.log" 2>&1
    echo "$mode: $(grep -m1 'candidates/s' "$OUT/throughput-$mode/summary.md")"
  done | tee "$OUT/throughput.md"
fi

for s in $SEEDS; do
  # shellcheck disable=SC2086
  [ -f "$OUT/seed-$s/front.json" ] || $POET fit "${DATA[@]}" --targets "$T" --time "$TIME" --seed "$s" --threads "$THREADS" --out "$OUT/seed-$s" ${FIT_ARGS:-} > "$OUT/fit-$s.log" 2>&1
done

# One row per model: training errors on all the training data, then the property errors against the targets.
row() { # name, potential options...
  local name=$1; shift
  local e f
  read -r e f <<< "$($POET eval "${DATA[@]}" "$@" --json | python3 -c 'import json,sys; o=json.load(sys.stdin)["overall"]; print(o["energy"]["rmse"], o["forces"]["rmse"])')"
  $POET properties "$@" --element Cu --reference "$T" --only lattice,elastic,phases,vacancy,surfaces,stacking --json 2>/dev/null |
    python3 bench/transferable-row.py "$name" "$e" "$f"
}
{
  python3 bench/transferable-row.py --header
  row "GP1 (paper)" --model "$GP1"
  row "GP2 (paper)" --model "$GP2"
  [ -f "$MISHIN" ] && row "Mishin EAM" --potential "$MISHIN"
  for s in $SEEDS; do
    model=$(python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); r=f.get("recommended") or min(f["front"], key=lambda m: m["validation_fitness"])["rank"]; print(next(m["model_file"] for m in f["front"] if m["rank"]==r))' "$OUT/seed-$s/front.json")
    row "seed $s recommended" --model "$OUT/seed-$s/$model"
  done
} | tee "$OUT/table.md"
# The recommendation is one model; the front may hold others that meet more targets (their properties: the run's suite).
for s in $SEEDS; do
  [ -f "$OUT/seed-$s/properties.json" ] && echo "seed $s: $(python3 bench/transferable-row.py --front "$OUT/seed-$s/properties.json")"
  # With FIT_ARGS="--mtp-levels 16 …": which of the recommended model's misses an MTP trained on the same data meets.
  [ -f "$OUT/seed-$s/properties.json" ] && python3 -c 'import json,sys; a=json.load(open(sys.argv[1])).get("attribution"); a and print("seed", sys.argv[2] + ":", a["summary"])' "$OUT/seed-$s/properties.json" "$s"
done | tee -a "$OUT/table.md"
# What the training data's own strained cells say about the elastic targets (mlearn copper: C44 far above POET's target).
files=(); for ((k = 1; k < ${#DATA[@]}; k += 2)); do files+=("${DATA[k]}"); done
$POET data elastic "${files[@]}" --targets "$T" | tee -a "$OUT/table.md"
echo "runs and logs in $OUT; the table in $OUT/table.md"
