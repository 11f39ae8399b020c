#!/usr/bin/env bash
# Segment preview benchmark (issue 3): on a generated base of N events and N/10 customers, time
#  - `./segmenta segment preview bench_behavioral --json` end to end through the CLI (process start
#    included) with a warm workspace: median of 5 runs after one warm-up;
#  - the compiled members query against a hand-written DuckDB query for the same segment, side by
#    side in one process (Segmenta.Bench segment-sql), which also checks both count the same members.
# Writes bench/results/segments.md.
#   bench/segments.sh              10M events, 1M customers
#   bench/segments.sh 1000000      another size
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n="${1:-10000000}"
out=bench/out/segments
rm -rf "$out" && mkdir -p "$out" bench/results
dotnet build bench/Segmenta.Bench -c Release -o .build/bench --nologo -v quiet -clp:ErrorsOnly
./segmenta --help > /dev/null

. bench/base.sh
build_base "$n" "$out"
cp bench/bench.seg "$out/ws/segments/"

preview() { ./segmenta segment preview bench_behavioral -w "$out/ws" --as-of 2025-01-01 --json > "$out/preview.json"; }
preview
times=()
for _ in 1 2 3 4 5; do
  start=$(date +%s%N); preview; end=$(date +%s%N)
  times+=("$(( (end - start) / 1000000 ))")
done
median_ms=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
size=$(grep -m1 '"size"' "$out/preview.json" | tr -dc '0-9')
query_s=$(grep -m1 '"seconds"' "$out/preview.json" | sed 's/.*: //; s/,//')
read -r compiled_s hand_s members agree < <(dotnet .build/bench/Segmenta.Bench.dll segment-sql "$out/ws")
events=$(grep -m1 '"loaded"' "$out/ingest.json" | tr -dc '0-9')

{
  echo "# Segment preview benchmark"
  echo
  echo "Command: \`bench/segments.sh $n\` on $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(date -u +%Y-%m-%d)."
  echo "Data: \`segmenta generate --customers $((n / 10)) --events $n --seed 1\`, ingested ($events events loaded); as of 2025-01-01."
  echo
  echo "Segment (three trait conditions, two event aggregates in windows):"
  echo
  echo '```'
  grep -v '^#' bench/bench.seg
  echo '```'
  echo
  echo "Goals (issue 3): preview under 1 s end to end through the CLI with a warm workspace; the compiled"
  echo "SQL within 1.25x of a hand-written DuckDB query for the same segment."
  echo
  echo "| measure | value |"
  echo "|---|---:|"
  echo "| \`segment preview --json\` through the CLI, process start included (median of 5, ms) | $median_ms |"
  echo "| of which the preview's queries (size, funnel, revenue, sample; s) | $query_s |"
  echo "| compiled members query (median of 7, s) | $compiled_s |"
  echo "| hand-written DuckDB query (median of 7, s) | $hand_s |"
  awk -v c="$compiled_s" -v h="$hand_s" 'BEGIN { printf "| compiled / hand-written | %.2f |\n", c / h }'
  echo "| members (both queries agree: $agree) | $members |"
  echo "| preview size | $size |"
  echo
  echo "All preview runs (ms): ${times[*]}"
} > bench/results/segments.md
cat bench/results/segments.md
