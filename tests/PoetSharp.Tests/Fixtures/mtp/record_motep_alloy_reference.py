#!/usr/bin/python3
"""Records an interoperability reference: a four-species level-16 MTP written by PoetSharp (NbMoTaW_level16_poetsharp.mtp,
trained by `bash bench/mtp-accuracy.sh nbmotaw 16 80`; species 0-3 = Nb, Mo, Ta, W) read by motep's own .mtp reader and
evaluated by its NumPy engine (shared/reference/mtp_reference.py, code we did not write) on structures of
shared/data/alloys/NbMoTaW. The structures stay in the shared folder; this keeps (file, index) and the numbers
(NbMoTaW_level16_motep.json beside this script).
usage: record_motep_alloy_reference.py [SHARED_DIR]   (default: /work/shared)."""
import json, os, subprocess, sys, tempfile
from ase import Atoms
from ase.io import write

shared = sys.argv[1] if len(sys.argv) > 1 else "/work/shared"
here = os.path.dirname(os.path.abspath(__file__))
model = os.path.join(here, "NbMoTaW_level16_poetsharp.mtp")
# One binary solid solution per pair, one elemental surface and one elastic cell: every species pair of the model.
picks = [("NbMo_SS.json", 3), ("TaW_SS.json", 5), ("NbTa_SS.json", 7), ("MoW_SS.json", 11), ("NbW_SS.json", 13),
         ("MoTa_SS.json", 17), ("W_Surface.json", 2), ("Ta_Elastic.json", 4)]
frames = []
for name, index in picks:
    s = json.load(open(os.path.join(shared, "data", "alloys", "NbMoTaW", name)))[index]["structure"]
    frames.append(Atoms(symbols=[site["species"][0]["element"] for site in s["sites"]],
                        positions=[site["xyz"] for site in s["sites"]], cell=s["lattice"]["matrix"], pbc=True))
with tempfile.TemporaryDirectory() as tmp:
    # An ASE trajectory keeps every bit of the positions (extended XYZ would round them to 1e-8 Å).
    xyz, out = os.path.join(tmp, "subset.traj"), os.path.join(tmp, "out.json")
    write(xyz, frames)
    subprocess.run([sys.executable, os.path.join(shared, "reference", "mtp_reference.py"), model, xyz, out,
                    "--elements", "Nb,Mo,Ta,W"], check=True)
    results = json.load(open(out))
for (name, index), r in zip(picks, results):
    r["file"], r["index"] = name, index
json.dump({"model": "NbMoTaW_level16_poetsharp.mtp", "elements": ["Nb", "Mo", "Ta", "W"], "engine": "motep numpy",
           "units": "eV, eV/A, eV/A^3 (ASE order xx yy zz yz xz xy, tensile positive)", "structures": results},
          open(os.path.join(here, "NbMoTaW_level16_motep.json"), "w"))
print(f"{len(results)} structures recorded")
