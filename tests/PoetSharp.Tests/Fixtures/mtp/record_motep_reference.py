#!/usr/bin/python3
"""Records the independent reference for PoetSharp's MTP evaluation: energies, forces and stresses of Zuo et al.'s
level-20 copper MTP (shared/data/mlearn/Cu_mtp.mtp) on chosen structures of shared/data/mlearn/Cu_train.xyz, computed by
motep's NumPy engine through shared/reference/mtp_reference.py (code we did not write). The structures stay in the
shared folder; this file keeps their indices and the reference numbers (Cu_mtp_motep.json beside this script).
usage: record_motep_reference.py [SHARED_DIR]   (default: /work/shared). Takes a few minutes (motep is slow)."""
import json, os, subprocess, sys, tempfile
from ase.io import read, write

shared = sys.argv[1] if len(sys.argv) > 1 else "/work/shared"
data = os.path.join(shared, "data", "mlearn", "Cu_train.xyz")
model = os.path.join(shared, "data", "mlearn", "Cu_mtp.mtp")
frames = read(data, ":")
# Every small cell (the surface slabs and the ground state, 6-48 atoms) and four 107/108-atom cells:
# a vacancy snapshot, two AIMD snapshots and a strained cell.
indices = [i for i, a in enumerate(frames) if len(a) < 50] + [0, 60, 100, 200]
with tempfile.TemporaryDirectory() as tmp:
    xyz = os.path.join(tmp, "subset.xyz")
    out = os.path.join(tmp, "out.json")
    write(xyz, [frames[i] for i in indices], format="extxyz")
    subprocess.run([sys.executable, os.path.join(shared, "reference", "mtp_reference.py"), model, xyz, out, "--elements", "Cu"], check=True)
    results = json.load(open(out))
for i, r in zip(indices, results):
    r["index"] = i
here = os.path.dirname(os.path.abspath(__file__))
json.dump({"model": "mlearn/Cu_mtp.mtp", "data": "mlearn/Cu_train.xyz", "engine": "motep numpy (shared/reference/motep)",
           "units": "eV, eV/A, eV/A^3 (ASE order xx yy zz yz xz xy, tensile positive)", "structures": results},
          open(os.path.join(here, "Cu_mtp_motep.json"), "w"), indent=None)
print(f"{len(results)} structures recorded")
