#!/usr/bin/env bash
# Server load benchmark (issue 10): on a generated base of N events and N/10 customers (DuckDB),
# `segmenta serve` on a free loopback port, then
#  - a saved segment's preview over the API, one client, 100 requests in a row: latency percentiles,
#    with the size checked against a hand-written DuckDB query (Segmenta.Bench segment-sql);
#  - a load generator (Segmenta.Bench track-load) sending Tracking API batches of B track calls from
#    C concurrent clients for S seconds, each client waiting for its acknowledgement; after the server
#    stopped, events acknowledged must equal events stored (no loss, no duplicate, nothing quarantined);
#  - a refresh over the API (POST /api/refresh) and, while it runs, one client previewing the saved segment in a
#    row and C/4 clients sending batches (Segmenta.Bench during-refresh): preview and acknowledgement latencies
#    during the refresh (issue 24: reads must not queue behind writes);
#  - activation (issue 28): after that refresh, purchases by new users at RATE events/s (Segmenta.Bench
#    activation-latency), each making its user enter the segment live_buyers; a webhook destination to a receiver in
#    the bench process: per user, the time from the batch's acknowledgement to the entry's arrival at the receiver.
# Writes bench/results/server.md.
#   bench/server.sh                         10M events; 30 s of load, 16 clients, batches of 500
#   bench/server.sh N SECONDS CLIENTS BATCH [RATE]  another size or load (RATE: activation events/s, default 2000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n="${1:-10000000}" seconds="${2:-30}" clients="${3:-16}" batch="${4:-500}" rate="${5:-2000}"
out=bench/out/server
rm -rf "$out" && mkdir -p "$out" bench/results
dotnet build bench/Segmenta.Bench -c Release -o .build/bench --nologo -v quiet -clp:ErrorsOnly
./segmenta --help > /dev/null
bench() { dotnet .build/bench/Segmenta.Bench.dll "$@"; }

. bench/base.sh
build_base "$n" "$out"
cp bench/bench.seg "$out/ws/segments/"
# Activation: a segment new buyers enter with one purchase, and a webhook to the bench's receiver.
echo 'segment live_buyers "Bought in the last day" where count(purchase, last 1 day) >= 1' > "$out/ws/segments/live.seg"
hook_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export BENCH_HOOK_SECRET="bench-secret-$(date +%s)-0123456789abcdef"
mkdir -p "$out/ws/destinations"
cat > "$out/ws/destinations/live_hook.yaml" <<YAML
type: webhook
segments: [live_buyers]
consent: ignore
traits: [email]
url: http://127.0.0.1:$hook_port/hook/
secret_env: BENCH_HOOK_SECRET
batch_size: 500
YAML
token() { ./segmenta keys create "$1" --scopes "$2" -w "$out/ws" --json | grep '"token"' | sed 's/.*: "//; s/".*//'; }
reader=$(token bench-reader read)
tracker=$(token bench-tracker ingest)
admin=$(token bench-admin admin)

read -r _ _ _ members agree < <(bench segment-sql "$out/ws")  # before the load adds events
before=$(./segmenta status -w "$out/ws" --json | grep -m1 '"events"' | tr -dc '0-9')
./segmenta serve -w "$out/ws" --listen http://127.0.0.1:0 --json > "$out/serve.json" 2> "$out/serve.err" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do grep -q '"address"' "$out/serve.json" 2>/dev/null && break; sleep 0.1; done
url=$(grep '"address"' "$out/serve.json" | sed 's/.*: "//; s/".*//')

bench preview-load "$url" "$reader" bench_behavioral 2025-01-01 100 > "$out/preview.json"
bench track-load "$url" "$tracker" "$out/data/customers.csv" "$seconds" "$clients" "$batch" > "$out/load.json" || true
during_clients=$(( clients / 4 > 0 ? clients / 4 : 1 ))
bench during-refresh "$url" "$admin" "$tracker" bench_behavioral 2025-01-01 "$out/data/customers.csv" "$during_clients" "$batch" > "$out/during.json" || true
bench activation-latency "$url" "$tracker" "$hook_port" "$BENCH_HOOK_SECRET" "$seconds" "$rate" 200 > "$out/activation.json" || true
kill -TERM $server && wait $server || true
trap - EXIT
read -r stored distinct quarantined total during_stored < <(bench stored "$out/ws/segmenta.duckdb")
events=$(grep -m1 '"loaded"' "$out/ingest.json" | tr -dc '0-9')

