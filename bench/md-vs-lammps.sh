#!/usr/bin/env bash
# Molecular-dynamics speed: 32,000-atom fcc Cu, 100 NVE steps from 1600 K (LAMMPS's bench/in.eam set-up), on one core
# and on every core, in µs per atom-step:
#   (a) poet md with Cu_u3.eam     (b) poet md with GP1 as an expression model (tabulated fast path)
#   (c) lmp with Cu_u3.eam (pair_style eam)
#   (d) lmp with GP1 exported as setfl, (e) lmp with GP1 as a KIM portable model: when `poet export` is available.
# Usage: bash bench/md-vs-lammps.sh [steps]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-100}
pot=/usr/share/lammps/potentials/Cu_u3.eam
gp1='sum(r^(10.21-5.47*r) - 0.21^r) + 0.97*sum(0.33^r)^-1'
command -v lmp >/dev/null || { echo "lmp not found: apt-get install -y lammps" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build -c Release src/PoetSharp.Cli -o "$work/poet" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
poet() { dotnet "$work/poet/poet.dll" "$@"; }
atoms=32000
cores=$(nproc)

ours() { # cpus, then poet md arguments
  local cpus=$1; shift
  taskset -c "$cpus" dotnet "$work/poet/poet.dll" md "$@" --build fcc:Cu:3.615:20x20x20 --temperature 1600 --timestep 5 \
    --steps "$steps" --thermo 0 --json | python3 -c "import json,sys; print(f'{json.load(sys.stdin)[\"seconds_per_step\"]*1e6/$atoms:.3f}')"
}
lammps() { # cpus, pair_style line, pair_coeff line
  local cpus=$1
  sed -e "s|^pair_style.*|$2|" -e "s|^pair_coeff.*|$3|" bench/lammps/in.eam > "$work/in.run"
  OMP_NUM_THREADS=1 taskset -c "$cpus" lmp -in "$work/in.run" -var potfile "$pot" -var steps "$steps" -log "$work/log.lammps" -screen none
  awk -v n=$atoms -v s="$steps" '/^Loop time of/ {printf "%.3f\n", $4 * 1e6 / (n * s)}' "$work/log.lammps"
}

have_export=no
if poet --help | grep -qE "^  export( |$)"; then
  have_export=yes
  poet export --model "$gp1" --format setfl --element Cu --out "$work/setfl" > /dev/null
  setfl=$(ls "$work"/setfl/*.eam.alloy | head -n1)
  kim_name=$(poet export --model "$gp1" --format kim --install --element Cu --out "$work/kim" | awk '/^installed/ {print $2; exit}')
fi

for cpus in 0 "0-$((cores - 1))"; do
  echo "== CPUs $cpus ($steps steps, $atoms atoms), µs/atom-step"
  echo "(a) poet md, Cu_u3.eam:        $(ours "$cpus" --potential "$pot")"
  echo "(b) poet md, GP1 model:        $(ours "$cpus" --model "$gp1")"
  echo "(c) lmp, Cu_u3.eam:            $(lammps "$cpus" 'pair_style eam' 'pair_coeff 1 1 ${potfile}')"
  if [ $have_export = yes ]; then
    echo "(d) lmp, GP1 setfl:            $(lammps "$cpus" 'pair_style eam/alloy' "pair_coeff * * $setfl Cu")"
    OMP_NUM_THREADS=1 taskset -c "$cpus" lmp -in bench/lammps/in.kim -var kimmodel "$kim_name" -var steps "$steps" -log "$work/log.kim" -screen none
    echo "(e) lmp, GP1 KIM model:        $(awk -v n=$atoms -v s="$steps" '/^Loop time of/ {printf "%.3f\n", $4 * 1e6 / (n * s)}' "$work/log.kim")"
  fi
  [ "$cores" -gt 1 ] || break
done
