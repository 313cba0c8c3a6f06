#!/usr/bin/env bash
# Molecular-dynamics speed with a two-element model: the Rafii-Tabar–Sutton Cu–Ni potential under POET's 3–5 Å taper
# (PoetSharp.Search.AlloyRecovery.TrueModel, the model that labels data/alloy/CuNi_RTS) on a random 50/50 Cu–Ni fcc
# cell, NVE from 1600 K, time step 5 fs, 1 Å neighbour skin, one core each:
#   (a) poet md with the model as a model file (version 2: at[Cu](…) + at[Ni](…), sums over one element's
#       neighbours; the tabulated fast path), written by this script;
#   (b) lmp (/usr/bin/lmp) with pair_style eam/alloy and a setfl file that this script tabulates itself from the
#       analytic RTS functions (python3 + numpy), since the model is EAM-alloy form:
#         E_i = F_{t_i}(ρ_i) + ½ Σ_j φ_{t_i t_j}(r_ij),  ρ_i = Σ_j ρ_{t_j}(r_ij),
#         F_A(ρ) = −ε_A c_A √ρ,  ρ_B(r) = a_B^6 r^-6 f(r),  φ_AB(r) = √(ε_A ε_B) ((a_A + a_B)/2)^9 r^-9 f(r),
#       f the taper (1 below 3 Å, (2r² − 3·3² + 5²)(5² − r²)²/(5² − 3²)³ up to 5 Å, 0 beyond), which multiplies every
#       neighbour term, as in the model.
# Both start from the same positions and elements (masses from each atom's element); velocities are drawn
# independently (each program's own generator), so the trajectories differ but not the work per step. First both
# energies of the starting cell are compared (they must agree to the tabulation's accuracy), then the timed runs.
# Prints µs per atom-step, steps/s and the ratio poet/LAMMPS (target: ≤ 1.2). poet is timed twice: over the whole run
# (its own seconds_per_step, which includes the .NET JIT's warm-up: pinned to one busy core, the optimised kernels
# arrive only after a second or two, and until then a step is several times slower), and in the steady state, from
# two runs of steps/4 and steps steps: (t(steps) − t(steps/4)) / (¾ steps).
# Usage: bash bench/alloy-md-vs-lammps.sh [steps] [cubic cells per side]    (defaults 1000 and 10: 4,000 atoms)
#        CPU=1 … pins both to another core (default 0); REPEATS=n runs each program n times, interleaved, and reports
#        the fastest run of each with all runs listed (default 3); PYTHON=… names a python3 with numpy (default
#        /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-1000}
cells=${2:-10}
cpu=${CPU:-0}
repeats=${REPEATS:-3}
python=${PYTHON:-/usr/bin/python3}  # with numpy
command -v lmp >/dev/null || { echo "lmp not found: apt-get install -y lammps" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build -c Release src/PoetSharp.Cli -o "$work/poet" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }

# Model file, structure (extended XYZ for poet, data file for LAMMPS), setfl file.
"$python" - "$work" "$cells" <<'PY'
import sys, json
import numpy as np
work, cells = sys.argv[1], int(sys.argv[2])
# (ε eV, a Å, c): Rafii-Tabar & Sutton, Philos. Mag. Lett. 63, 217 (1991), as in AlloyRecovery.cs.
P = {"Cu": (1.2382e-2, 3.61, 39.432), "Ni": (1.5707e-2, 3.52, 39.432)}
mass = {"Cu": 63.546, "Ni": 58.6934}
Z = {"Cu": 29, "Ni": 28}
els = ["Cu", "Ni"]
inner, outer = 3.0, 5.0

def pair_constant(a, b):   # ½ ε_ab a_ab^9
    return 0.5 * np.sqrt(P[a][0] * P[b][0]) * (0.5 * (P[a][1] + P[b][1])) ** 9
def density_constant(a, b):  # (ε_a c_a)² a_b^6
    return (P[a][0] * P[a][2]) ** 2 * P[b][1] ** 6
def term(a):
    pair = " + ".join(f"sum[{b}]({pair_constant(a, b)!r}*r^-9)" for b in els)
    dens = " + ".join(f"sum[{b}]({density_constant(a, b)!r}*r^-6)" for b in els)
    return f"at[{a}]({pair} - ({dens})^0.5)"
model = {"format": "PoetSharp model", "version": 2, "name": "RTS Cu-Ni",
         "expression": " + ".join(term(a) for a in els), "cutoff": outer,
         "taper": {"inner": inner, "outer": outer}, "species": els,
         "provenance": "Rafii-Tabar & Sutton (1991) Cu-Ni, bench/alloy-md-vs-lammps.sh"}
json.dump(model, open(f"{work}/rts.json", "w"), indent=2)

