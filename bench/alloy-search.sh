#!/usr/bin/env bash
# The NbMoTaW benchmark of issue 13: poet fit on the elemental and binary solid-solution sets of
# ../shared/data/alloys/NbMoTaW (DFT, maml/SNAP JSON, with stresses), every 10th structure of each file held back, then
# energy and force errors per group on the held-back tenth for the recommended front model and for a baseline: the
# Finnis-Sinclair / Rafii-Tabar-Sutton alloy form (per element A: sum over neighbour elements B of c_AB r^-n_AB, minus
# the square root of sum_B d_AB r^-m_AB, every coefficient and exponent free) refitted by `poet refit` (Levenberg-
# Marquardt, 300 evaluations) on every 8th training structure.
#
# Usage: bench/alloy-search.sh [TIME=30m] [THREADS=2] [SEED=1] [WORK=/tmp/alloy-search]
#        FIT_ARGS="--constant-evaluations 90 --symmetric-pairs" … passes further options to poet fit (dimer-repulsion
#        rows are on by default for these data; FIT_ARGS="--repulsion-weight 0" turns them off);
#        BASELINE=DIR/baseline reuses an earlier run's refitted baseline (the refit is deterministic).
# Prints one table (meV/atom, eV/Å) and leaves the run folders in WORK.
set -euo pipefail
TIME=${1:-30m}
THREADS=${2:-2}
SEED=${3:-1}
WORK=${4:-/tmp/alloy-search}
HERE=$(cd "$(dirname "$0")/.." && pwd)
DATA=${POET_SHARED_DATA:-$HERE/../shared/data}/alloys/NbMoTaW
POET="dotnet run -c Release --project $HERE/src/PoetSharp.Cli --"
[ -d "$DATA" ] || { echo "no $DATA" >&2; exit 1; }
rm -rf "$WORK"; mkdir -p "$WORK/train" "$WORK/test" "$WORK/baseline-train"

# Hold back every 10th structure of each file (deterministic).
python3 - "$DATA" "$WORK" <<'PY'
import json, os, sys
data, work = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(data)):
    if not name.endswith('.json'): continue
    records = json.load(open(os.path.join(data, name)))
    test = records[9::10]
    train = [r for k, r in enumerate(records) if k % 10 != 9]
    json.dump(train, open(os.path.join(work, 'train', name), 'w'))
    # The baseline's constants are fitted on every 8th training structure (LM with all 68 constants on every force
    # of all 4,760 would take hours; the search fits its candidates on 16).
    json.dump(train[::8], open(os.path.join(work, 'baseline-train', name), 'w'))
    json.dump(test, open(os.path.join(work, 'test', name), 'w'))
    print(f'{name}: {len(train)} training, {len(test)} held back', file=sys.stderr)
PY

train_args=(); test_args=(); baseline_args=()
for f in "$WORK"/train/*.json; do train_args+=(--data "$f"); done
for f in "$WORK"/baseline-train/*.json; do baseline_args+=(--data "$f"); done
for f in "$WORK"/test/*.json; do test_args+=(--data "$f"); done

echo "searching for $TIME on $THREADS threads (seed $SEED)" >&2
read -r -a fit_args <<< "${FIT_ARGS:-}"
$POET fit "${train_args[@]}" --time "$TIME" --threads "$THREADS" --seed "$SEED" --out "$WORK/run" --no-properties "${fit_args[@]}" > "$WORK/fit.log" 2>&1

# Baseline: one Rafii-Tabar-Sutton-like expression per element, constants and exponents free.
ELEMENTS=(Nb Mo Ta W)
terms=()
for a in "${ELEMENTS[@]}"; do
  pair=""; density=""
  for b in "${ELEMENTS[@]}"; do
    pair+="${pair:+ + }sum[$b](1000*r^-9)"
    density+="${density:+ + }sum[$b](1000*r^-6)"
  done
  terms+=("at[$a]($pair - ($density)^0.5)")
done
baseline=$(IFS=+; echo "${terms[*]}" | sed 's/)+at\[/) + at[/g')
if [ -n "${BASELINE:-}" ]; then
  # The refit is deterministic: an earlier run's baseline folder (BASELINE=DIR/baseline) saves its 4 minutes.
  mkdir -p "$WORK/baseline" && cp "$BASELINE/model.json" "$WORK/baseline/model.json"
else
  $POET refit --model "$baseline" "${baseline_args[@]}" --max-evaluations 300 --out "$WORK/baseline" > "$WORK/baseline.log" 2>&1 || echo "baseline refit failed: see $WORK/baseline.log" >&2
fi

$POET eval --model "$WORK/run" "${test_args[@]}" --json > "$WORK/eval-search.json"
[ -f "$WORK/baseline/model.json" ] && $POET eval --model "$WORK/baseline/model.json" "${test_args[@]}" --json > "$WORK/eval-baseline.json"

python3 - "$WORK" <<'PY'
import json, os, sys
work = sys.argv[1]
def load(name):
    p = os.path.join(work, name)
    return json.load(open(p)) if os.path.exists(p) else None
search, base = load('eval-search.json'), load('eval-baseline.json')
def rows(e):
    out = {}
    for g in [e['overall']] + e['perGroup']:
        en, fo = g.get('energy'), g.get('forces')
        out[g['name']] = (g['structures'], en['rmse'] if en else float('nan'), fo['rmse'] if fo else float('nan'))
    return out
s = rows(search); b = rows(base) if base else {}
print(f"held-back tenth: recommended model of {search['potential']} vs baseline (RTS-like form, refitted)")
print(f"{'group':<14} {'n':>4} {'E search':>10} {'F search':>9} {'E base':>10} {'F base':>9}")
for g, (n, e, f) in s.items():
    eb, fb = b.get(g, (0, float('nan'), float('nan')))[1:]
    print(f"{g:<14} {n:>4} {e:>10.2f} {f:>9.3f} {eb:>10.2f} {fb:>9.3f}")
print("E: energy RMSE in meV/atom (one reference energy per element, fitted on the held-back set); F: force RMSE in eV/Å")
PY
