#!/usr/bin/env bash
# The benchmark of issue 17: search throughput (candidates per second, first population excluded) of `poet fit
# --cluster` with 1, 2, 3, … worker processes on 127.0.0.1, each process evolving one island at a time (--threads 1),
# beside the same search in one ordinary process with one thread (the baseline: what the cluster costs on one core).
# Parallel efficiency at N processes = rate(N) / (N × rate(1 process, cluster)). Every run has the same seed, islands
# and time limit; only the number of processes changes.
#
# Usage: bench/cluster-scaling.sh [TIME=90s] [PROCESSES="1 2 3"] [ISLANDS=12] [WORK=/tmp/cluster-scaling] [DATA=data/poet/DFT_Cu] [POPULATION=48]
# POET=/path/to/poet uses a prebuilt binary (e.g. a self-contained `dotnet publish -c Release -r linux-x64
# --self-contained` copied to a machine without .NET); otherwise the script publishes one into WORK.
# Give at least as many islands as the largest process count. Prints one table; run folders and logs stay in WORK.
set -euo pipefail
TIME=${1:-90s}
PROCESSES=${2:-1 2 3}
ISLANDS=${3:-12}
WORK=${4:-/tmp/cluster-scaling}
HERE=$(cd "$(dirname "$0")/.." && pwd)
DATA=${5:-$HERE/data/poet/DFT_Cu}
POPULATION=${6:-48}
mkdir -p "$WORK"
if [ -z "${POET:-}" ]; then
  dotnet publish -c Release -r linux-x64 --self-contained -o "$WORK/poet" "$HERE/src/PoetSharp.Cli" > "$WORK/build.log" 2>&1
  POET="$WORK/poet/poet"
fi
export POET_CLUSTER_SECRET=${POET_CLUSTER_SECRET:-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')}
COMMON=(--data "$DATA" --time "$TIME" --islands "$ISLANDS" --population "$POPULATION" --threads 1 --seed 1 --no-properties --checkpoint-interval 1h)
rate() { grep -o 'search rate: .*' "$1/summary.md" | sed -E 's/.* s, ([0-9.]+) candidates\/s.*/\1/'; }

rm -rf "$WORK/single"
"$POET" fit "${COMMON[@]}" --out "$WORK/single" > "$WORK/single.log" 2>&1
base=$(rate "$WORK/single")
printf '| processes | candidates/s | speed-up over 1 | parallel efficiency |\n|---:|---:|---:|---:|\n'
printf '| 1 (no cluster, 1 thread) | %s | – | – |\n' "$base"
one=""
port=$((47400 + RANDOM % 500))
for n in $PROCESSES; do
  dir="$WORK/cluster-$n"
  rm -rf "$dir"
  pids=()
  for ((k = 1; k < n; k++)); do
    "$POET" fit --cluster "seed=127.0.0.1:$port" --role worker --threads 1 > "$WORK/worker-$n-$k.log" 2>&1 &
    pids+=($!)
  done
  "$POET" fit "${COMMON[@]}" --cluster "seed=127.0.0.1:$port" --role coordinator --workers $((n - 1)) --out "$dir" > "$WORK/cluster-$n.log" 2>&1
  for p in "${pids[@]}"; do wait "$p" || true; done
  r=$(rate "$dir")
  [ -z "$one" ] && one=$r
  python3 -c "import sys; n,r,one=int(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3]); print(f'| {n} (cluster) | {r:.1f} | {r/one:.2f} | {r/(n*one):.2f} |')" "$n" "$r" "$one"
  port=$((port + 1))
done
gens() { grep -o -- '- [0-9]* generations' "$1/summary.md" | grep -o '[0-9]*'; }
echo "($(nproc) cores; $TIME per run; $ISLANDS islands of $POPULATION models; data $DATA; generations reached by every island: single $(gens "$WORK/single")$(for n in $PROCESSES; do printf ', %s processes %s' "$n" "$(gens "$WORK/cluster-$n")"; done))"