field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]])" "$1" "$2"; }
acknowledged=$(field "$out/load.json" acknowledged)
size=$(python3 -c "import json; print(','.join(map(str, json.load(open('$out/preview.json'))['sizes'])))")
verdict() { if [ "$1" = "$2" ]; then echo "equal"; else echo "DIFFER"; fi; }
{
  echo "# Server load benchmark"
  echo
  echo "Command: \`bench/server.sh $n $seconds $clients $batch\` on $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(date -u +%Y-%m-%d)."
  echo "Data: \`segmenta generate --customers $((n / 10)) --events $n --seed 1\`, ingested ($events events loaded) into DuckDB;"
  echo "\`segmenta serve\` on a free loopback port; the clients run in another process on the same 2 cores."
  echo
  echo "Goals (issue 10): a saved segment's preview over the API on 10M events with p99 under 1 s;"
  echo "batched \`track\` calls sustained at 20,000 events/s or more with zero loss (acknowledged = stored)."
  echo
  echo "## Preview over the API (bench_behavioral, bench/bench.seg; one client, 100 requests after 2 warm-ups)"
  echo
  echo "| measure | value |"
  echo "|---|---:|"
  echo "| p50 ms | $(field "$out/preview.json" ms_p50) |"
  echo "| p95 ms | $(field "$out/preview.json" ms_p95) |"
  echo "| p99 ms | $(field "$out/preview.json" ms_p99) |"
  echo "| max ms | $(field "$out/preview.json" ms_max) |"
  echo "| size answered (every request) | $size |"
  echo "| members by a hand-written DuckDB query | $members ($(verdict "$size" "$members")) |"
  echo
  echo "## Tracking API load (\`POST /v1/batch\`, $clients clients, $batch track calls a batch, $seconds s)"
  echo
  echo "| measure | value |"
  echo "|---|---:|"
  echo "| events acknowledged | $acknowledged |"
  echo "| events/s acknowledged | $(field "$out/load.json" events_per_second) |"
  echo "| batches sent | $(field "$out/load.json" requests) |"
  echo "| batch round trip p50 / p99 ms | $(field "$out/load.json" batch_ms_p50) / $(field "$out/load.json" batch_ms_p99) |"
  echo "| failed events (errors, timeouts) | $(field "$out/load.json" failed) |"
  echo "| stored after the run (distinct message ids) | $stored ($distinct) |"
  echo "| quarantined from the endpoint | $quarantined |"
  echo "| acknowledged = stored | $(verdict "$acknowledged" "$stored") |"
  echo "| events in the warehouse before / after | ${before:-?} / $total |"
  echo
  echo "## While a refresh runs (\`POST /api/refresh\`; one previewing client, $during_clients tracking clients, batches of $batch)"
  echo
  echo "Goals (issue 24): reads do not queue behind writes — preview p99 under 1 s and acknowledgement p99 under 250 ms"
  echo "while a refresh runs, at 10M events. Reads use reader connections, flushes a collection connection, the refresh"
  echo "the writer (docs/server.md); on 2 cores they still share the CPU with the refresh."
  echo
  echo "| measure | value |"
  echo "|---|---:|"
  echo "| refresh status / seconds | $(field "$out/during.json" refresh_status) / $(field "$out/during.json" refresh_seconds) |"
  echo "| previews during it | $(field "$out/during.json" previews) |"
  echo "| preview p50 / p99 / max ms | $(field "$out/during.json" preview_ms_p50) / $(field "$out/during.json" preview_ms_p99) / $(field "$out/during.json" preview_ms_max) |"
  echo "| batches during it | $(field "$out/during.json" batches) |"
  echo "| acknowledgement p50 / p99 / max ms | $(field "$out/during.json" ack_ms_p50) / $(field "$out/during.json" ack_ms_p99) / $(field "$out/during.json" ack_ms_max) |"
  echo "| events acknowledged during it / stored | $(field "$out/during.json" acknowledged) / $during_stored ($(verdict "$(field "$out/during.json" acknowledged)" "$during_stored")) |"
  echo "| failed requests | $(field "$out/during.json" failed) |"
  echo
  echo "## Activation: from acknowledgement to webhook delivery ($rate events/s of purchases by new users, batches of 200, $seconds s)"
  echo
  echo "Goal (issue 28): p99 from an event's acknowledgement to its webhook delivery under 5 s with 2,000 events/s flowing,"
  echo "at 10M events and 1M customers. Each event is a new user's purchase, which makes the user enter \`live_buyers\`"
  echo "(\`count(purchase, last 1 day) >= 1\`) by a live update after the flush (docs/activation.md); the webhook"
  echo "destination (\`consent: ignore\`) delivers to a receiver in the load generator's process, which checks every signature."
  echo "Every segment of the workspace that reads events is re-evaluated for the touched customers on each live update."
  echo
  echo "| measure | value |"
  echo "|---|---:|"
  echo "| events/s acknowledged | $(field "$out/activation.json" events_per_second) |"
  echo "| users acknowledged / delivered / missing | $(field "$out/activation.json" acknowledged) / $(field "$out/activation.json" delivered) / $(field "$out/activation.json" missing) |"
  echo "| bad signatures | $(field "$out/activation.json" bad_signatures) |"
  echo "| acknowledgement to delivery p50 / p95 / p99 / max s | $(field "$out/activation.json" latency_s_p50) / $(field "$out/activation.json" latency_s_p95) / $(field "$out/activation.json" latency_s_p99) / $(field "$out/activation.json" latency_s_max) |"
  echo
  echo "Raw: preview \`$(cat "$out/preview.json")\`; load \`$(cat "$out/load.json")\`; during the refresh \`$(cat "$out/during.json")\`; activation \`$(cat "$out/activation.json")\`."
} > bench/results/server.md
cat bench/results/server.md
