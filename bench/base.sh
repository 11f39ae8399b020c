# Sourced by the benchmarks on a generated workspace: build_base N OUT generates N events for N/10
# customers (seed 1) into OUT/data, creates the DuckDB workspace OUT/ws and ingests both files
# (the events run's JSON in OUT/ingest.json, its seconds, process start included, in OUT/ingest_seconds).
build_base() {
  local n="$1" out="$2"
  ./segmenta generate --customers $((n / 10)) --events "$n" --seed 1 --out "$out/data" > /dev/null
  ./segmenta init "$out/ws" > /dev/null
  ./segmenta ingest customers "$out/data/customers.csv" -w "$out/ws" --json > /dev/null
  local start end
  start=$(date +%s%N)
  ./segmenta ingest events "$out/data/events.csv" -w "$out/ws" --json > "$out/ingest.json"
  end=$(date +%s%N)
  awk -v ns="$((end - start))" 'BEGIN { printf "%.2f\n", ns / 1e9 }' > "$out/ingest_seconds"
}
