#!/usr/bin/env bash
# The benchmark of issue 19: a radial-only search beside a search with angular densities (--angular), on silicon
# (../shared/data/mlearn/Si_train.json) and molybdenum (Mo_AIMD, Mo_Elastic, Mo_Surface of
# ../shared/data/alloys/NbMoTaW), every 10th structure of each file held back; energy and force errors of each run's
# recommended model on the held-back tenth (poet eval), and the MD cost of the recommended models beside an
# embedded-atom model of the same cutoff (Sutton-Chen form, tabulated like EAM) in `poet md` on the same cell.
#
# Usage: bench/angular-search.sh [TIME=30m] [THREADS=2] [SEED=1] [WORK=/tmp/angular-search] [CONCURRENT=1]
# CONCURRENT=1 runs the four searches one after the other; 2 runs each element's pair at once (radial and angular then
# share the machine alike: say so when quoting the numbers). STAGES (default "search eval md") picks the stages, e.g.
# STAGES="eval md" to evaluate finished runs again. Prints one table and leaves the run folders in WORK.
set -euo pipefail
TIME=${1:-30m}
THREADS=${2:-2}
SEED=${3:-1}
WORK=${4:-/tmp/angular-search}
CONCURRENT=${5:-1}
STAGES=${STAGES:-search eval md}
has() { [[ " $STAGES " == *" $1 "* ]]; }
HERE=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${POET_SHARED_DATA:-$HERE/../shared/data}
[ -f "$SHARED/mlearn/Si_train.json" ] || { echo "no $SHARED/mlearn/Si_train.json" >&2; exit 1; }
mkdir -p "$WORK"
# One Release build, used by every step (four `dotnet run` at once would race on the build).
dotnet publish -c Release -o "$WORK/poet" "$HERE/src/PoetSharp.Cli" > "$WORK/build.log" 2>&1
POET="$WORK/poet/poet"

has search && python3 - "$SHARED" "$WORK" <<'PY'
import json, os, sys
shared, work = sys.argv[1], sys.argv[2]
sets = {'Si': [os.path.join(shared, 'mlearn', 'Si_train.json')],
        'Mo': [os.path.join(shared, 'alloys', 'NbMoTaW', f'Mo_{g}.json') for g in ('AIMD', 'Elastic', 'Surface')]}
for element, files in sets.items():
    for kind in ('train', 'test'):
        os.makedirs(os.path.join(work, element, kind), exist_ok=True)
    for path in files:
        records = json.load(open(path))
        name = os.path.basename(path)
        json.dump([r for k, r in enumerate(records) if k % 10 != 9], open(os.path.join(work, element, 'train', name), 'w'))
        json.dump(records[9::10], open(os.path.join(work, element, 'test', name), 'w'))
        print(f'{element} {name}: {len(records) - len(records[9::10])} training, {len(records[9::10])} held back', file=sys.stderr)
PY

run() { # ELEMENT KIND [extra args]
  local element=$1 kind=$2; shift 2
  local args=()
  for f in "$WORK/$element"/train/*.json; do args+=(--data "$f"); done
  rm -rf "$WORK/$element/$kind"
  "$POET" fit "${args[@]}" --time "$TIME" --threads "$THREADS" --seed "$SEED" --no-properties --out "$WORK/$element/$kind" "$@" \
    > "$WORK/$element/$kind.log" 2>&1 || echo "$element $kind search failed: see $WORK/$element/$kind.log" >&2
}
if has search; then
echo "searching: Si and Mo, radial and angular, $TIME each on $THREADS threads, $CONCURRENT at a time (seed $SEED)" >&2
jobs_started=0
for spec in "Si radial" "Si angular --angular" "Mo radial" "Mo angular --angular"; do
  # shellcheck disable=SC2086
  run $spec &
  jobs_started=$((jobs_started + 1))
  if [ $((jobs_started % CONCURRENT)) -eq 0 ]; then wait; fi
done
wait
fi

has eval && for element in Si Mo; do
  test_args=()
  for f in "$WORK/$element"/test/*.json; do test_args+=(--data "$f"); done
  for kind in radial angular; do
    [ -d "$WORK/$element/$kind" ] && "$POET" eval --model "$WORK/$element/$kind" "${test_args[@]}" --json > "$WORK/$element/eval-$kind.json" \
      || echo "eval of $element $kind failed" >&2
  done
done

# MD cost: each recommended model and an EAM-form model of the same cutoff (5 Å): NVE in the same cell (216-atom
# diamond Si, 250-atom bcc Mo, written by ASE), 500 steps at 300 K, poet md's seconds per step over the atoms.
has md && /usr/bin/python3 - "$WORK" "$POET" <<'PY'
import json, os, subprocess, sys
from ase.build import bulk
from ase.io import write
work, poet = sys.argv[1], sys.argv[2]
cells = {'Si': bulk('Si', 'diamond', a=5.43, cubic=True).repeat(3), 'Mo': bulk('Mo', 'bcc', a=3.16, cubic=True).repeat(5)}
eam = 'sum(1000*r^-9) - sum(1000*r^-6)^0.5'  # the Finnis-Sinclair / Sutton-Chen shape: an EAM's cost at this cutoff
def md_cost(element, model):
    path = os.path.join(work, element, 'md-cell.vasp')
    write(path, cells[element], format='vasp', direct=True)
    out = subprocess.run([poet, 'md', '--model', model, '--structure', path, '--temperature', '300', '--steps', '500', '--json'],
                         capture_output=True, text=True)
    try:
        d = json.loads(out.stdout)
        return 1e6 * d['seconds_per_step'] / d['atoms']
    except Exception:
        print(f'md with {model} failed: {out.stderr[-400:]}', file=sys.stderr)
        return float('nan')
rows = []
for element in ('Si', 'Mo'):
    eam_cost = md_cost(element, eam)
    for kind in ('radial', 'angular'):
        path = os.path.join(work, element, f'eval-{kind}.json')
        if not os.path.exists(path): continue
        e = json.load(open(path))
        overall = e['overall']
        cost = md_cost(element, os.path.join(work, element, kind))
        rows.append((element, kind, overall['energy']['rmse'], overall['forces']['rmse'], cost, eam_cost))
print(f"{'set':<4} {'search':<8} {'E meV/atom':>11} {'F eV/Å':>8} {'MD µs/atom-step':>16} {'EAM µs':>7} {'ratio':>6}")
for element, kind, energy, force, cost, eam_cost in rows:
    print(f"{element:<4} {kind:<8} {energy:>11.2f} {force:>8.3f} {cost:>16.3f} {eam_cost:>7.3f} {cost / eam_cost:>6.2f}")
print("held-back tenth of each file; E: energy RMSE (one reference energy per element fitted on the held-back set), F: force RMSE; "
      "MD: poet md NVE, 500 steps, 1 process, seconds per step / atoms")
PY
