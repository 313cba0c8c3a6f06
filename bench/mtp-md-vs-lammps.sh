#!/usr/bin/env bash
# MD speed of a level-16 copper moment tensor potential: poet md with the MTP on a 4,000-atom fcc Cu cell (10×10×10
# cubes at 3.615 Å), NVE from 1600 K, time step 5 fs, 1 Å skin, on one core and on two, beside LAMMPS (/usr/bin/lmp)
# with pair_style eam/alloy and Cu_mishin1.eam.alloy on the same cell (LAMMPS's bench/in.eam set-up, one core).
# Prints µs per atom-step and the ratio poet-MTP / LAMMPS-EAM (target on one core: ≤ 20; LAMMPS's quadratic SNAP for
# copper costs about 70× EAM). poet's figure is its steady state: (t(steps) − t(steps/4)) / (¾ steps), which leaves
# out start-up and the JIT's warm-up.
# The MTP: MTP=FILE.mtp (species 0 = Cu), else one trained here for a few iterations on the mlearn copper set (the
# cost per step does not depend on how well it is trained, only on its level, cutoff and the neighbours).
# Usage: bash bench/mtp-md-vs-lammps.sh [steps]    (default 400); SHARED=… the shared folder (default /work/shared).
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-400}
shared=${SHARED:-/work/shared}
command -v lmp >/dev/null || { echo "lmp not found: apt-get install -y lammps" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build -c Release src/PoetSharp.Cli -o "$work/poet" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
poet() { dotnet "$work/poet/poet.dll" "$@"; }
mtp=${MTP:-}
if [ -z "$mtp" ]; then
  poet fit-mtp -d "$shared/data/mlearn/Cu_train.xyz" --level 16 --cutoff 5 --iterations 3 -o "$work/mtp" > "$work/fit.log"
  mtp="$work/mtp/model.mtp"
fi
atoms=4000
quarter=$((steps / 4))
seconds() { # cpus, steps
  taskset -c "$1" dotnet "$work/poet/poet.dll" --type-map Cu md --potential "$mtp" --build fcc:Cu:3.615:10x10x10 --temperature 1600 \
    --timestep 5 --steps "$2" --thermo 0 --json | python3 -c "import json,sys; r=json.load(sys.stdin); print(r['seconds_per_step']*$2)"
}
ours() { # cpus → µs/atom-step in the steady state
  local long short
  long=$(seconds "$1" "$steps"); short=$(seconds "$1" "$quarter")
  python3 -c "print(f'{($long - $short) * 1e6 / ($atoms * ($steps - $quarter)):.3f}')"
}
sed -e "s|^region.*|region          box block 0 10 0 10 0 10|" -e "s|^pair_style.*|pair_style      eam/alloy|" \
    -e "s|^pair_coeff.*|pair_coeff      * * /usr/share/lammps/potentials/Cu_mishin1.eam.alloy Cu|" bench/lammps/in.eam > "$work/in.run"
OMP_NUM_THREADS=1 taskset -c 0 lmp -in "$work/in.run" -var steps "$steps" -log "$work/log.lammps" -screen none
eam=$(awk -v n=$atoms -v s="$steps" '/^Loop time of/ {printf "%.4f\n", $4 * 1e6 / (n * s)}' "$work/log.lammps")
one=$(ours 0)
echo "LAMMPS eam/alloy Cu_mishin1, 1 core:  $eam µs/atom-step"
echo "poet md level-16 MTP, 1 core:         $one µs/atom-step  ($(python3 -c "print(f'{$one / $eam:.1f}')")× LAMMPS EAM)"
if [ "$(nproc)" -gt 1 ]; then
  two=$(ours 0-1)
  echo "poet md level-16 MTP, 2 cores:        $two µs/atom-step  ($(python3 -c "print(f'{$two / $eam:.1f}')")× LAMMPS EAM on 1 core; speed-up $(python3 -c "print(f'{$one / $two:.2f}')")×)"
fi
