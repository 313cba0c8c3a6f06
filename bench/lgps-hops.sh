#!/usr/bin/env bash
# Li vacancy hops in the ordered Li10GeP2S12 cell (issue 16): the lowest-energy frame of the shared LGPS data's initial
# set (a DFT-relaxed P4_2mc cell, perturbed by about 0.02 Å) repeated 2×2×1 (200 atoms) and symmetrized; `poet hops`
# lists the symmetry-distinct Li hops up to 4 Å, and `poet barrier` runs each in both directions (one direction for
# symmetric ones) with the model given, every image graded against the model's training data.
#
# Usage: bench/lgps-hops.sh MODEL(.json|.mtp) TRAINING_DATA[,MORE…] [WORK=/tmp/lgps-hops] [JOBS=2]
# Prints one table (hop, sites, distance, direction, forward and backward barriers, converged, largest grade).
set -euo pipefail
MODEL=$1
IFS=, read -r -a TRAIN <<< "$2"
WORK=${3:-/tmp/lgps-hops}
JOBS=${4:-2}
HERE=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${POET_SHARED_DATA:-$HERE/../shared/data}
mkdir -p "$WORK"
dotnet publish -c Release -o "$WORK/poet" "$HERE/src/PoetSharp.Cli" > "$WORK/build.log" 2>&1
POET="$WORK/poet/poet"
# The lowest-energy frame of the initial set as POSCAR (numpy only; the DeePMD types are Li, Ge, P, S).
/usr/bin/python3 - "$SHARED/lgps/LiGePS-init.system" "$WORK/lgps-50.vasp" <<'PY'
import sys, numpy as np
d, out = sys.argv[1], sys.argv[2]
types = np.loadtxt(d + '/type.raw', dtype=int)
e = np.load(d + '/set.000/energy.npy'); i = int(np.argmin(e))
box = np.load(d + '/set.000/box.npy')[i].reshape(3, 3); pos = np.load(d + '/set.000/coord.npy')[i].reshape(-1, 3)
names = ['Li', 'Ge', 'P', 'S']
order = np.argsort(types, kind='stable')
with open(out, 'w') as f:
    f.write(f'LGPS frame {i} of LiGePS-init.system (E = {e[i]:.6f} eV)\n1.0\n')
    for v in box: f.write(' '.join(f'{x:.10f}' for x in v) + '\n')
    f.write(' '.join(names[t] for t in sorted(set(types))) + '\n')
    f.write(' '.join(str((types == t).sum()) for t in sorted(set(types))) + '\nCartesian\n')
    for k in order: f.write(' '.join(f'{x:.10f}' for x in pos[k]) + '\n')
PY
CRYSTAL=(--structure "$WORK/lgps-50.vasp" --repeat 2,2,1 --symmetrize --symprec 0.1)
GRADE=(); for t in "${TRAIN[@]}"; do GRADE+=(--grade-data "$t"); done
"$POET" hops "${CRYSTAL[@]}" --element Li --max-distance 4 | tee "$WORK/hops.txt"
"$POET" hops "${CRYSTAL[@]}" --element Li --max-distance 4 --json > "$WORK/hops.json"
# Every class: I into J's vacancy, and J into I's unless symmetric.
mapfile -t RUNS < <(python3 -c '
import json, sys
for h in json.load(open(sys.argv[1]))["hops"]:
    print("%d,%d" % (h["to"], h["from"]))
    if not h["symmetric"]: print("%d,%d" % (h["from"], h["to"]))' "$WORK/hops.json")
run() { "$POET" barrier --model "$MODEL" "${CRYSTAL[@]}" --hop "$1" "${GRADE[@]}" --out "$WORK/hop-${1/,/-}" > "$WORK/hop-${1/,/-}.log" 2>&1 || true; }
n=0
for h in "${RUNS[@]}"; do run "$h" & n=$((n + 1)); [ $((n % JOBS)) -eq 0 ] && wait; done
wait
python3 - "$WORK" "${RUNS[@]}" <<'PY'
import json, sys, os
work, runs = sys.argv[1], sys.argv[2:]
hops = {f"{h['to']},{h['from']}": h for h in json.load(open(os.path.join(work, 'hops.json')))['hops']}
hops.update({f"{h['from']},{h['to']}": h for h in hops.values()})
print('| --hop | sites | distance (Å) | vector (Å) | forward (eV) | backward (eV) | converged | largest γ |')
print('|---|---|---|---|---|---|---|---|')
for r in runs:
    h = hops[r]
    path = os.path.join(work, 'hop-' + r.replace(',', '-'), 'barrier.json')
    if not os.path.exists(path):
        print(f'| {r} | {h["from_site"]}↔{h["to_site"]} | {h["distance_A"]:.3f} | | failed: see hop-{r.replace(",", "-")}.log | | | |'); continue
    b = json.load(open(path))
    grades = [i['grade'] for i in b['images'] if i.get('grade') is not None]
    v = ' '.join(f'{x:.2f}' for x in h['vector_A'])
    print(f'| {r} | {h["from_site"]}↔{h["to_site"]}{" (symmetric)" if h["symmetric"] else ""} | {h["distance_A"]:.3f} | {v} | '
          f'{b["forward_barrier_eV"]:.3f} | {b["backward_barrier_eV"]:.3f} | {"yes" if b["converged"] else "no: " + b["reason"][:60]} | {max(grades):.3g} |')
PY
