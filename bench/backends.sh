#!/usr/bin/env bash
# Backends benchmark (issue 4): the same generated base (N events, N/10 customers) ingested and
# previewed through the CLI on embedded DuckDB, on one PostgreSQL node and on a sharded PostgreSQL
# (a coordinator and two workers, postgres_fdw), all on this machine, in one run. For each backend:
#  - `segmenta ingest customers` and `segmenta ingest events` (wall clock, process start included);
#  - the same events file again (every row a duplicate: the cost of dedupe against a full table);
#  - `segmenta segment preview` of bench/bench.seg's segment, median of 3 after a warm-up, and the
#    preview's own query time; the preview sizes must agree across backends.
# The PostgreSQL clusters are throwaway (scripts/pg-cluster.sh), tuned for the machine's memory, and
# stopped on exit. Writes bench/results/backends.md.
#   bench/backends.sh              10M events, 1M customers
#   bench/backends.sh 1000000      another size
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n="${1:-10000000}"
out=bench/out/backends
rm -rf "$out" && mkdir -p "$out" bench/results
./segmenta --help > /dev/null

pg_root="$(mktemp -d /tmp/segmenta-bench-pg.XXXXXX)"
chmod 755 "$pg_root"
trap 'for d in "$pg_root"/*; do [ -d "$d" ] && scripts/pg-cluster.sh stop "$d"; done; rm -rf "$pg_root"' EXIT
# One node gets a quarter of memory for shared buffers; three instances share it three ways.
mem_gb=$(free -g | awk '/Mem:/ {print $2}')
single_opts="-c shared_buffers=$((mem_gb / 4))GB -c work_mem=256MB -c maintenance_work_mem=1GB -c max_wal_size=8GB -c effective_cache_size=$((mem_gb / 2))GB"
shard_opts="-c shared_buffers=$((mem_gb / 12))GB -c work_mem=128MB -c maintenance_work_mem=512MB -c max_wal_size=4GB"
single="$(PG_OPTIONS="$single_opts" scripts/pg-cluster.sh start "$pg_root/single")"
coordinator="$(PG_OPTIONS="$shard_opts" scripts/pg-cluster.sh start "$pg_root/coordinator")"
worker0="$(PG_OPTIONS="$shard_opts" scripts/pg-cluster.sh start "$pg_root/worker0")"
worker1="$(PG_OPTIONS="$shard_opts" scripts/pg-cluster.sh start "$pg_root/worker1")"
db() { echo "${1/Database=postgres/Database=$2}"; }

./segmenta generate --customers $((n / 10)) --events "$n" --seed 1 --out "$out/data" > /dev/null

ms() { local start end; start=$(date +%s%N); "$@" > /dev/null; end=$(date +%s%N); echo $(( (end - start) / 1000000 )); }
rows=()
for backend in duckdb postgres sharded; do
  ws="$out/$backend"
  case "$backend" in
    duckdb) ./segmenta init "$ws" > /dev/null ;;
    postgres) ./segmenta init "$ws" --warehouse "$(db "$single" segmenta)" > /dev/null ;;
    sharded) ./segmenta init "$ws" --warehouse "$(db "$coordinator" segmenta)" \
               --shard "$(db "$worker0" segmenta_worker)" --shard "$(db "$worker1" segmenta_worker)" > /dev/null ;;
  esac
  cp bench/bench.seg "$ws/segments/"
  customers_ms=$(ms ./segmenta ingest customers "$out/data/customers.csv" -w "$ws")
  events_ms=$(ms ./segmenta ingest events "$out/data/events.csv" -w "$ws")
  again_ms=$(ms ./segmenta ingest events "$out/data/events.csv" -w "$ws")
  preview() { ./segmenta segment preview bench_behavioral -w "$ws" --as-of 2025-01-01 --json > "$out/$backend-preview.json"; }
  preview
  times=()
  for _ in 1 2 3; do times+=("$(ms preview)"); done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  size=$(grep -m1 '"size"' "$out/$backend-preview.json" | tr -dc '0-9')
  query_s=$(grep -m1 '"seconds"' "$out/$backend-preview.json" | sed 's/.*: //; s/,//')
  loaded=$(./segmenta status -w "$ws" --json | grep -m1 '"events"' | tr -dc '0-9')
  rows+=("$backend|$customers_ms|$events_ms|$again_ms|$median|$query_s|$size|$loaded")
  echo "$backend: ingest customers ${customers_ms} ms, events ${events_ms} ms, again ${again_ms} ms; preview ${median} ms (${times[*]}), size $size" >&2
done

sizes=$(printf '%s\n' "${rows[@]}" | cut -d'|' -f7 | sort -u | wc -l)
{
  echo "# Backends benchmark: DuckDB, PostgreSQL, sharded PostgreSQL"
  echo
  echo "Command: \`bench/backends.sh $n\` on $(nproc) cores, ${mem_gb} GiB, $(date -u +%Y-%m-%d); PostgreSQL $(scripts/pg-cluster.sh version 2>/dev/null || echo 15)."
  echo "Data: \`segmenta generate --customers $((n / 10)) --events $n --seed 1\` (CSV); every step through the CLI, process start included."
  echo "Sharded: a coordinator and two workers on this same machine (customers and events hash-partitioned by"
  echo "customer, postgres_fdw foreign partitions); all three instances share its $(nproc) cores."
  echo "Server settings: one node \`$single_opts\`; each sharded instance \`$shard_opts\` (fsync off: throwaway clusters)."
  echo
  echo "| backend | ingest customers (s) | ingest events (s) | same events again, all duplicates (s) | preview through the CLI, median of 3 (s) | of which queries (s) | preview size | events stored |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for r in "${rows[@]}"; do
    IFS='|' read -r b c e a p q s l <<< "$r"
    awk -v b="$b" -v c="$c" -v e="$e" -v a="$a" -v p="$p" -v q="$q" -v s="$s" -v l="$l" \
      'BEGIN { printf "| %s | %.1f | %.1f | %.1f | %.2f | %s | %s | %s |\n", b, c / 1000, e / 1000, a / 1000, p / 1000, q, s, l }'
  done
  echo
  if [ "$sizes" -eq 1 ]; then echo "The preview sizes agree on all three backends."; else echo "**The preview sizes differ between backends.**"; fi
} > bench/results/backends.md
cat bench/results/backends.md
