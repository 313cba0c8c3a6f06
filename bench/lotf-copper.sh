#!/usr/bin/env bash
# Learning on the fly against random sampling (issue 15): copper, the Mishin EAM (Cu_mishin1.eam.alloy) as oracle.
#   1. Reference data by LAMMPS (bench/lotf-copper.py), not PoetSharp: five starting structures (fcc, bcc, hcp, fcc with
#      a vacancy, sheared fcc); an independent test set of Nose-Hoover MD at 1200 K (frames every 100 steps); and the
#      pool of the random baseline, MD from the same starts at 300, 900 and 1500 K (frames every 20 steps).
#   2. `poet learn` from the five starts at 300, 900 and 1500 K (NVT, 2 fs steps), a level-LEVEL MTP, the oracle through
#      PoetSharp's EAM; then through LAMMPS (`--oracle lammps:…`), the same loop with lmp as the oracle.
#   3. The learned training set refitted from the learned model (fit-mtp --start, 300 iterations), as the baselines are.
#   4. Random baselines: N and 3N frames of the pool (N = the loop's oracle calls), three seeds each, fit-mtp from
#      scratch (300 iterations); errors on the same test set.
# Usage: bash bench/lotf-copper.sh [WORK=/tmp/lotf-bench] [LEVEL=10] [STEPS=2000] [GRADE=configuration|neighbourhood]
#        [RULE=covering|entering]   (the loop's --batch-rule)
set -euo pipefail
WORK=${1:-/tmp/lotf-bench}
LEVEL=${2:-10}
STEPS=${3:-2000}
GRADE=${4:-configuration}
RULE=${5:-covering}
export PYTHONWARNINGS=ignore
HERE=$(cd "$(dirname "$0")/.." && pwd)
EAM=/usr/share/lammps/potentials/Cu_mishin1.eam.alloy
mkdir -p "$WORK"
dotnet build -c Release "$HERE/src/PoetSharp.Cli" -o "$WORK/poet" > "$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
poet() { dotnet "$WORK/poet/poet.dll" "$@"; }
py() { /usr/bin/python3 "$HERE/bench/lotf-copper.py" "$@"; }
json() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

py starts "$WORK"
[ -f "$WORK/test.xyz" ] || py md "$WORK" 1200 5000 100 11 test
for T in 300 900 1500; do [ -f "$WORK/pool-$T.xyz" ] || py md "$WORK" "$T" "$STEPS" 20 23 "pool-$T"; done
cat "$WORK"/pool-300.xyz "$WORK"/pool-900.xyz "$WORK"/pool-1500.xyz > "$WORK/pool.xyz"

learn() {
  local oracle=$1 out=$2
  rm -rf "$out"
  local start=$SECONDS
  poet learn --structures "$WORK/starts.xyz" --oracle "$oracle" --level "$LEVEL" -T 300,900,1500 --steps "$STEPS" --time-step 2 \
    --grade-by "$GRADE" --batch-rule "$RULE" --validation "$WORK/test.xyz" --iterations 40 --train-iterations 100 --seed 1 -o "$out" | grep -v "^iteration" || true
  echo "$out: $((SECONDS - start)) s wall"
}
learn "potential:$EAM" "$WORK/learn"
N=$(json "$WORK/learn/state.json" "sum(i['oracleCalls'] for i in d['iterations'])")
echo "learning on the fly: $N oracle calls"
learn "lammps:$EAM" "$WORK/learn-lmp"

poet --type-map Cu fit-mtp --start "$WORK/learn/model.mtp" -d "$WORK/learn/training.xyz" --validation "$WORK/test.xyz" --iterations 300 -o "$WORK/learn-refit" > "$WORK/learn-refit.log"
for mult in 1 3; do
  for seed in 1 2 3; do
    name="random-$((mult * N))-$seed"
    py sample "$WORK" pool $((mult * N)) "$seed" "$name"
    poet fit-mtp -d "$WORK/$name.xyz" --validation "$WORK/test.xyz" --level "$LEVEL" --cutoff 5 --iterations 300 --seed "$seed" -o "$WORK/$name" > "$WORK/$name.log"
  done
done

echo
echo "errors on the independent 1200 K test set (LAMMPS EAM MD, $(grep -c Lattice "$WORK/test.xyz") frames)"
printf "%-28s %8s %14s %12s\n" model "calls" "E (meV/atom)" "F (eV/A)"
row() { printf "%-28s %8s %14.3f %12.4f\n" "$1" "$2" "$3" "$4"; }
last() { json "$1/state.json" "[i for i in d['iterations'] if not i['converged']][-1]['$2']"; }
row "learn (PoetSharp EAM)" "$N" "$(last "$WORK/learn" validationEnergyRmseMeVPerAtom)" "$(last "$WORK/learn" validationForceRmse)"
row "learn (lmp)" "$(json "$WORK/learn-lmp/state.json" "sum(i['oracleCalls'] for i in d['iterations'])")" "$(last "$WORK/learn-lmp" validationEnergyRmseMeVPerAtom)" "$(last "$WORK/learn-lmp" validationForceRmse)"
row "learn + refit 300 it." "$N" "$(json "$WORK/learn-refit/fit.json" "d['validationErrors'][0]['energyRmseMeVPerAtom']")" "$(json "$WORK/learn-refit/fit.json" "d['validationErrors'][0]['forceRmse']")"
for mult in 1 3; do
  for seed in 1 2 3; do
    name="random-$((mult * N))-$seed"
    row "random, seed $seed" "$((mult * N))" "$(json "$WORK/$name/fit.json" "d['validationErrors'][0]['energyRmseMeVPerAtom']")" "$(json "$WORK/$name/fit.json" "d['validationErrors'][0]['forceRmse']")"
  done
done
