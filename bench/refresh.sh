#!/usr/bin/env bash
# Refresh benchmark (issue 9): on a generated base of N events and N/10 customers with 20 segments
# (the 11 named RFM segments, 5 k-means clusters and 4 written ones using events, features, RFM and
# CLV), a k-means model and an MBG/NBD (the default) + Gamma-Gamma fit, `./segmenta refresh --as-of T --json` at four
# weekly instants, each timed end to end through the CLI (process start included). Reports each
# refresh's wall time and steps, and how the history grows per snapshot (interval rows, materialization
# rows, the DuckDB file) next to what a full copy of every membership would take.
# Writes bench/results/refresh.md.
#   bench/refresh.sh            10M events, 1M customers
#   bench/refresh.sh 1000000    another size
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n="${1:-10000000}"
out=bench/out/refresh
rm -rf "$out" && mkdir -p "$out" bench/results
./segmenta --help > /dev/null

. bench/base.sh
build_base "$n" "$out"
ws="$out/ws"
cat > "$ws/segments/bench.seg" <<'SEG'
segment engaged_spenders "Engaged mid-age spenders"
where country in ("US", "CA") and age between 25 and 54 and email_opt_in
  and sum(purchase.revenue, last 365 days) >= 200 and count(email_open, last 90 days) >= 1
segment recent_buyers where did purchase in last 90 days
segment likely_lapsing where clv.p_alive < 0.5 and features.frequency >= 2
segment high_value where clv.value >= 500 or rfm.segment = "Champions"
SEG
./segmenta cluster -w "$ws" --as-of 2024-12-11 -k 5 --features recency_days,frequency,monetary,sessions,email_open_rate --json > "$out/cluster.json"
./segmenta clv fit -w "$ws" --as-of 2024-12-11 --json > "$out/clv.json"

rows() { ./segmenta status -w "$ws" --json > /dev/null; }
for t in 2024-12-11 2024-12-18 2024-12-25 2025-01-01; do
  s=$(date +%s%N)
  ./segmenta refresh -w "$ws" --as-of "$t" --json > "$out/refresh-$t.json"
  e=$(date +%s%N)
  echo $(( (e - s) / 1000000 )) > "$out/refresh-$t.ms"
  stat -c %s "$ws/segmenta.duckdb" > "$out/refresh-$t.bytes"
done

/usr/bin/python3 - "$out" "$n" "$(nproc)" "$(free -g | awk '/Mem:/ {print $2}')" "$(date -u +%Y-%m-%d)" > bench/results/refresh.md <<'PY'
import json, sys, statistics
d, n, cores, mem, day = sys.argv[1:]
days = ["2024-12-11", "2024-12-18", "2024-12-25", "2025-01-01"]
reports = [json.load(open(f"{d}/refresh-{t}.json")) for t in days]
ms = [int(open(f"{d}/refresh-{t}.ms").read()) for t in days]
size = [int(open(f"{d}/refresh-{t}.bytes").read()) for t in days]
segs = len(reports[0]["segments"])
customers = reports[0]["steps"][0]["rows"]
print("# Refresh benchmark\n")
print(f"Command: `bench/refresh.sh {n}` on {cores} cores, {mem} GiB, {day}.")
print(f"Base: {int(n):,} generated events, {customers:,} customers (seed 1), DuckDB; {segs} segments (11 RFM, 5 clusters, 4 written: events, features, RFM, CLV);")
print("a k-means model (k = 5) and an MBG/NBD (the default) + Gamma-Gamma fit made as of 2024-12-11; `segmenta refresh --as-of T --json` at four weekly instants.\n")
print("Goal (issue 9): a full refresh of the 10M-event / 1M-customer base with 20 segments under 30 s.\n")
print("| as of | wall s (CLI, process start included) | features | rfm | clusters | clv | segments | drift | commit | entered | exited | alerts |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for t, r, w in zip(days, reports, ms):
    st = {s["name"]: s["seconds"] for s in r["steps"]}
    ent = sum(s["entered"] for s in r["segments"]); ex = sum(s["exited"] for s in r["segments"])
    print(f"| {t} | {w/1000:.2f} | " + " | ".join(f"{st[k]:.2f}" for k in ["features","rfm","clusters","clv","segments","drift","commit"]) + f" | {ent:,} | {ex:,} | {len(r['alerts'])} |")
later = ms[1:]
print(f"\nMedian of the three refreshes after the first: **{statistics.median(later)/1000:.2f} s** (the first records every member as entering).\n")
print("History growth per snapshot: one interval row per customer entering a segment, one materialization row per")
print("segment; a full copy of every membership would add one row per member per snapshot.\n")
print("| as of | interval rows added | materialization rows added | full-copy rows it replaces | DuckDB file, MB | file growth, MB |")
print("|---|---:|---:|---:|---:|---:|")
prev = None
for t, r, b in zip(days, reports, size):
    ent = sum(s["entered"] for s in r["segments"]); full = sum(s["size"] for s in r["segments"])
    growth = "" if prev is None else f"{(b - prev)/1e6:+.1f}"
    print(f"| {t} | {ent:,} | {len(r['segments'])} | {full:,} | {b/1e6:.0f} | {growth} |")
    prev = b
print("\nThe file also holds the current snapshot's features, RFM scores and cluster scores (replaced at each refresh),")
print("so its growth per snapshot is the interval rows plus DuckDB's block churn; the full-copy column is what the")
print("earlier design (a copy of each segment per as-of) would have appended.")
last = reports[-1]
print(f"\nLast snapshot: {len(last['features'])} features profiled, alerts: " + ("none" if not last["alerts"] else "; ".join(a["message"] for a in last["alerts"])) + ".")
PY
cat bench/results/refresh.md
