"""Writes the crystals of the k-point benchmark (bench/kpoints.sh) as POSCAR files into the folder given: a zoo of
Bravais lattices and common structures built with ASE, and random triclinic/monoclinic cells (fixed seed)."""
import sys, os
import numpy as np
from ase.build import bulk
from ase.spacegroup import crystal
from ase import Atoms
from ase.io import write

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
s = {}
s['fcc-Cu'] = bulk('Cu', 'fcc', a=3.615)
s['fcc-Cu-cubic'] = bulk('Cu', 'fcc', a=3.615, cubic=True)
s['bcc-Fe'] = bulk('Fe', 'bcc', a=2.87)
s['bcc-W-cubic'] = bulk('W', 'bcc', a=3.165, cubic=True)
s['sc-Po'] = bulk('Po', 'sc', a=3.35)
s['hcp-Mg'] = bulk('Mg', 'hcp', a=3.21, c=5.21)
s['hcp-Ti'] = bulk('Ti', 'hcp', a=2.95, c=4.68)
s['diamond-Si'] = bulk('Si', 'diamond', a=5.43)
s['rocksalt-NaCl'] = bulk('NaCl', 'rocksalt', a=5.64)
s['cscl-CsCl'] = bulk('CsCl', 'cesiumchloride', a=4.12)
s['zincblende-GaAs'] = bulk('GaAs', 'zincblende', a=5.65)
s['wurtzite-ZnO'] = bulk('ZnO', 'wurtzite', a=3.25, c=5.21)
s['fluorite-CaF2'] = bulk('CaF2', 'fluorite', a=5.46)
s['bct-In'] = bulk('In', 'bct', a=3.25, c=4.95)
s['tetragonal-X'] = crystal(['Cu'], [(0, 0, 0)], spacegroup=123, cellpar=[3.1, 3.1, 4.3, 90, 90, 90])
s['orthorhombic-X'] = crystal(['Cu'], [(0, 0, 0)], spacegroup=47, cellpar=[2.9, 3.4, 4.1, 90, 90, 90])
s['rhombohedral-Bi'] = bulk('Bi', 'rhombohedral', a=4.75, alpha=57.2)
s['perovskite-SrTiO3'] = crystal(['Sr', 'Ti', 'O'], [(0, 0, 0), (0.5, 0.5, 0.5), (0.5, 0.5, 0)], spacegroup=221, cellpar=[3.905] * 3 + [90] * 3)
s['rutile-TiO2'] = crystal(['Ti', 'O'], [(0, 0, 0), (0.3053, 0.3053, 0)], spacegroup=136, cellpar=[4.594, 4.594, 2.959, 90, 90, 90])
s['monoclinic-X'] = crystal(['Cu', 'O'], [(0, 0, 0), (0.25, 0.1, 0.3)], spacegroup=12, cellpar=[5.1, 3.4, 4.7, 90, 99.5, 90], primitive_cell=True)
s['graphite-C'] = crystal(['C', 'C'], [(0, 0, 0.25), (1/3, 2/3, 0.25)], spacegroup=194, cellpar=[2.46, 2.46, 6.71, 90, 90, 120])
s['corundum-Al2O3'] = crystal(['Al', 'O'], [(0, 0, 0.352), (0.306, 0, 0.25)], spacegroup=167, cellpar=[4.76, 4.76, 12.99, 90, 90, 120], primitive_cell=True)
rng = np.random.default_rng(2016)
for i in range(10):
    # Random cells: lengths 3–6 Å, angles 60–120°, one to three atoms at random positions (P1 or, with one atom, P-1).
    a, b, c = rng.uniform(3, 6, 3)
    al, be, ga = rng.uniform(65, 115, 3)
    n = 1 + i % 3
    atoms = Atoms(['Si', 'O', 'Al'][:n], scaled_positions=rng.random((n, 3)), cell=[a, b, c, al, be, ga], pbc=True)
    s[f'random-{i:02d}'] = atoms
for name, atoms in s.items():
    write(os.path.join(out, name + '.vasp'), atoms, format='vasp', direct=True)
print(len(s))
