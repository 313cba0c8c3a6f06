"""Reference data for the learning-on-the-fly benchmark (bench/lotf-copper.sh), made with LAMMPS and ASE, not PoetSharp.

  python3 lotf-copper.py starts WORK            five starting structures of copper -> WORK/starts.xyz
  python3 lotf-copper.py md WORK T STEPS EVERY SEED NAME
        LAMMPS Nose-Hoover MD (not Langevin: its random forces would enter the dumped forces) with Cu_mishin1.eam.alloy from each starting structure at temperature T (K), STEPS steps of
        2 fs, a frame every EVERY steps after the first fifth; energies (eV), forces (eV/A) and virial stresses
        (eV/A^3, tensile positive) as LAMMPS computes them -> WORK/NAME.xyz (extended XYZ, config_type = start name).
  python3 lotf-copper.py sample WORK POOL COUNT SEED OUT    COUNT frames of POOL.xyz at random -> OUT.xyz
"""
import os, random, subprocess, sys
import numpy as np
from ase.build import bulk
from ase.io import read, write
from ase.calculators.singlepoint import SinglePointCalculator

EAM = '/usr/share/lammps/potentials/Cu_mishin1.eam.alloy'
BAR_PER_EV_A3 = 1.6021765e6  # LAMMPS metal units


def starts(work):
    fcc = bulk('Cu', 'fcc', a=3.615, cubic=True).repeat((2, 2, 2))
    bcc = bulk('Cu', 'bcc', a=2.87, cubic=True).repeat((3, 3, 3))
    hcp = bulk('Cu', 'hcp', a=2.556, c=4.174).repeat((3, 3, 2))
    vac = bulk('Cu', 'fcc', a=3.615, cubic=True).repeat((3, 3, 3))
    del vac[13]
    strained = bulk('Cu', 'fcc', a=3.615, cubic=True).repeat((2, 2, 2))
    cell = strained.get_cell()
    strained.set_cell(cell @ np.array([[1.03, 0.04, 0], [0, 0.98, 0], [0, 0, 1.0]]), scale_atoms=True)
    frames = []
    for name, atoms in [('fcc', fcc), ('bcc', bcc), ('hcp', hcp), ('fcc-vacancy', vac), ('fcc-sheared', strained)]:
        atoms.info['config_type'] = name
        atoms.info['name'] = name
        frames.append(atoms)
    write(os.path.join(work, 'starts.xyz'), frames, format='extxyz')


def md(work, temperature, steps, every, seed, name):
    out = []
    for k, atoms in enumerate(read(os.path.join(work, 'starts.xyz'), index=':')):
        label = atoms.info.get('config_type', f'start{k}')
        run = os.path.join(work, f'{name}-{label}')
        os.makedirs(run, exist_ok=True)
        write(os.path.join(run, 'data.lmp'), atoms, format='lammps-data', specorder=['Cu'])
        start = steps // 5
        script = f"""units metal
atom_style atomic
boundary p p p
read_data data.lmp
mass 1 63.546
pair_style eam/alloy
pair_coeff * * {EAM} Cu
velocity all create {temperature} {seed + 7919 * k} mom yes rot no dist gaussian
fix nvt all nvt temp {temperature} {temperature} 0.1
timestep 0.002
compute pv all pressure NULL virial
thermo_style custom step pe c_pv[1] c_pv[2] c_pv[3] c_pv[4] c_pv[5] c_pv[6]
thermo_modify format float %.15g
thermo {every}
run {start}
dump d all custom {every} traj.dump id type x y z fx fy fz
dump_modify d sort id format float %.15g
run {steps - start}
"""
        open(os.path.join(run, 'in.lmp'), 'w').write(script)
        subprocess.run(['lmp', '-in', 'in.lmp', '-log', 'log.lammps', '-screen', 'none'], cwd=run, check=True)
        thermo = {}
        for line in open(os.path.join(run, 'log.lammps')):
            parts = line.split()
            if len(parts) == 8:
                try:
                    values = [float(p) for p in parts]
                except ValueError:
                    continue
                thermo[int(values[0])] = values[1:]
        frames = read(os.path.join(run, 'traj.dump'), index=':', format='lammps-dump-text')
        lines = open(os.path.join(run, 'traj.dump')).read().split('\n')
        timesteps = [int(lines[i + 1]) for i, line in enumerate(lines) if line.startswith('ITEM: TIMESTEP')]
        assert len(timesteps) == len(frames)
        for f, step in zip(frames, timesteps):
            pe, pxx, pyy, pzz, pxy, pxz, pyz = thermo[step]
            forces = f.get_forces()
            f.set_chemical_symbols(['Cu'] * len(f))
            stress = -np.array([pxx, pyy, pzz, pyz, pxz, pxy]) / BAR_PER_EV_A3  # tensile positive, Voigt xx yy zz yz xz xy
            f.calc = SinglePointCalculator(f, energy=pe, forces=forces, stress=stress)
            f.info = {'config_type': label, 'name': f'{name}-{label}-{step}'}
            out.append(f)
    write(os.path.join(work, f'{name}.xyz'), out, format='extxyz')
    print(f'{name}: {len(out)} frames at {temperature} K')


def sample(work, pool, count, seed, out):
    frames = read(os.path.join(work, pool + '.xyz'), index=':')
    rng = random.Random(seed)
    chosen = rng.sample(range(len(frames)), count)
    write(os.path.join(work, out + '.xyz'), [frames[i] for i in sorted(chosen)], format='extxyz')


if __name__ == '__main__':
    what, work = sys.argv[1], sys.argv[2]
    if what == 'starts':
        starts(work)
    elif what == 'md':
        md(work, float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), sys.argv[7])
    elif what == 'sample':
        sample(work, sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    else:
        sys.exit(__doc__)
