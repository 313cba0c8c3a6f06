#!/usr/bin/env bash
# The search on DFT copper (issue 6): `poet fit` on the paper's 150 DFT_Cu training structures (80/20 split) for a given
# time, then every front model, GP1 and GP2 (the paper's constants) evaluated on all 150 structures with `poet eval`,
# and the front models listed that are at least as accurate (energy and force RMSE) as GP1 or GP2 at no greater
# complexity (node count). Not a unit test: it runs for the whole time limit.
#
# usage: bench/dftcu-search.sh [TIME (default 30m)] [SEED (default 1)] [THREADS (default: all cores)]
#        RUN=DIR bench/dftcu-search.sh   compares the front of an existing `poet fit` run folder instead of searching
# Results: $OUT (default /tmp/poet-dftcu-<date>): the run folder, fit.log and comparison.md.
set -euo pipefail
cd "$(dirname "$0")/.."
TIME=${1:-30m}
SEED=${2:-1}
THREADS=${3:-$(nproc)}
OUT=${OUT:-/tmp/poet-dftcu-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
dotnet build -c Release src/PoetSharp.Cli -v q -nologo > "$OUT/build.log"
POET="dotnet src/PoetSharp.Cli/bin/Release/net10.0/poet.dll"
D=data/poet/DFT_Cu
DATA=(--data "$D/NVT_FCC_300K" --data "$D/NVT_FCC_1400K" --data "$D/NPT_FCC_1400K")
GP1='sum(r^(10.21-5.47*r) - 0.21^r) + 0.97*sum(0.33^r)^-1'
GP2='7.33*sum(r^(3.98-3.94*r)) + (27.32 - sum(11.13 + 0.03*r^(11.74-2.93*r)))*sum(1)^-1'

if [ -n "${RUN:-}" ]; then
  ln -sfn "$(realpath "$RUN")" "$OUT/run"
else
  $POET fit "${DATA[@]}" --time "$TIME" --seed "$SEED" --threads "$THREADS" --out "$OUT/run" > "$OUT/fit.log" 2>&1
fi

errors() { # model → "E_rmse F_rmse" on all 150 structures
  $POET eval "${DATA[@]}" --model "$1" --json | python3 -c 'import json,sys; o=json.load(sys.stdin)["overall"]; print(o["energy"]["rmse"], o["forces"]["rmse"])'
}
{
  echo "| model | nodes | energy RMSE (meV/atom) | force RMSE (eV/Å) | short range | expression |"
  echo "|---|---|---|---|---|---|"
  read -r e f <<< "$(errors "$GP1")"; echo "| GP1 (paper) | 21 | $e | $f | fails | \`$GP1\` |"
  read -r e f <<< "$(errors "$GP2")"; echo "| GP2 (paper) | 30 | $e | $f | not checked | \`$GP2\` |"
  python3 - "$OUT/run/front.json" <<'PY' | while IFS=$'\t' read -r rank nodes short expr; do
import json, sys
for m in json.load(open(sys.argv[1]))["front"]:
    print(f'{m["rank"]}\t{m["complexity"]}\t{"ok" if m["short_range_passed"] else "fails"}\t{m["simplified"]}')
PY
    file=$(printf "%s/run/models/model-%02d.json" "$OUT" "$rank")
    read -r e f <<< "$(errors "$file")"
    echo "| front $rank | $nodes | $e | $f | $short | \`$expr\` |"
  done
} > "$OUT/table.md"
python3 - "$OUT/table.md" <<'PY' | tee "$OUT/comparison.md"
import sys
rows = [l.split("|")[1:-1] for l in open(sys.argv[1]) if l.startswith("| ")][1:]
ref = {r[0].strip(): (int(r[1]), float(r[2]), float(r[3])) for r in rows if r[0].strip().startswith("GP")}
print("| model | nodes | E RMSE | F RMSE | short range | as accurate as, at no greater complexity |")
print("|---|---|---|---|---|---|")
for r in rows:
    name, nodes, e, f = r[0].strip(), int(r[1]), float(r[2]), float(r[3])
    beats = [g for g, (n, ge, gf) in ref.items() if not name.startswith("GP") and nodes <= n and e <= ge and f <= gf]
    print(f"| {name} | {nodes} | {e:.3f} | {f:.4f} | {r[4].strip()} | {', '.join(b.split()[0] for b in beats) or '–'} |")
PY
echo "front models, GP1 and GP2 on all 150 DFT_Cu training structures: $OUT/table.md (with expressions), $OUT/comparison.md"
