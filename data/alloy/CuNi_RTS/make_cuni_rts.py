#!/usr/bin/env python3
"""Generates data/alloy/CuNi_RTS/CuNi_RTS.xyz: copper-nickel solid solutions labelled with the Rafii-Tabar-Sutton alloy
form of the Sutton-Chen potential under POET's taper (3-5 A), an analytic two-element potential for `poet demo --target
alloy` to rediscover.

Written with numpy and ASE (neighbour lists, extended XYZ) only, independently of PoetSharp's evaluator, so that the
data also check that evaluator (tests/.../AlloyDataTests.cs compares PoetSharp's energies, forces and stresses of the
same model with these labels).

The potential (Sutton & Chen, Philos. Mag. Lett. 61, 139 (1990); Rafii-Tabar & Sutton, Philos. Mag. Lett. 63, 217
(1991)), with every neighbour term multiplied by POET's taper f(r):
    E_i = 1/2 sum_j eps_ij (a_ij/r)^9 f  -  eps_i c_i sqrt( sum_j (a_j/r)^6 f )
    eps_ij = sqrt(eps_i eps_j),  a_ij = (a_i + a_j)/2,  n = 9, m = 6 for both elements
    Cu: eps = 1.2382e-2 eV, a = 3.61 A, c = 39.432;  Ni: eps = 1.5707e-2 eV, a = 3.52 A, c = 39.432
Units: A, eV, eV/A; stress eV/A^3 tensile positive (ASE's convention).

Usage: python3 make_cuni_rts.py [OUTPUT]   (deterministic: fixed seed)
"""
import sys
import numpy as np
from ase import Atoms
from ase.build import bulk
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io import write
from ase.neighborlist import neighbor_list

R_IN, R_OUT = 3.0, 5.0
PARAMS = {"Cu": (1.2382e-2, 3.61, 39.432), "Ni": (1.5707e-2, 3.52, 39.432)}
N, M = 9, 6


def pair_constant(a, b):
    """1/2 eps_ab a_ab^9: the coefficient of r^-9 in atom a's energy for a neighbour b."""
    ea, aa, _ = PARAMS[a]
    eb, ab, _ = PARAMS[b]
    return 0.5 * np.sqrt(ea * eb) * (0.5 * (aa + ab)) ** N


def density_constant(a, b):
    """(eps_a c_a)^2 a_b^6: atom a's embedding written as sqrt(sum_j Q_ab r^-6 f)."""
    ea, _, ca = PARAMS[a]
    _, ab, _ = PARAMS[b]
    return (ea * ca) ** 2 * ab ** M


def taper(r):
    f = np.ones_like(r)
    df = np.zeros_like(r)
    mid = (r > R_IN) & (r < R_OUT)
    ri2, ro2, r2 = R_IN ** 2, R_OUT ** 2, r[mid] ** 2
    inv = 1.0 / (ro2 - ri2) ** 3
    a = 2 * r2 - 3 * ri2 + ro2
    b = ro2 - r2
    f[mid] = a * b * b * inv
    df[mid] = (4 * r[mid] * b * b - 4 * r[mid] * a * b) * inv
    f[r >= R_OUT] = 0.0
    return f, df


def evaluate(atoms):
    """Energy (eV), forces (eV/A) and stress (eV/A^3, Voigt xx yy zz yz xz xy, tensile positive)."""
    i, j, d, D = neighbor_list("ijdD", atoms, R_OUT)
    symbols = np.array(atoms.get_chemical_symbols())
    si, sj = symbols[i], symbols[j]
    P = np.array([pair_constant(a, b) for a, b in zip(si, sj)])
    Q = np.array([density_constant(a, b) for a, b in zip(si, sj)])
    f, df = taper(d)
    n = len(atoms)
    rho = np.bincount(i, weights=Q * d ** -M * f, minlength=n)
    pair = P * d ** -N * f
    energies = np.bincount(i, weights=pair, minlength=n) - np.sqrt(rho)
    # dE_i/dr of each full-list entry (i -> j, D = r_j - r_i): the pair term and the embedding's chain rule.
    dpair = P * (-N * d ** (-N - 1) * f + d ** -N * df)
    ddens = Q * (-M * d ** (-M - 1) * f + d ** -M * df)
    dEdr = dpair - ddens / (2 * np.sqrt(rho[i]))
    w = (dEdr / d)[:, None] * D
    forces = np.zeros((n, 3))
    np.add.at(forces, i, w)
    np.add.at(forces, j, -w)
    virial = (dEdr / d)[:, None, None] * D[:, :, None] * D[:, None, :]
    sigma = virial.sum(axis=0) / atoms.get_volume()
    stress = np.array([sigma[0, 0], sigma[1, 1], sigma[2, 2], sigma[1, 2], sigma[0, 2], sigma[0, 1]])
    return energies.sum(), forces, stress


def structure(rng, nickel_fraction, strain, rattle, name):
    a = (1 - nickel_fraction) * PARAMS["Cu"][1] + nickel_fraction * PARAMS["Ni"][1]  # Vegard
    atoms = bulk("Cu", "fcc", a=a, cubic=True).repeat((2, 2, 2))
    symbols = np.where(rng.random(len(atoms)) < nickel_fraction, "Ni", "Cu")
    atoms.set_chemical_symbols(list(symbols))
    eps = rng.uniform(-strain, strain, (3, 3))
    eps = 0.5 * (eps + eps.T)
    atoms.set_cell(atoms.cell @ (np.eye(3) + eps), scale_atoms=True)
    atoms.positions += rng.normal(0.0, rattle, atoms.positions.shape)
    energy, forces, stress = evaluate(atoms)
    atoms.calc = SinglePointCalculator(atoms, energy=energy, forces=forces, stress=stress)
    atoms.info["config_type"] = name
    return atoms


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "CuNi_RTS.xyz"
    rng = np.random.default_rng(20261204)
    frames = []
    for x in (0.0, 0.25, 0.5, 0.75, 1.0):
        for k in range(30):
            frames.append(structure(rng, x, 0.03, rng.uniform(0.03, 0.15), f"x{x:.2f}"))
    for k in range(40):
        frames.append(structure(rng, rng.uniform(0.05, 0.95), 0.04, rng.uniform(0.03, 0.15), "random"))
    write(out, frames, format="extxyz")
    print(f"wrote {len(frames)} structures to {out}")


if __name__ == "__main__":
    main()