# Random 50/50 fcc cell at Vegard's lattice constant.
a0 = 0.5 * (P["Cu"][1] + P["Ni"][1])
basis = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
grid = np.array([[i, j, k] for i in range(cells) for j in range(cells) for k in range(cells)])
pos = ((grid[:, None, :] + basis[None, :, :]).reshape(-1, 3)) * a0
n = len(pos)
rng = np.random.default_rng(20261205)
species = np.array(["Cu"] * (n // 2) + ["Ni"] * (n - n // 2))
rng.shuffle(species)
L = cells * a0
with open(f"{work}/cell.xyz", "w") as f:
    f.write(f"{n}\nLattice=\"{L!r} 0 0 0 {L!r} 0 0 0 {L!r}\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n")
    for s, p in zip(species, pos): f.write(f"{s} {p[0]!r} {p[1]!r} {p[2]!r}\n")
with open(f"{work}/cell.data", "w") as f:
    f.write(f"random 50/50 Cu-Ni fcc, {n} atoms\n\n{n} atoms\n2 atom types\n\n")
    f.write(f"0 {L!r} xlo xhi\n0 {L!r} ylo yhi\n0 {L!r} zlo zhi\n\nMasses\n\n1 {mass['Cu']}\n2 {mass['Ni']}\n\nAtoms # atomic\n\n")
    for i, (s, p) in enumerate(zip(species, pos)): f.write(f"{i + 1} {1 if s == 'Cu' else 2} {p[0]!r} {p[1]!r} {p[2]!r}\n")

# setfl (eam/alloy): LAMMPS interpolates these tables with cubic splines.
def taper(r):
    ri2, ro2, r2 = inner * inner, outer * outer, r * r
    t = (2 * r2 - 3 * ri2 + ro2) * (ro2 - r2) ** 2 / (ro2 - ri2) ** 3
    return np.where(r <= inner, 1.0, np.where(r >= outer, 0.0, t))
nr, nrho = 10000, 10000
dr = outer / (nr - 1)
rho_max = 600.0   # the densities in the crystal at 1600 K are about 100
drho = rho_max / (nrho - 1)
r = np.arange(nr) * dr
r[0] = dr  # r = 0 is never used; keep the table finite
rho = np.arange(nrho) * drho
def block(values):
    return "\n".join(" ".join(f"{v:.16e}" for v in values[k:k + 5]) for k in range(0, len(values), 5)) + "\n"
with open(f"{work}/CuNi_RTS.eam.alloy", "w") as f:
    f.write("Rafii-Tabar-Sutton Cu-Ni (1991) with POET's 3-5 A taper on every neighbour term\n")
    f.write("written by bench/alloy-md-vs-lammps.sh from the analytic functions\n")
    f.write("F_A = -eps_A c_A sqrt(rho), rho_B = a_B^6 r^-6 f, phi_AB = sqrt(eps_A eps_B) a_AB^9 r^-9 f\n")
    f.write("2 Cu Ni\n")
    f.write(f"{nrho} {drho!r} {nr} {dr!r} {outer!r}\n")
    for e in els:
        eps, a, c = P[e]
        f.write(f"{Z[e]} {mass[e]} {a} fcc\n")
        f.write(block(-eps * c * np.sqrt(rho)))
        f.write(block(a ** 6 * r ** -6 * taper(r)))
    for i, ei in enumerate(els):
        for ej in els[:i + 1]:
            phi = np.sqrt(P[ei][0] * P[ej][0]) * (0.5 * (P[ei][1] + P[ej][1])) ** 9 * r ** -9 * taper(r)
            f.write(block(r * phi))  # setfl stores r·φ
print(f"{n} atoms, {int((species == 'Ni').sum())} Ni, a = {a0} Å")
PY
atoms=$(head -n1 "$work/cell.xyz")

lammps_input() { # steps
  cat <<EOF
units           metal
atom_style      atomic
read_data       $work/cell.data
pair_style      eam/alloy
pair_coeff      * * $work/CuNi_RTS.eam.alloy Cu Ni
velocity        all create 1600.0 376847 loop geom
neighbor        1.0 bin
neigh_modify    every 1 delay 5 check yes
fix             1 all nve
timestep        0.005
thermo          50
thermo_modify   format float %.10f
run             $1
EOF
}
poet() { # under /usr/bin/time when TIMEFILE is set: user + system CPU seconds into that file
  if [ -n "${TIMEFILE:-}" ]; then OMP_NUM_THREADS=1 /usr/bin/time -f "%U %S" -o "$TIMEFILE" taskset -c "$cpu" dotnet "$work/poet/poet.dll" "$@"
  else OMP_NUM_THREADS=1 taskset -c "$cpu" dotnet "$work/poet/poet.dll" "$@"; fi
}
poet_md() { # steps, then more options
  local n=$1; shift
  poet md --model "$work/rts.json" --structure "$work/cell.xyz" --ensemble nve --temperature 1600 --timestep 5 --skin 1 --steps "$n" "$@"
}

echo "== Same potential? Energy of the starting cell"
lammps_input 0 > "$work/in.zero"
OMP_NUM_THREADS=1 taskset -c "$cpu" lmp -in "$work/in.zero" -log "$work/log.zero" -screen none
lmp_e0=$(awk '/^ *Step/ {getline; print $3; exit}' "$work/log.zero")
poet_e0=$(poet_md 1 --thermo 1 | awk '$1 == "0" {print $4; exit}')
"$python" -c "
l, p, n = float('$lmp_e0'), float('$poet_e0'), $atoms
print(f'LAMMPS {l / n:.8f} eV/atom, poet {p / n:.8f} eV/atom, difference {abs(l - p) / n:.2e} eV/atom')
assert abs(l - p) / n < 1e-4, 'the two potentials disagree'"

echo "== $steps NVE steps of $atoms atoms on CPU $cpu, $repeats times each, interleaved (machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
lammps_input "$steps" > "$work/in.run"
for k in $(seq "$repeats"); do
  OMP_NUM_THREADS=1 taskset -c "$cpu" lmp -in "$work/in.run" -log "$work/log.run$k" -screen none
  TIMEFILE="$work/poet$k.time" poet_md "$steps" --thermo 0 --json > "$work/poet$k.json"
  TIMEFILE="$work/poet-short$k.time" poet_md $((steps / 4)) --thermo 0 --json > "$work/poet-short$k.json"
done
echo "(load after: $(cut -d' ' -f1-3 /proc/loadavg))"

"$python" - "$work" "$repeats" "$steps" "$atoms" <<'PY'
import json, re, sys
work, repeats, steps, atoms = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
us = lambda s: s * 1e6 / atoms
lmp, whole, steady, lmp_cpu, steady_cpu = [], [], [], [], []
cpu_seconds = lambda path: sum(map(float, open(path).read().split()[-2:]))
for k in range(1, repeats + 1):
    log = open(f"{work}/log.run{k}").read()
    loop = float(re.search(r"^Loop time of (\S+)", log, re.M).group(1))
    pair = float(re.search(r"^Pair\s*\|\s*\S+\s*\|\s*(\S+)", log, re.M).group(1))
    neigh = float(re.search(r"^Neigh\s*\|\s*\S+\s*\|\s*(\S+)", log, re.M).group(1))
    builds = int(re.search(r"^Neighbor list builds = (\d+)", log, re.M).group(1))
    lmp.append((loop / steps, pair / steps, neigh / steps, builds))
    lmp_cpu.append(loop / steps * float(re.search(r"^(\S+)% CPU use", log, re.M).group(1)) / 100)
    ours, short = json.load(open(f"{work}/poet{k}.json")), json.load(open(f"{work}/poet-short{k}.json"))
    whole.append((ours["seconds_per_step"], ours["neighbour_list_builds"], ours["conserved_drift_eV_per_atom_per_ps"]))
    steady.append((ours["seconds_per_step"] * ours["steps"] - short["seconds_per_step"] * short["steps"]) / (ours["steps"] - short["steps"]))
    steady_cpu.append((cpu_seconds(f"{work}/poet{k}.time") - cpu_seconds(f"{work}/poet-short{k}.time")) / (ours["steps"] - short["steps"]))
    print(f"run {k}: LAMMPS {us(lmp[-1][0]):.3f}, poet whole run {us(whole[-1][0]):.3f}, poet steady state {us(steady[-1]):.3f} µs/atom-step; "
          f"CPU time: LAMMPS {us(lmp_cpu[-1]):.3f}, poet steady state {us(steady_cpu[-1]):.3f} µs/atom-step")
spread = lambda xs: f"fastest of {len(xs)}; all: {', '.join(f'{us(x):.3f}' for x in xs)}"
l = min(lmp); w = min(whole); s = min(steady)
print(f"LAMMPS eam/alloy:      {1 / l[0]:8.2f} steps/s, {us(l[0]):.3f} µs/atom-step (pair {us(l[1]):.3f}, neighbour lists {us(l[2]):.3f}, {l[3]} builds; {spread([x[0] for x in lmp])})")
print(f"poet md, whole run:    {1 / w[0]:8.2f} steps/s, {us(w[0]):.3f} µs/atom-step ({w[1]} neighbour-list builds, drift {w[2]:.2e} eV/atom/ps; {spread([x[0] for x in whole])})")
print(f"poet md, steady state: {1 / s:8.2f} steps/s, {us(s):.3f} µs/atom-step (last {steps - steps // 4} of {steps} steps; {spread(steady)})")
print(f"ratio poet/LAMMPS (time per step, fastest runs): whole run {w[0] / l[0]:.2f}, steady state {s / l[0]:.2f}  (target ≤ 1.2)")
# On a shared core the wall time includes waiting for it; the CPU time each process got is less sensitive to that
# (LAMMPS: its loop time × its own "% CPU use"; poet: the difference of user + system time between the two runs).
lc, sc = min(lmp_cpu), min(steady_cpu)
print(f"CPU time per step, fastest runs: LAMMPS {us(lc):.3f}, poet steady state {us(sc):.3f} µs/atom-step; ratio {sc / lc:.2f} "
      f"(all: LAMMPS {', '.join(f'{us(x):.3f}' for x in lmp_cpu)}; poet {', '.join(f'{us(x):.3f}' for x in steady_cpu)})")
PY
