#!/usr/bin/env bash
# Times energy+forces of 32,000-atom fcc Cu with Cu_u3.eam in LAMMPS (/usr/bin/lmp, its bench/in.eam set-up) and in
# PoetSharp (BenchmarkDotNet, bench/PoetSharp.Bench EamBenchmarks), both pinned to one core, and prints µs per atom-step
# and the ratio. Usage: bash bench/eam-vs-lammps.sh [steps]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-100}
pot=/usr/share/lammps/potentials/Cu_u3.eam
command -v lmp >/dev/null || { echo "lmp not found: apt-get install -y lammps" >&2; exit 1; }
[ -f "$pot" ] || { echo "missing $pot" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== LAMMPS: $steps steps of 32,000 atoms on one core"
OMP_NUM_THREADS=1 taskset -c 0 lmp -in bench/lammps/in.eam -var potfile "$pot" -var steps "$steps" -log "$work/log.lammps" -screen none
loop=$(awk '/^Loop time of/ {print $4}' "$work/log.lammps")
pair=$(awk '$1=="Pair" && $2=="|" {print $5}' "$work/log.lammps")
neigh=$(awk '$1=="Neigh" && $2=="|" {print $5}' "$work/log.lammps")

echo "== PoetSharp: BenchmarkDotNet (EamBenchmarks) on one core"
dotnet run -c Release --project bench/PoetSharp.Bench -- --filter '*EamBenchmarks*' --affinity 1 \
  --exporters json --artifacts "$work/bdn" > "$work/bdn.log" 2>&1 || { cat "$work/bdn.log"; exit 1; }
report=$(ls "$work"/bdn/results/*EamBenchmarks*-report-full*.json | head -n1)

python3 - "$report" "$loop" "$pair" "$neigh" "$steps" <<'PY'
import json, sys
report, loop, pair, neigh, steps = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
atoms = 32000
data = json.load(open(report))
ns = {b["Method"]: b["Statistics"]["Mean"] for b in data["Benchmarks"]}
alloc = {b["Method"]: b.get("Memory", {}).get("BytesAllocatedPerOperation") for b in data["Benchmarks"]}
us = lambda seconds: seconds * 1e6 / (atoms * steps)
lmp_total, lmp_pair, lmp_neigh = us(loop), us(pair), us(neigh)
ours_pair = ns["EnergyAndForces"] * 1e-3 / atoms
ours_neigh_build = ns["NeighbourListBuild"] * 1e-3 / atoms
print(f"LAMMPS    total {lmp_total:.3f} µs/atom-step  (pair {lmp_pair:.3f}, neighbour lists {lmp_neigh:.3f} amortised)")
print(f"PoetSharp energy+forces {ours_pair:.3f} µs/atom-step  (allocated {alloc['EnergyAndForces']} B/op); one neighbour-list build {ours_neigh_build:.3f} µs/atom (allocated {alloc['NeighbourListBuild']} B/op)")
print(f"ratio PoetSharp/LAMMPS, energy+forces vs Pair: {ours_pair / lmp_pair:.2f}")
print(f"ratio PoetSharp/LAMMPS, energy+forces vs whole step: {ours_pair / lmp_total:.2f}")
PY
