#!/usr/bin/env bash
# Report benchmark (issue 25): on the demo's 50,000-customer workspace (1M events, 19 written and generated
# segments, a k-means model, a CLV fit, a launched campaign), `./segmenta report` end to end through the CLI
# (process start included), three runs, against what a user gets without it: the same documents fetched one by
# one from `segmenta serve` (the API the dashboard reads as a user opens every view), on a warm server, three
# passes. Both build every document from the same core; the report computes features, RFM and clusters once for
# all segments (docs/architecture.md, "Who owns the SQL").
# Writes bench/results/report.md.
#   bench/report.sh            50,000 customers
#   bench/report.sh 200000     another size (events: 20 per customer)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
customers="${1:-50000}"
out=bench/out/report
rm -rf "$out" && mkdir -p "$out" bench/results
./segmenta --help > /dev/null
./segmenta demo --out "$out/ws" --customers "$customers" --events $((customers * 20)) --json > "$out/demo.json"
ws="$out/ws"

for i in 1 2 3; do
  s=$(date +%s%N)
  ./segmenta report -w "$ws" --out "$out/report.html" --json > "$out/report.json"
  e=$(date +%s%N)
  echo $(( (e - s) / 1000000 )) >> "$out/report.ms"
done

# The same documents over the API, path by path, from a warm server.
token=$(./segmenta keys create bench -w "$ws" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
./segmenta serve -w "$ws" --listen http://127.0.0.1:0 > "$out/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  url=$(grep -o 'http://127.0.0.1:[0-9]*' "$out/serve.log" | head -1 || true)
  [ -n "$url" ] && curl -fs "$url/health" > /dev/null && break
  sleep 0.5
done
/usr/bin/python3 - "$out/report.html" > "$out/paths.txt" <<'PY'
import json, sys
html = open(sys.argv[1]).read()
start = html.index('<script id="segmenta-report" type="application/json">') + len('<script id="segmenta-report" type="application/json">')
data = json.loads(html[start:html.index("</script>", start)].replace("<\\/", "</"))
print("\n".join(data["documents"]))
PY
curl -fs -H "Authorization: Bearer $token" "$url/api/status" > /dev/null
for i in 1 2 3; do
  s=$(date +%s%N)
  while read -r path; do
    curl -fs -H "Authorization: Bearer $token" "$url$path" > /dev/null
  done < "$out/paths.txt"
  e=$(date +%s%N)
  echo $(( (e - s) / 1000000 )) >> "$out/api.ms"
done
kill $server; wait $server 2>/dev/null || true; trap - EXIT

/usr/bin/python3 - "$out" "$customers" "$(nproc)" "$(free -g | awk '/Mem:/ {print $2}')" "$(date -u +%Y-%m-%d)" > bench/results/report.md <<'PY'
import json, statistics, sys
d, customers, cores, mem, day = sys.argv[1:]
report = [int(x) / 1000 for x in open(f"{d}/report.ms").read().split()]
api = [int(x) / 1000 for x in open(f"{d}/api.ms").read().split()]
paths = open(f"{d}/paths.txt").read().split()
summary = json.load(open(f"{d}/report.json"))
print("# Report benchmark\n")
print(f"Command: `bench/report.sh {customers}` on {cores} cores, {mem} GiB, {day}.")
print(f"Workspace: `segmenta demo --customers {int(customers):,} --events {int(customers) * 20:,}` (DuckDB; written, RFM and cluster segments, a CLV fit, a launched campaign).\n")
print("Goal (issue 25): the report of the 50,000-customer demo in under 5 s.\n")
print(f"| what | documents | runs (s) | median s |")
print("|---|---:|---|---:|")
print(f"| `segmenta report` (CLI, process start included) | {len(paths)} | {', '.join(f'{x:.2f}' for x in report)} | {statistics.median(report):.2f} |")
print(f"| the same paths from `segmenta serve`, one by one (warm server, curl) | {len(paths)} | {', '.join(f'{x:.2f}' for x in api)} | {statistics.median(api):.2f} |")
print()
print("Both answer from the same core (`WorkspaceViews`); the report's documents equal the API's path by path")
print("(Server.Tests). The report computes every customer's features, RFM scores and clusters once into temporary")
print("tables and every segment reads them; each API request computes what it needs itself.")
PY
cat bench/results/report.md
