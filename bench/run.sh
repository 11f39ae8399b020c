#!/usr/bin/env bash
# Ingestion benchmark: for each size, generate events, then time Segmenta's ingest (the CLI, end to
# end, with parsing, conversion, identity, quarantine and the transactional load) side by side with
# DuckDB's own CREATE TABLE AS SELECT * FROM read_csv(...) on the same file, in the same run, and
# check that both loads agree. Writes bench/results/ingest.md.
#   bench/run.sh              1M and 10M events
#   bench/run.sh 1000000      one size
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
sizes=("${@:-1000000 10000000}")
read -r -a sizes <<< "${sizes[*]}"
out=bench/out
mkdir -p "$out" bench/results
dotnet build bench/Segmenta.Bench -c Release -o .build/bench --nologo -v quiet -clp:ErrorsOnly
./segmenta --help > /dev/null
measure() { /usr/bin/time -f "%e %M" -o "$out/time.txt" "$@" > "$out/stdout.txt"; cat "$out/time.txt"; }

report=bench/results/ingest.md
{
  echo "# Ingestion benchmark"
  echo
  echo "Command: \`bench/run.sh ${sizes[*]}\` on $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(date -u +%Y-%m-%d)."
  echo "Segmenta is the CLI end to end (\`./segmenta ingest events FILE\`, process start included); DuckDB is"
  echo "\`CREATE TABLE AS SELECT * FROM read_csv(FILE)\` in its own process. Peak memory is the process's maximum RSS."
  echo "Goal (issue 2): Segmenta within 1.5x of DuckDB's raw load; peak memory under 2 GiB at 10M events."
  echo
  echo "| events | file MB | generate s | DuckDB raw s | Segmenta s | ratio | Segmenta events/s | Segmenta peak MiB | DuckDB peak MiB | loads agree |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
} > "$report.tmp"

for n in "${sizes[@]}"; do
  dir="$out/$n"
  rm -rf "$dir" && mkdir -p "$dir"
  read -r gen_s _ < <(measure ./segmenta generate --customers $((n / 10)) --events "$n" --seed 1 --out "$dir/data")
  events="$dir/data/events.csv"
  rows=$(($(wc -l < "$events") - 1))
  mb=$(( $(stat -c %s "$events") / 1048576 ))
  read -r raw_s raw_kb < <(measure dotnet .build/bench/Segmenta.Bench.dll raw-load "$events" "$dir/raw.duckdb")
  ./segmenta init "$dir/ws" > /dev/null
  read -r seg_s seg_kb < <(measure ./segmenta ingest events "$events" -w "$dir/ws" --json)
  agree=$(dotnet .build/bench/Segmenta.Bench.dll verify "$dir/raw.duckdb" "$dir/ws/segmenta.duckdb" || true)
  awk -v n="$rows" -v mb="$mb" -v g="$gen_s" -v r="$raw_s" -v s="$seg_s" -v sk="$seg_kb" -v rk="$raw_kb" -v a="$agree" \
    'BEGIN { printf "| %\047d | %d | %.1f | %.2f | %.2f | %.2f | %\047d | %d | %d | %s |\n", n, mb, g, r, s, s / r, n / s, sk / 1024, rk / 1024, a }' >> "$report.tmp"
  echo "done: $n events" >&2
  rm -rf "$dir"
done
mv "$report.tmp" "$report"
cat "$report"
