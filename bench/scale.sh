#!/usr/bin/env bash
# Scale run (issue 30; not in CI: about ten minutes on this 2-core machine and 15 GB of disk at the default size): N events for N/10
# customers (default 100M / 10M) on this machine, every step through the CLI end to end (process start
# included) with its wall time and peak memory (maximum RSS): generate, ingest customers, ingest events, a
# segment preview (median of 3), rfm, a k-means fit, a CLV fit, and a full refresh with 20 segments.
# Goals: no step above 8 GiB, preview under 3 s, refresh under 5 minutes. The workspace caps DuckDB's memory
# (`warehouse.memory_limit` in segmenta.yaml, $SCALE_MEMORY_LIMIT, default 5GB: what a user with an 8 GiB budget sets,
# leaving room for the process's own memory; "none" keeps DuckDB's default of 80% of the machine).
# Writes bench/results/scale.md.
#   bench/scale.sh              100M events, 10M customers
#   bench/scale.sh 10000000     a smaller rehearsal
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n="${1:-100000000}"
out=bench/out/scale
rm -rf "$out" && mkdir -p "$out" bench/results
./segmenta --help > /dev/null
ws="$out/ws"
steps="$out/steps.tsv"
: > "$steps"

# step NAME GOAL_SECONDS COMMAND...: runs it, appends "name seconds peak_kib goal" to the steps file.
step() {
  local name="$1" goal="$2"
  shift 2
  /usr/bin/time -f "%e %M" -o "$out/time.txt" "$@" > "$out/$name.json"
  printf '%s\t%s\t%s\n' "$name" "$(cat "$out/time.txt" | tr ' ' '\t')" "$goal" >> "$steps"
}

step generate - ./segmenta generate --customers $((n / 10)) --events "$n" --seed 1 --out "$out/data"
./segmenta init "$ws" > /dev/null
memory_limit="${SCALE_MEMORY_LIMIT:-5GB}"
if [ "$memory_limit" != none ]; then
  sed -i "s/^  path: \(.*\)$/  path: \1\n  memory_limit: $memory_limit/" "$ws/segmenta.yaml"
  grep -q "memory_limit: $memory_limit" "$ws/segmenta.yaml"
fi
step ingest_customers - ./segmenta ingest customers "$out/data/customers.csv" -w "$ws" --json
step ingest_events - ./segmenta ingest events "$out/data/events.csv" -w "$ws" --json
cp bench/bench.seg "$ws/segments/bench.seg"
cat >> "$ws/segments/bench.seg" <<'SEG'

segment recent_buyers where did purchase in last 90 days
segment likely_lapsing where clv.p_alive < 0.5 and features.frequency >= 2
segment high_value where clv.value >= 500 or rfm.segment = "Champions"
SEG
for i in 1 2 3; do
  step "preview_$i" 3 ./segmenta segment preview bench_behavioral -w "$ws" --as-of 2025-01-01 --json
done
step rfm - ./segmenta rfm -w "$ws" --as-of 2025-01-01 --json
step cluster - ./segmenta cluster -w "$ws" --as-of 2025-01-01 -k 5 --features recency_days,frequency,monetary,sessions,email_open_rate --json
step clv_fit - ./segmenta clv fit -w "$ws" --as-of 2025-01-01 --json
step refresh 300 ./segmenta refresh -w "$ws" --as-of 2025-01-01 --json

/usr/bin/python3 - "$out" "$n" "$(nproc)" "$(free -g | awk '/Mem:/ {print $2}')" "$(date -u +%Y-%m-%d)" "$(du -sm "$ws" | cut -f1)" "$(du -sm "$out/data" | cut -f1)" "$memory_limit" > bench/results/scale.md <<'PY'
import json, statistics, sys
d, n, cores, mem, day, ws_mb, data_mb, memory_limit = sys.argv[1:]
rows = [l.rstrip("\n").split("\t") for l in open(f"{d}/steps.tsv")]
steps = {r[0]: (float(r[1]), int(r[2]) / 1024, r[3]) for r in rows}
limit_mib = 8 * 1024
print("# Scale run\n")
print(f"Command: `bench/scale.sh {n}` on {cores} cores, {mem} GiB, {day}. Every step is the CLI end to end (process start")
print("included); peak memory is the process's maximum RSS. Goals (issue 30): no step above 8 GiB, a segment preview")
print("under 3 s, a full refresh (20 segments) under 5 minutes.\n")
print(f"DuckDB's memory: {'`warehouse.memory_limit: ' + memory_limit + '`' if memory_limit != 'none' else 'its default (80% of the machine)'} in the workspace's segmenta.yaml.\n")
ingest = json.load(open(f"{d}/ingest_events.json"))
customers = json.load(open(f"{d}/ingest_customers.json"))
print(f"Base: `generate --events {n}` ({ingest['loaded']:,} events loaded, reader `{ingest['reader']}`), "
      f"{customers['loaded']:,} customers (reader `{customers['reader']}`); CSV {int(data_mb):,} MB, workspace {int(ws_mb):,} MB after the run.\n")
print("| step | seconds | peak MiB | goal | met |")
print("|---|---:|---:|---|---|")
previews = [steps[f"preview_{i}"] for i in (1, 2, 3)]
def line(name, s, mib, goal):
    ok = mib < limit_mib and (goal == "-" or s < float(goal))
    print(f"| {name} | {s:.2f} | {mib:,.0f} | {'< ' + goal + ' s, ' if goal != '-' else ''}< 8 GiB | {'yes' if ok else '**no**'} |")
for name in ["generate", "ingest_customers", "ingest_events"]:
    line(name, *steps[name])
line("segment preview (median of 3)", statistics.median(p[0] for p in previews), max(p[1] for p in previews), "3")
for name in ["rfm", "cluster", "clv_fit", "refresh"]:
    line(name, *steps[name])
preview = json.load(open(f"{d}/preview_3.json"))
print(f"\nPreview size: {preview.get('size')}. Refresh steps (s): "
      + ", ".join(f"{s['name']} {s['seconds']:.1f}" for s in json.load(open(f"{d}/refresh.json"))["steps"]) + ".")
PY
cat bench/results/scale.md
