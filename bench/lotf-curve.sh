#!/usr/bin/env bash
# Learning curves of bench/lotf-copper.sh's run: validation errors (independent 1200 K LAMMPS EAM MD) of the learning
# loop after each iteration against its cumulative oracle calls, beside MTPs of the same level trained on SIZES frames
# drawn at random from the LAMMPS EAM MD pool (three seeds each, fit-mtp 300 iterations).
# Usage: bash bench/lotf-curve.sh WORK [LEVEL=10] ["SIZES"="10 20 40"]   (after bench/lotf-copper.sh WORK …)
set -euo pipefail
WORK=${1:?usage: lotf-curve.sh WORK [LEVEL] [SIZES]}
LEVEL=${2:-10}
SIZES=${3:-10 20 40}
HERE=$(cd "$(dirname "$0")/.." && pwd)
export PYTHONWARNINGS=ignore
poet() { dotnet "$WORK/poet/poet.dll" "$@"; }
json() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
for n in $SIZES; do
  for seed in 1 2 3; do
    name="random-$n-$seed"
    [ -f "$WORK/$name/fit.json" ] && continue
    /usr/bin/python3 "$HERE/bench/lotf-copper.py" sample "$WORK" pool "$n" "$seed" "$name"
    poet fit-mtp -d "$WORK/$name.xyz" --validation "$WORK/test.xyz" --level "$LEVEL" --cutoff 5 --iterations 300 --seed "$seed" -o "$WORK/$name" > "$WORK/$name.log"
  done
done
echo "learning on the fly ($WORK/learn): validation errors after each iteration"
/usr/bin/python3 - "$WORK/learn/state.json" <<'PY'
import json, sys
calls = 0
print(f"{'iteration':>9} {'calls':>6} {'E (meV/atom)':>13} {'F (eV/A)':>9}")
for r in json.load(open(sys.argv[1]))['iterations']:
    if r['converged']: continue
    calls += r['oracleCalls']
    print(f"{r['iteration']:>9} {calls:>6} {r['validationEnergyRmseMeVPerAtom']:>13.3f} {r['validationForceRmse']:>9.4f}")
PY
echo "random sampling of the EAM MD pool (mean and range over three seeds)"
printf "%6s %24s %24s\n" calls "E (meV/atom)" "F (eV/A)"
for n in $(for f in "$WORK"/random-*-1/fit.json; do basename "$(dirname "$f")" | cut -d- -f2; done | sort -n); do
  /usr/bin/python3 - "$WORK" "$n" <<'PY'
import json, sys
work, n = sys.argv[1], sys.argv[2]
e, f = [], []
for seed in (1, 2, 3):
    v = json.load(open(f"{work}/random-{n}-{seed}/fit.json"))['validationErrors'][0]
    e.append(v['energyRmseMeVPerAtom']); f.append(v['forceRmse'])
print(f"{n:>6} {sum(e)/3:>10.3f} ({min(e):.3f}-{max(e):.3f}) {sum(f)/3:>10.4f} ({min(f):.4f}-{max(f):.4f})")
PY
done
