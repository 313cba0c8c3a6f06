#!/usr/bin/env bash
# Stability of LGPS moment tensor potentials at 1000 K (issue 16): the bare MTP, the same with a short-range core, and
# the MTP retrained on the pool frames that `poet select` finds extend its data:
#   1. from a bare MTP trained by `bash bench/mtp-accuracy.sh lgps 16 250 WORK0` (WORK0/lgps/model.mtp, its split in
#      WORK0/lgps-data: train.xyz, test.xyz and pool.xyz, the frames in neither):
#      cored: fit-mtp --start … --core zbl --core-width WIDTH, ITERATIONS further iterations (0 keeps the coefficients:
#        the core changes nothing on the training data);
#      selected: `poet select --grade-by neighbourhood` over pool.xyz against train.xyz, then fit-mtp --start … on
#        train.xyz plus the chosen frames, SELECT_ITERATIONS (default 100) iterations, validated on test.xyz;
#   2. MD of the 400-atom cell (bench/lgps-structure.py) at 1000 K for STEPS steps of 2 fs, NVT at the DFT cell and
#      NPT (x, y, z independent, 0 bar), for each seed in SEEDS and each model in MODELS (default "bare cored selected"),
#      two runs at a time (one core each);
#   3. a table: how long each run lasted (a run that blows up stops with "the run became unstable at step …").
# Usage: bash bench/lgps-stability.sh WORK0 [WORK=/tmp/lgps-stability] [SEEDS="1 2 3"] [STEPS=50000] [WIDTH=0.25] [ITERATIONS=0]
# Environment: MODELS, SELECT_ITERATIONS, ENSEMBLES (default "nvt npt-aniso").
set -euo pipefail
WORK0=$(realpath "${1:?usage: lgps-stability.sh WORK0 [WORK] [SEEDS] [STEPS] [WIDTH] [ITERATIONS]}")
WORK=${2:-/tmp/lgps-stability}
SEEDS=${3:-1 2 3}
STEPS=${4:-50000}
WIDTH=${5:-0.25}
ITERATIONS=${6:-0}
HERE=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${POET_SHARED_DATA:-$HERE/../shared/data}
mkdir -p "$WORK"
dotnet build -c Release "$HERE/src/PoetSharp.Cli" -o "$WORK/poet" > "$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
poet() { dotnet "$WORK/poet/poet.dll" --type-map Li,Ge,P,S "$@"; }

/usr/bin/python3 "$HERE/bench/lgps-structure.py" "$SHARED/lgps" "$WORK/lgps-400.vasp" > /dev/null
if [ ! -f "$WORK/cored/model.json" ]; then
  poet fit-mtp --start "$WORK0/lgps/model.mtp" -d "$WORK0/lgps-data/train.xyz" --validation "$WORK0/lgps-data/test.xyz" \
    --iterations "$ITERATIONS" --core zbl --core-width "$WIDTH" -o "$WORK/cored" > "$WORK/cored.log"
fi
grep -E "short-range core|│ all" "$WORK/cored.log" || true
MODELS=${MODELS:-bare cored selected}
if [[ $MODELS == *selected* && ! -f "$WORK/selected/model.json" ]]; then
  [ -f "$WORK0/lgps-data/pool.xyz" ] || { echo "no $WORK0/lgps-data/pool.xyz: run bench/mtp-accuracy.sh lgps again to write it" >&2; exit 1; }
  poet select -m "$WORK0/lgps/model.mtp" -d "$WORK0/lgps-data/train.xyz" --pool "$WORK0/lgps-data/pool.xyz" --grade-by neighbourhood \
    --grades "$WORK/select-grades.csv" -o "$WORK/selected.xyz" | tee "$WORK/select.log"
  poet fit-mtp --start "$WORK0/lgps/model.mtp" -d "$WORK0/lgps-data/train.xyz" -d "$WORK/selected.xyz" --validation "$WORK0/lgps-data/test.xyz" \
    --iterations "${SELECT_ITERATIONS:-100}" -o "$WORK/selected" > "$WORK/selected.log"
  grep -E "│ all" "$WORK/selected.log" || true
fi

run() {  # NAME ENSEMBLE SEED MODEL-ARGS...
  local name=$1 ensemble=$2 seed=$3; shift 3
  local extra=()
  [ "$ensemble" = npt-aniso ] && extra=(--pressure 0)
  DOTNET_PROCESSOR_COUNT=1 poet md "$@" -s "$WORK/lgps-400.vasp" -e "$ensemble" -t 1000 "${extra[@]}" -n "$STEPS" --thermo 2500 \
    --seed "$seed" > "$WORK/$name.log" 2>&1 || true
}
model_args() {
  case $1 in
    bare) echo --potential "$WORK0/lgps/model.mtp" ;;
    cored) echo --model "$WORK/cored/model.json" ;;
    selected) echo --model "$WORK/selected/model.json" ;;
  esac
}
ENSEMBLES=${ENSEMBLES:-nvt npt-aniso}
jobs_list=()
for seed in $SEEDS; do for ensemble in $ENSEMBLES; do for model in $MODELS; do jobs_list+=("$model $ensemble $seed"); done; done; done
for ((k = 0; k < ${#jobs_list[@]}; k += 2)); do
  for job in "${jobs_list[@]:k:2}"; do
    read -r model ensemble seed <<< "$job"
    [ -f "$WORK/$model-$ensemble-$seed.log" ] && grep -qE "became unstable|^speed" "$WORK/$model-$ensemble-$seed.log" && continue
    # shellcheck disable=SC2046
    run "$model-$ensemble-$seed" "$ensemble" "$seed" $(model_args "$model") &
  done
  wait
done

echo
printf "%-8s %-10s %-6s %s\n" model ensemble seed "lasted (ps of $(python3 -c "print($STEPS * 2 / 1000)"))"
for seed in $SEEDS; do
  for ensemble in $ENSEMBLES; do
    for model in $MODELS; do
      log="$WORK/$model-$ensemble-$seed.log"
      if grep -q "became unstable" "$log"; then lasted=$(grep -o "unstable at step [0-9]* ([0-9.]* ps)" "$log" | grep -o "([0-9.]* ps)" | tr -d '()'); lasted="blew up at $lasted"
      elif grep -q "^speed" "$log"; then lasted="whole run"
      else lasted="? ($(tail -n 1 "$log"))"; fi
      printf "%-8s %-10s %-6s %s\n" "$model" "$ensemble" "$seed" "$lasted"
    done
  done
done
