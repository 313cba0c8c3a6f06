#!/usr/bin/env bash
# Which embedding shapes can meet DFT copper's vacancy and surface targets together (issue 12)? For each family of
# forms, a few hand-written members are put in a one-generation `poet fit` (population = the members, so no random
# trees; four members each, the smallest population), their constants fitted to the DFT_Cu data and then, jointly, to the data and the target properties (the
# run's final refit, 40 iterations); the table gives each fitted member on the run's front: its errors, its bond-breaking ratio
# (bench/bond-breaking.py: γ_111 per surface atom / E_v^f; DFT 0.438) and how far its surfaces are off.
# Families: power embedding −(Σh)^p (Finnis–Sinclair, the shape the metals prior draws), the same with a second power,
# GP1's divergent c/Σh, the bounded inverse embedding a·(b + Σh)^−q (`--priors inverse-embedding`), and the same with a
# small q (nearly −log ρ, finite at ρ = 0).
# Usage: bash bench/embedding-shapes.sh [OUT=/tmp/embedding-shapes]   (about 2 minutes per family on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/embedding-shapes}
mkdir -p "$OUT"
dotnet build -c Release src/PoetSharp.Cli -o "$OUT/poet" -v q -nologo > "$OUT/build.log"
POET="dotnet $OUT/poet/poet.dll"
D=data/poet/DFT_Cu
T=$D/0K/TargetProperties_0K.data
declare -A FAMILY
FAMILY[power]="sum(r^(10.21-5.47*r) - 0.21^r) - 0.97*sum(0.33^r)^0.5|sum(2000*0.03^r) - sum(50*0.25^r)^0.5|sum(r^(10.21-5.47*r)) - sum(0.33^r)^0.7|sum(2000*0.03^r - 0.21^r) - sum(0.33^r)^0.3"
FAMILY[two-powers]="sum(r^(10.21-5.47*r)) - 1.0*sum(0.33^r)^0.5 + 0.1*sum(0.33^r)^2|sum(r^(10.21-5.47*r)) - 1.0*sum(0.33^r)^0.5 - 0.1*sum(0.33^r)^1.5|sum(2000*0.03^r) - sum(50*0.25^r)^0.5 + 0.5*sum(0.25^r)^2|sum(2000*0.03^r) - sum(50*0.25^r)^0.5 - 0.5*sum(0.25^r)^1.5"
FAMILY[divergent]="sum(r^(10.21-5.47*r) - 0.21^r) + 0.97*sum(0.33^r)^-1|sum(r^(10.21-5.47*r) - 0.21^r) + 0.5*sum(0.33^r)^-2|sum(2000*0.03^r) - sum(50*0.25^r)^0.5 + 0.97*sum(0.33^r)^-1|sum(2000*0.03^r) - sum(50*0.25^r)^0.5 + 0.5*sum(0.25^r)^-2"
FAMILY[bounded-log]="sum(134.6*r^-6.9) + 13.5*(0.4 + sum(r^-3.44))^-0.07|sum(r^(10.21-5.47*r) - 0.21^r) + 5*(0.3 + sum(0.33^r))^-0.1|sum(2000*0.03^r) + 10*(0.4 + sum(r^-3))^-0.1|sum(2000*0.03^r) - sum(50*0.25^r)^0.5 + 5*(0.3 + sum(0.25^r))^-0.1"
FAMILY[bounded-inverse]="sum(r^(10.21-5.47*r) - 0.21^r) + 0.97*(0.5 + sum(0.33^r))^-1|sum(r^(10.21-5.47*r) - 0.21^r) + 0.5*(0.3 + sum(0.33^r))^-2|sum(2000*0.03^r) - sum(50*0.25^r)^0.5 + 0.97*(0.3 + sum(0.33^r))^-1|sum(2000*0.03^r) - sum(50*0.25^r)^0.5 + 0.5*(0.3 + sum(0.25^r))^-2"
printf "family\tmodel\tE (meV/atom)\tF (eV/Å)\tsanity\tEv (eV)\tγ111 (meV/Å²)\tratio\tγ100 ratio\tsurfaces mean %%\tscore\n" | tee "$OUT/table.tsv"
for family in power two-powers divergent bounded-inverse bounded-log; do
  IFS='|' read -r -a members <<< "${FAMILY[$family]}"
  args=()
  for m in "${members[@]}"; do args+=(--seed-model "$m"); done
  [ -f "$OUT/$family/properties.json" ] || $POET fit --data $D/NVT_FCC_300K --data $D/NVT_FCC_1400K --data $D/NPT_FCC_1400K --targets "$T" \
    "${args[@]}" --generations 1 --population "${#members[@]}" --islands 1 --threads 2 --screen-factor 1000 \
    --target-refit-evaluations 40 --seed 1 --out "$OUT/$family" > "$OUT/$family.log" 2>&1
  python3 - "$OUT/$family" "$family" <<'PY' | tee -a "$OUT/table.tsv"
import json, subprocess, sys
run, family = sys.argv[1], sys.argv[2]
front = {m["rank"]: m for m in json.load(open(run + "/front.json"))["front"]}
for m in json.load(open(run + "/properties.json"))["models"]:
    f = front[m["rank"]]
    tr = f["training"]
    ratios = subprocess.run(["python3", "bench/bond-breaking.py"], input=json.dumps({"properties": m["properties"]}), capture_output=True, text=True).stdout.split("\t")
    if len(ratios) < 5: continue
    surf = next((g["value"] for g in m["groupErrors"] if g["group"] == "surfaces"), float("nan"))
    print(f"{family}\t{m['simplified'][:70]}\t{tr['energy_rmse']:.2f}\t{tr['force_rmse']:.3f}\t{'ok' if m['sanity']['passed'] else 'fails'}\t"
          f"{ratios[1]}\t{ratios[2]}\t{ratios[3]}\t{ratios[4].strip()}\t{surf:.1f}\t{m['propertyScore']['value']:.2f}")
PY
done
