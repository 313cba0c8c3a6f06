#!/usr/bin/env bash
# Learning a barrier on the fly (issues 15 and 16): a level-16 MTP trained on ten 300 K frames of fcc copper MD (no
# vacancy, no saddle) falls into a hole on the band of a vacancy hop; `poet learn --neb` with the Mishin EAM as oracle
# labels the band's images that leave the data until the whole band is inside it. The learned barrier is compared with
# the oracle's own NEB barrier (PoetSharp's EAM; its NEB agrees with LAMMPS's, tests/…/VacancyHopBarrierTests) and
# with the starting MTP's.
#
# Usage: bench/lotf-barrier.sh [WORK=/tmp/lotf-barrier] [LEVEL=16] [ORACLE=potential|lammps]
# Needs /usr/bin/python3 with ASE and LAMMPS's Cu_mishin1.eam.alloy (Debian's lammps package).
set -euo pipefail
WORK=${1:-/tmp/lotf-barrier}
LEVEL=${2:-16}
ORACLE_KIND=${3:-potential}
HERE=$(cd "$(dirname "$0")/.." && pwd)
EAM=${EAM:-/usr/share/lammps/potentials/Cu_mishin1.eam.alloy}
mkdir -p "$WORK"
dotnet publish -c Release -o "$WORK/poet" "$HERE/src/PoetSharp.Cli" > "$WORK/build.log" 2>&1
poet() { "$WORK/poet/poet" --type-map Cu "$@"; }
# Ten frames of 32-atom fcc Langevin MD at 300 K with the EAM (ASE's own EAM calculator: code we did not write), and
# the perfect 3×3×3 crystal (108 atoms).
/usr/bin/python3 - "$WORK" "$EAM" <<'PY'
import sys, numpy as np
from ase.build import bulk
from ase.io import write
work, eam = sys.argv[1], sys.argv[2]
write(f'{work}/cu108.vasp', bulk('Cu', 'fcc', a=3.615, cubic=True).repeat(3), format='vasp', direct=True)
from ase.calculators.eam import EAM
from ase.calculators.singlepoint import SinglePointCalculator
from ase.md.langevin import Langevin
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution
from ase import units
atoms = bulk('Cu', 'fcc', a=3.615, cubic=True).repeat(2)
atoms.calc = EAM(potential=eam)
rng = np.random.default_rng(1)
MaxwellBoltzmannDistribution(atoms, temperature_K=300, rng=rng)
md = Langevin(atoms, 2 * units.fs, temperature_K=300, friction=0.02, rng=rng)
frames = []
for k in range(10):
    md.run(50)
    a = atoms.copy(); a.calc = None
    a.calc = SinglePointCalculator(a, energy=atoms.get_potential_energy(), forces=atoms.get_forces())  # ASE's EAM has no stress
    frames.append(a)
write(f'{work}/fcc300.xyz', frames)
PY
poet fit-mtp --level "$LEVEL" -d "$WORK/fcc300.xyz" --iterations 300 -o "$WORK/mtp0" > "$WORK/mtp0.log"
case "$ORACLE_KIND" in potential) ORACLE="potential:$EAM" ;; lammps) ORACLE="lammps:$EAM" ;; *) echo "ORACLE must be potential or lammps" >&2; exit 2 ;; esac
barrier() { poet barrier "$@" --structure "$WORK/cu108.vasp" --hop 2,1 --images 7 --fmax 0.01 | grep -E "^(converged|forward|backward)"; }
echo "== the oracle's own barrier (PoetSharp EAM)"; barrier --potential "$EAM"
echo "== the starting MTP, graded against its 10 frames"; barrier --potential "$WORK/mtp0/model.mtp" --grade-data "$WORK/fcc300.xyz" || true
rm -rf "$WORK/learn"
start=$SECONDS
poet learn --start "$WORK/mtp0/model.mtp" --data "$WORK/fcc300.xyz" --oracle "$ORACLE" --neb "$WORK/cu108.vasp:2,1" --grade-by neighbourhood \
  --train-iterations 100 --iterations 15 -o "$WORK/learn" | grep -E "^(iteration|  band|converged|learning)" || true
echo "learning: $((SECONDS - start)) s wall"
echo "== the learned MTP"; barrier --potential "$WORK/learn/model.mtp" --grade-data "$WORK/learn/training.xyz"
cat "$WORK/learn/barriers.csv"
