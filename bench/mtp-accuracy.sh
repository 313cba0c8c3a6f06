#!/usr/bin/env bash
# Accuracy of moment tensor potentials trained by `poet fit-mtp`, errors on held-back structures (issue 14):
#   cu       ../shared/data/mlearn/Cu_train.xyz, a random tenth held back (--split 0.1 --seed 1);
#   nbmotaw  ../shared/data/alloys/NbMoTaW, every 10th structure of each of the 18 files held back (the split of
#            bench/alloy-search.sh, so the closed-form search's figures on the same test set compare directly);
#   lgps     ../shared/data/lgps (DeePMD systems of Li10GeP2S12): every 10th frame of each system for training,
#            the frames halfway between them (index ≡ 5 mod 10) for testing (the full set, 403,000 atoms, is more than a
#            benchmark on two cores needs).
# Usage: bash bench/mtp-accuracy.sh SET [LEVEL=16] [ITERATIONS=200] [WORK=/tmp/mtp-accuracy]
# Prints fit-mtp's tables (training, validation / held-back errors: energy meV/atom, forces eV/Å, stress GPa) and
# leaves the run folder in WORK/SET.
set -euo pipefail
SET=${1:?usage: mtp-accuracy.sh cu|nbmotaw|lgps [LEVEL] [ITERATIONS] [WORK]}
LEVEL=${2:-16}
ITERATIONS=${3:-200}
WORK=${4:-/tmp/mtp-accuracy}
HERE=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${POET_SHARED_DATA:-$HERE/../shared/data}
mkdir -p "$WORK"
dotnet build -c Release "$HERE/src/PoetSharp.Cli" -o "$WORK/poet" > "$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
poet() { dotnet "$WORK/poet/poet.dll" "$@"; }
case "$SET" in
  cu)
    poet fit-mtp -d "$SHARED/mlearn/Cu_train.xyz" --split 0.1 --seed 1 --level "$LEVEL" --cutoff 5 --iterations "$ITERATIONS" -o "$WORK/cu" ;;
  nbmotaw)
    rm -rf "$WORK/nbmotaw-data"; mkdir -p "$WORK/nbmotaw-data/train" "$WORK/nbmotaw-data/test"
    /usr/bin/python3 - "$SHARED/alloys/NbMoTaW" "$WORK/nbmotaw-data" <<'PY'
import json, os, sys
data, work = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(data)):
    if not name.endswith('.json'): continue
    records = json.load(open(os.path.join(data, name)))
    json.dump([r for k, r in enumerate(records) if k % 10 != 9], open(os.path.join(work, 'train', name), 'w'))
    json.dump(records[9::10], open(os.path.join(work, 'test', name), 'w'))
PY
    args=(); for f in "$WORK"/nbmotaw-data/train/*.json; do args+=(-d "$f"); done
    val=(); for f in "$WORK"/nbmotaw-data/test/*.json; do val+=(--validation "$f"); done
    poet --type-map Nb,Mo,Ta,W fit-mtp "${args[@]}" "${val[@]}" --level "$LEVEL" --cutoff 5 --iterations "$ITERATIONS" -o "$WORK/nbmotaw" ;;
  lgps)
    rm -rf "$WORK/lgps-data"; mkdir -p "$WORK/lgps-data"
    /usr/bin/python3 - "$SHARED/lgps" "$WORK/lgps-data" <<'PY'
# DeePMD npy systems → extended XYZ (energy eV, forces eV/Å, virial eV → stress = −virial/V, tensile positive).
import glob, os, sys
import numpy as np
src, out = sys.argv[1], sys.argv[2]
def frames(system):
    types = np.loadtxt(os.path.join(system, 'type.raw'), dtype=int, ndmin=1)
    names = open(os.path.join(system, 'type_map.raw')).read().split() if os.path.exists(os.path.join(system, 'type_map.raw')) else ['Li', 'Ge', 'P', 'S']
    for s in sorted(glob.glob(os.path.join(system, 'set.*'))):
        box = np.load(os.path.join(s, 'box.npy')).reshape(-1, 3, 3)
        coord = np.load(os.path.join(s, 'coord.npy')).reshape(len(box), -1, 3)
        energy = np.load(os.path.join(s, 'energy.npy')).reshape(-1)
        force = np.load(os.path.join(s, 'force.npy')).reshape(len(box), -1, 3)
        virial = np.load(os.path.join(s, 'virial.npy')).reshape(-1, 3, 3) if os.path.exists(os.path.join(s, 'virial.npy')) else None
        for k in range(len(box)):
            yield box[k], coord[k], energy[k], force[k], None if virial is None else virial[k], [names[t] for t in types]
def write(f, box, coord, energy, force, virial, species, group):
    f.write(f"{len(species)}\n")
    lattice = " ".join(f"{x:.10f}" for x in box.reshape(-1))
    extra = ""
    if virial is not None:
        stress = -virial / abs(np.linalg.det(box))
        extra = ' stress="' + " ".join(f"{x:.12g}" for x in stress.reshape(-1)) + '"'
    f.write(f'Lattice="{lattice}" Properties=species:S:1:pos:R:3:forces:R:3 energy={energy:.10f}{extra} pbc="T T T" config_type={group}\n')
    for s, r, g in zip(species, coord, force):
        f.write(f"{s} {r[0]:.10f} {r[1]:.10f} {r[2]:.10f} {g[0]:.10f} {g[1]:.10f} {g[2]:.10f}\n")
# The frames in neither split go to pool.xyz, for `poet select` (bench/lgps-stability.sh).
with open(os.path.join(out, 'train.xyz'), 'w') as train, open(os.path.join(out, 'test.xyz'), 'w') as test, open(os.path.join(out, 'pool.xyz'), 'w') as pool:
    for system in sorted(glob.glob(os.path.join(src, '*'))):
        if not os.path.isdir(system): continue
        group = os.path.basename(system)
        for k, frame in enumerate(frames(system)):
            if k % 10 == 0: write(train, *frame, group)
            elif k % 10 == 5: write(test, *frame, group)
            else: write(pool, *frame, group)
PY
    poet --type-map Li,Ge,P,S fit-mtp -d "$WORK/lgps-data/train.xyz" --validation "$WORK/lgps-data/test.xyz" --level "$LEVEL" --cutoff 5 --iterations "$ITERATIONS" -o "$WORK/lgps" ;;
  *) echo "unknown set $SET (cu, nbmotaw, lgps)" >&2; exit 1 ;;
esac
