#!/usr/bin/python3
"""Elastic constants the training data themselves measure: a NumPy implementation written apart from PoetSharp's
(src/PoetSharp/Properties/ElasticFromData.cs), used to record the numbers its test checks on the mlearn copper set.

Usage: /usr/bin/python3 bench/data-elastic.py [FILE.xyz (default ../shared/data/mlearn/Cu_train.xyz)] [MAX_STRAIN (0.03)]

1. Cells that are perfect crystals: every force component within 0.02 eV/A, the same atom count.
2. Groups of the same fractional coordinates; the largest group's reference is the cell with the least summed
   |Lagrangian strain| to all others (its medoid).
3. Energy per reference volume fitted by least squares (numpy.linalg.lstsq) to
   E0 + s0 tr(eta) + C11/2 sum eta_ii^2 + C12 sum_{i<j} eta_ii eta_jj + C44/2 sum gamma^2 + the six cubic third-order
   terms, keeping only the terms the strains reach (reach = max|column|^(1/degree) >= a tenth of the largest strain).
4. Also, on its own, the pure-shear slope: 2 (E - E_ref) / (V gamma^2) for each pure shear, the direct reading of
   C44 - P at small gamma (simple shears carry gamma^2/2 on one diagonal, so the pre-stress enters).
"""
import re
import sys

import numpy as np

GPA = 160.21766208
path = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/mlearn/Cu_train.xyz"
max_strain = float(sys.argv[2]) if len(sys.argv) > 2 else 0.03

lines = open(path).read().split("\n")
cells = []
i = 0
while i < len(lines) and lines[i].strip():
    n = int(lines[i])
    head = lines[i + 1]
    energy = float(re.search(r"energy=(\S+)", head).group(1))
    lattice = np.array([float(x) for x in re.search(r'Lattice="([^"]+)"', head).group(1).split()]).reshape(3, 3)
    body = [lines[i + 2 + k].split() for k in range(n)]
    pos = np.array([[float(x) for x in b[1:4]] for b in body])
    force = np.array([[float(x) for x in b[4:7]] for b in body])
    if np.abs(force).max() <= 0.02:
        frac = np.linalg.solve(lattice.T, pos.T).T
        cells.append((n, energy, lattice, frac))
    i += n + 2

groups = []
for c in cells:
    for g in groups:
        d = g[0][3] - c[3] if g[0][0] == c[0] else None
        if d is not None and np.abs(d - np.round(d)).max() <= 2e-4:
            g.append(c)
            break
    else:
        groups.append([c])
family = max(groups, key=len)


def strain(a, b):
    f = (b.T) @ np.linalg.inv(a.T)  # columns are lattice vectors: L_b = F L_a
    return 0.5 * (f.T @ f - np.eye(3))


ref = min(family, key=lambda c: (sum(np.abs(strain(c[2], o[2])).sum() for o in family), c[1] / c[0]))
volume = abs(np.linalg.det(ref[2]))
names = ["E0", "s0", "C11", "C12", "C44", "C111", "C112", "C123", "C144", "C155", "C456"]
degree = [0, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3]
rows, y = [], []
for c in family:
    eta = strain(ref[2], c[2])
    if np.abs(eta).max() > max_strain:
        continue
    e1, e2, e3 = eta[0, 0], eta[1, 1], eta[2, 2]
    g4, g5, g6 = 2 * eta[1, 2], 2 * eta[0, 2], 2 * eta[0, 1]
    rows.append([1, e1 + e2 + e3, (e1**2 + e2**2 + e3**2) / 2, e1 * e2 + e2 * e3 + e3 * e1, (g4**2 + g5**2 + g6**2) / 2,
                 (e1**3 + e2**3 + e3**3) / 6, (e1**2 * (e2 + e3) + e2**2 * (e1 + e3) + e3**2 * (e1 + e2)) / 2, e1 * e2 * e3,
                 (e1 * g4**2 + e2 * g5**2 + e3 * g6**2) / 2,
                 (e1 * (g5**2 + g6**2) + e2 * (g4**2 + g6**2) + e3 * (g4**2 + g5**2)) / 2, g4 * g5 * g6])
    y.append(c[1] / volume)
rows, y = np.array(rows), np.array(y)
largest = max(np.abs(strain(ref[2], c[2])).max() for c in family if np.abs(strain(ref[2], c[2])).max() <= max_strain)
keep = [k for k in range(len(names))
        if degree[k] == 0 or np.abs(rows[:, k]).max() ** (1 / degree[k]) >= 0.1 * largest]
coef, *_ = np.linalg.lstsq(rows[:, keep], y, rcond=None)
fit = dict(zip([names[k] for k in keep], coef))
residual = (y - rows[:, keep] @ coef) * volume / ref[0] * 1000
a = np.cbrt(4 * volume / ref[0])
print(f"{path}: {len(family)} cells of one crystal ({ref[0]} atoms), {len(y)} within strain {max_strain}; reference a = {a:.6f} A (fcc)")
print("terms kept:", ", ".join(names[k] for k in keep))
print(f"pressure {-fit['s0'] * GPA:.4f} GPa")
for name in ("C11", "C12", "C44"):
    print(f"{name} {fit[name] * GPA:.4f} GPa" if name in fit else f"{name} not determined")
print(f"misfit {np.sqrt(np.mean(residual**2)):.4f} meV/atom")

print("pure shears from the reference: gamma, 2 dE/(V gamma^2) in GPa")
for c in sorted(family, key=lambda c: c[1]):
    eta = strain(ref[2], c[2])
    g = 2 * np.array([eta[1, 2], eta[0, 2], eta[0, 1]])
    if np.count_nonzero(np.abs(g) > 1e-6) == 1 and np.abs(np.diag(eta)).max() < 0.5 * np.abs(g).max() ** 2 + 1e-9:
        gamma = np.abs(g).max()
        print(f"  {gamma:.4f} {2 * (c[1] - ref[1]) / volume / gamma**2 * GPA:.2f}")
