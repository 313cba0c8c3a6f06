"""The starting structure of the LGPS transport benchmark (bench/lgps-transport.sh), and the Li pair of its NEB.

Reads the lowest-energy frame of ../shared/data/lgps/LiGePS-init.system (Li20Ge2P4S24, PBE, the least perturbed cell
of the initial set, 19.6 Å³/atom, close to experiment), repeats it 2×2×2 (400 atoms: Li160Ge16P32S192, cell about
17.6 × 17.6 × 25.3 Å) and writes it as POSCAR. Prints the numbers (from 1, as in the POSCAR) of two Li atoms for a
vacancy hop: two Li 2.0–3.6 Å apart, mostly along c (the fast direction of LGPS), in the most alike environments
(sorted distances to their six nearest S), so that the hop runs between equivalent sites.
Usage: python3 bench/lgps-structure.py SHARED_LGPS_DIR OUT.vasp
"""
import os
import sys

import numpy as np

src, out = sys.argv[1], sys.argv[2]
system = os.path.join(src, 'LiGePS-init.system')
types = np.loadtxt(os.path.join(system, 'type.raw'), dtype=int, ndmin=1)
names = np.array(['Li', 'Ge', 'P', 'S'])[types]
box = np.load(os.path.join(system, 'set.000', 'box.npy')).reshape(-1, 3, 3)
coord = np.load(os.path.join(system, 'set.000', 'coord.npy')).reshape(len(box), -1, 3)
energy = np.load(os.path.join(system, 'set.000', 'energy.npy')).reshape(-1)
k = int(np.argmin(energy))
cell = box[k]
frac = np.linalg.solve(cell.T, coord[k].T).T % 1.0

# 2×2×2 supercell, atoms grouped by element (POSCAR lists one block per element).
shifts = np.array([[i, j, l] for i in range(2) for j in range(2) for l in range(2)], dtype=float)
big_frac, big_names = [], []
for element in ['Li', 'Ge', 'P', 'S']:
    mine = frac[names == element]
    for s in shifts:
        big_frac.extend((mine + s) / 2.0)
        big_names.extend([element] * len(mine))
big_frac = np.array(big_frac)
big_cell = 2 * cell
with open(out, 'w') as f:
    f.write(f'Li10GeP2S12 2x2x2 of LiGePS-init.system frame {k} (E = {energy[k] / len(types):.6f} eV/atom)\n1.0\n')
    for row in big_cell:
        f.write(' '.join(f'{x:.10f}' for x in row) + '\n')
    counts = [big_names.count(e) for e in ['Li', 'Ge', 'P', 'S']]
    f.write('Li Ge P S\n' + ' '.join(str(c) for c in counts) + '\nDirect\n')
    for p in big_frac:
        f.write(' '.join(f'{x:.10f}' for x in p) + '\n')

li = [i for i, e in enumerate(big_names) if e == 'Li']
sulfur = np.array([p for p, e in zip(big_frac, big_names) if e == 'S'])


def environment(i):
    """Sorted distances (Å) from Li atom i to its six nearest S atoms: equal environments make a symmetric hop."""
    d = sulfur - big_frac[i]
    d -= np.round(d)
    return np.sort(np.linalg.norm(d @ big_cell, axis=1))[:6]


best = None
for a in li:
    for b in li:
        if b <= a:
            continue
        d = big_frac[b] - big_frac[a]
        d -= np.round(d)
        v = d @ big_cell
        r = np.linalg.norm(v)
        if not (2.0 < r < 3.6) or abs(v[2]) / r < 0.8:
            continue
        # Prefer two Li in the same kind of site (then the hop's endpoints are alike and its barriers nearly equal).
        mismatch = np.max(np.abs(environment(a) - environment(b)))
        key = (round(mismatch, 2), r)
        if best is None or key < best[0]:
            best = (key, a, b, r)
_, a, b, r = best
print(f'{a + 1},{b + 1} {r:.3f}')
