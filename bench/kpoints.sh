#!/usr/bin/env bash
# k-point benchmark (issue 18): generalized grids against the best Monkhorst–Pack grid at the same minimum periodic
# distance, over 50 structures of mixed symmetry: 32 crystals and random cells written by bench/kpoints-structures.py
# (ASE), and the first structure of 18 data files of data/ and ../shared/data. For each r_min it prints every structure's
# irreducible counts, their ratio and the search time (measured inside poet: symmetry excluded, process start excluded),
# then the mean ratio, the mean and largest time, and how many searches were exhaustive.
#   bash bench/kpoints.sh [WORK] [R_LIST] [EFFORT]      defaults: /tmp/kpoints-bench "20 40 60" 1
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/kpoints-bench}
radii=${2:-"20 40 60"}
effort=${3:-1}
shared=${POET_SHARED_DATA:-../shared/data}
mkdir -p "$work"
dotnet build -c Release src/PoetSharp.Cli -v quiet -nologo >/dev/null
poet=src/PoetSharp.Cli/bin/Release/net10.0/poet
/usr/bin/python3 bench/kpoints-structures.py "$work/structures" >/dev/null

inputs=("$work"/structures/*.vasp)
for f in 100 110 111 210 211 221 310 311 320; do inputs+=("data/poet/DFT_Cu/0K/$f.vasp"); done
inputs+=(data/poet/DFT_Cu/NVT_FCC_300K/1.vasp data/poet/EAM_Cu data/poet/LJ_Ar
         "$shared/mlearn/Cu_train.xyz" "$shared/mlearn/Ni_train.xyz" "$shared/mlearn/Si_train.json"
         "$shared/alloys/NbMoTaW/Mo_Elastic.json" "$shared/alloys/NbMoTaW/NbMo_SS.json" "$shared/lgps/LiGePS-init.system")
echo "structures: ${#inputs[@]}; effort $effort; $(nproc) cores"

for r in $radii; do
    out="$work/r$r.txt"
    : > "$out"
    for f in "${inputs[@]}"; do
        extra=()
        case "$f" in *lgps*) extra=(--type-map Li,Ge,P,S) ;; esac
        echo "### $f" >> "$out"
        "$poet" kpoints "$f" --min-distance "$r" --effort "$effort" "${extra[@]}" >> "$out" 2>&1 || echo "FAILED" >> "$out"
    done
    /usr/bin/python3 - "$out" "$r" <<'PY'
import sys, re
text = open(sys.argv[1]).read()
rows = []
for block in text.split('### ')[1:]:
    name = block.split('\n', 1)[0]
    if 'FAILED' in block:
        print(f'{name}: FAILED'); continue
    sg = re.search(r'space group (\S+) \((\d+)\)', block)
    gen = re.search(r'│ generalized\s+│\s+(\d+) │\s+(\d+) │', block)
    mp = re.search(r'│ Monkhorst–Pack (\S+)\s+│\s+(\d+) │\s+(\d+) │', block)
    t = re.search(r'search: .*?, ([\d.]+) s, (exhaustive|cut short)', block)
    rows.append((name, sg.group(1), int(gen.group(2)), int(mp.group(3)), float(t.group(1)), t.group(2) == 'exhaustive', mp.group(1)))
print(f'\nr_min = {sys.argv[2]} Å')
print(f'{"structure":58s} {"group":10s} {"ours":>6s} {"MP":>6s} {"ratio":>6s} {"s":>6s}  search')
for n, g, o, m, t, ex, mpn in rows:
    print(f'{n[-58:]:58s} {g:10s} {o:6d} {m:6d} {o/m:6.3f} {t:6.2f}  {"exhaustive" if ex else "cut short"}')
ratios = [o / m for _, _, o, m, _, _, _ in rows]
times = [t for *_, t, _, _ in [(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows]]
print(f'r_min {sys.argv[2]} Å: {len(rows)} structures, mean ratio {sum(ratios)/len(ratios):.3f} (median {sorted(ratios)[len(ratios)//2]:.3f}), '
      f'mean time {sum(times)/len(times):.2f} s, max {max(times):.2f} s, exhaustive {sum(r[5] for r in rows)}/{len(rows)}')
PY
done
