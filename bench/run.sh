#!/usr/bin/env bash
# Ingestion benchmark: for each size, generate events, then time Segmenta's ingest (the CLI, end to
# end, with parsing, conversion, identity, quarantine and the transactional load) side by side with
# DuckDB's own CREATE TABLE AS SELECT * FROM read_csv(...) on the same file, alternating the two
# PAIRS times (default 3; the ratio is the median of the pairs' ratios), and check that both loads
# agree. Writes bench/results/ingest.md.
#   bench/run.sh                       1M, 10M and 30M events
#   bench/run.sh 1000000               one size
#   PAIRS=1 bench/run.sh 10000000      one pair
#   MESSY=0 bench/run.sh 0             the customers row alone
#   CUSTOMERS=0 bench/run.sh           without the customers row (default: 3M customers, ingest customers)
#   MESSY=0 bench/run.sh               without the messy file (default: 10M events, 0.1% malformed, one run)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
sizes=("${@:-1000000 10000000 30000000}")
pairs=${PAIRS:-3}
customers=${CUSTOMERS:-3000000}
messy=${MESSY:-10000000}
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
  echo "Each size: $pairs pairs, DuckDB then Segmenta, each into a fresh database; times are each side's median, the ratio the"
  echo "median of the pairs' ratios (every pair's in brackets); peak memory the largest of the runs. \`reader\` is what Segmenta's"
  echo "\`--json\` says took the file (\`warehouse\`: DuckDB's parallel reader with the conversion in SQL; \`rows\`: row by row)."
  echo "Goal (issue 30): Segmenta within 1.3x of DuckDB's raw load at 10M and 30M events; peak memory under 2 GiB at 30M events"
  echo "and under 1 GiB for 3M customers."
  echo
  echo "| table | rows | file MB | generate s | DuckDB raw s | Segmenta s | ratio (pairs) | Segmenta rows/s | Segmenta peak MiB | DuckDB peak MiB | reader | loads agree |"
  echo "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---|"
} > "$report.tmp"

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# compare TABLE FILE DIR: PAIRS alternating loads of FILE by DuckDB and by `segmenta ingest TABLE`; one row of the table.
compare() {
  local table=$1 file=$2 dir=$3 rows mb raws=() segs=() ratios=() raw_kb=0 seg_kb=0 kb raw_s seg_s reader agree ratio
  rows=$(($(wc -l < "$file") - 1))
  mb=$(( $(stat -c %s "$file") / 1048576 ))
  for ((p = 1; p <= pairs; p++)); do
    read -r raw_s kb < <(measure dotnet .build/bench/Segmenta.Bench.dll raw-load "$file" "$dir/raw.duckdb")
    raw_kb=$(( kb > raw_kb ? kb : raw_kb ))
    rm -rf "$dir/ws" && ./segmenta init "$dir/ws" > /dev/null
    read -r seg_s kb < <(measure ./segmenta ingest "$table" "$file" -w "$dir/ws" --json)
    seg_kb=$(( kb > seg_kb ? kb : seg_kb ))
    reader=$(grep -o '"reader": "[a-z]*"' "$out/stdout.txt" | cut -d'"' -f4)
    raws+=("$raw_s") segs+=("$seg_s") ratios+=("$(awk -v s="$seg_s" -v r="$raw_s" 'BEGIN { printf "%.2f", s / r }')")
  done
  agree=$(dotnet .build/bench/Segmenta.Bench.dll verify "$dir/raw.duckdb" "$dir/ws/segmenta.duckdb" "$table" || true)
  raw_s=$(median "${raws[@]}") seg_s=$(median "${segs[@]}") ratio=$(median "${ratios[@]}")
  awk -v t="$table" -v n="$rows" -v mb="$mb" -v g="$gen_s" -v r="$raw_s" -v s="$seg_s" -v q="$ratio" -v all="${ratios[*]}" -v sk="$seg_kb" -v rk="$raw_kb" -v rd="$reader" -v a="$agree" \
    'BEGIN { printf "| %s | %\047d | %d | %.1f | %.2f | %.2f | %.2f (%s) | %\047d | %d | %d | %s | %s |\n", t, n, mb, g, r, s, q, all, n / s, sk / 1024, rk / 1024, rd, a }' >> "$report.tmp"
}

for n in "${sizes[@]}"; do
  [ "$n" -gt 0 ] || continue
  dir="$out/$n"
  rm -rf "$dir" && mkdir -p "$dir"
  read -r gen_s _ < <(measure ./segmenta generate --customers $((n / 10)) --events "$n" --seed 1 --out "$dir/data")
  compare events "$dir/data/events.csv" "$dir"
  echo "done: $n events" >&2
  rm -rf "$dir"
done

if [ "$customers" -gt 0 ]; then
  dir="$out/customers"
  rm -rf "$dir" && mkdir -p "$dir"
  read -r gen_s _ < <(measure ./segmenta generate --customers "$customers" --events "$customers" --seed 1 --out "$dir/data")
  compare customers "$dir/data/customers.csv" "$dir"
  echo "done: $customers customers" >&2
  rm -rf "$dir"
fi
# A messy file: the same 10M-event base with 0.1% of rows malformed on purpose. DuckDB's reader stops at the first such
# row and the file is read row by row (the cost a messy file pays); DuckDB's raw load refuses the file, so no ratio.
if [ "$messy" -gt 0 ]; then
  dir="$out/messy"
  rm -rf "$dir" && mkdir -p "$dir"
  ./segmenta generate --customers $((messy / 10)) --events "$messy" --seed 1 --error-rate 0.001 --out "$dir/data" > /dev/null
  ./segmenta init "$dir/ws" > /dev/null
  read -r seg_s kb < <(measure ./segmenta ingest events "$dir/data/events.csv" -w "$dir/ws" --json --max-quarantined 1)
  reader=$(grep -o '"reader": "[a-z]*"' "$out/stdout.txt" | cut -d'"' -f4)
  quarantined=$(grep -o '"quarantined": [0-9]*' "$out/stdout.txt" | tr -dc '0-9')
  {
    echo
    echo "A messy file (\`generate --error-rate 0.001\`, $messy events): one run."
    echo
    echo "| events | Segmenta s | reader | quarantined | Segmenta peak MiB |"
    echo "|---:|---:|---|---:|---:|"
    awk -v n="$messy" -v s="$seg_s" -v rd="$reader" -v q="$quarantined" -v k="$kb" 'BEGIN { printf "| %\047d | %.2f | %s | %\047d | %d |\n", n, s, rd, q, k / 1024 }'
  } >> "$report.tmp"
  rm -rf "$dir"
fi
mv "$report.tmp" "$report"
cat "$report"
