#!/usr/bin/env bash
# Li transport in Li10GeP2S12 with a moment tensor potential trained on ../shared/data/lgps (issue 16):
#   1. the 400-atom starting cell (bench/lgps-structure.py: the lowest-energy frame of LiGePS-init.system, 2×2×2) and
#      the Li pair of the vacancy-hop NEB (closest Li–Li pair along c);
#   2. speed of `poet md` (NVT 800 K, 300 steps) on one core (DOTNET_PROCESSOR_COUNT=1) and on all;
#   3. stability: NPT (x, y, z independent) at the highest temperature, 0 bar, STABILITY steps of 2 fs;
#   4. `poet diffusion --species Li` at TEMPS (NPT with x, y, z independent at 0 bar, 2 fs steps, 5 ps equilibration,
#      STEPS production steps recorded every 50 fs) with the NEB barrier of the vacancy hop, report in WORK/report.
#      NPT, not NVT at the DFT cell: the PBE data at high temperature sit at 23–24 Å³/atom (the DP-GEN NPT exploration),
#      the relaxed cell at 19.6; NVT there at 1000 K drives the potential outside its data (it blew up in a first run).
# Usage: bash bench/lgps-transport.sh MODEL [WORK=/tmp/lgps-transport] [STEPS=50000] [TEMPS=500,600,700,800,900,1000] [STABILITY=25000]
# STAGES (environment, default "speed stability diffusion") picks the stages to run.
# MODEL: e.g. from `bash bench/mtp-accuracy.sh lgps 16 250 /tmp/lgps`: WORK/lgps/model.json (the model file, with the
# short-range core fit-mtp adds by default) or WORK/lgps/model.mtp (the bare MTP; species Li, Ge, P, S).
set -euo pipefail
MODEL=$(realpath "${1:?usage: lgps-transport.sh MODEL.json|MODEL.mtp [WORK] [STEPS] [TEMPS] [STABILITY]}")
WORK=${2:-/tmp/lgps-transport}
STEPS=${3:-50000}
TEMPS=${4:-500,600,700,800,900,1000}
STABILITY=${5:-25000}
HERE=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${POET_SHARED_DATA:-$HERE/../shared/data}
mkdir -p "$WORK"
dotnet build -c Release "$HERE/src/PoetSharp.Cli" -o "$WORK/poet" > "$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
poet() { dotnet "$WORK/poet/poet.dll" --type-map Li,Ge,P,S "$@"; }
# A model file goes to --model, an .mtp file to --potential.
if [[ $MODEL == *.json ]]; then CHOICE=(--model "$MODEL"); else CHOICE=(--potential "$MODEL"); fi

read -r HOP DISTANCE < <(/usr/bin/python3 "$HERE/bench/lgps-structure.py" "$SHARED/lgps" "$WORK/lgps-400.vasp")
echo "structure: $WORK/lgps-400.vasp; NEB hop $HOP ($DISTANCE Å)"

STAGES=${STAGES:-speed stability diffusion}
if [[ $STAGES == *speed* ]]; then
echo "== speed (NVT 800 K, 300 steps of 2 fs, 400 atoms)"
for cores in 1 "$(nproc)"; do
  echo -n "$cores core(s): "
  DOTNET_PROCESSOR_COUNT=$cores poet md "${CHOICE[@]}" -s "$WORK/lgps-400.vasp" -e nvt -t 800 -n 300 --thermo 0 | grep speed
done
fi

HIGHEST=$(echo "$TEMPS" | tr ',' '\n' | sort -n | tail -1)
if [[ $STAGES == *stability* ]]; then
echo "== stability: NPT (per axis) at $HIGHEST K, 0 bar, $STABILITY steps"
poet md "${CHOICE[@]}" -s "$WORK/lgps-400.vasp" -e npt-aniso -t "$HIGHEST" --pressure 0 -n "$STABILITY" --thermo 2500 \
  --trajectory "$WORK/npt.xyz" --trajectory-every 2500 | tee "$WORK/npt.log"
fi

if [[ $STAGES == *diffusion* ]]; then
echo "== diffusion at $TEMPS K"
/usr/bin/time -v dotnet "$WORK/poet/poet.dll" --type-map Li,Ge,P,S diffusion "${CHOICE[@]}" -s "$WORK/lgps-400.vasp" --species Li -e npt-aniso \
  --temperatures "$TEMPS" --equilibrate 2500 --steps "$STEPS" --sample-every 25 --barrier "$HOP" -o "$WORK/report" 2> "$WORK/time.log" | tee "$WORK/diffusion.log"
grep -E "Elapsed|Maximum resident" "$WORK/time.log"
fi
