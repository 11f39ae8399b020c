#!/usr/bin/env bash
# The whole journey on a real shop's data, UCI Online Retail (../shared/data/online_retail.csv, or
# $SEGMENTA_DATA/...): run inside a fresh workspace made for it,
#   segmenta init retail --timezone Europe/London --currency GBP && cd retail && ../samples/online_retail/run.sh
# Ingests the invoice lines as purchase and refund events and, from the same file, the customers with their
# country; then features, RFM, k-means clusters, the CLV models compared and fitted with their diagnostics,
# the segments of segments.seg, persona cards, a win-back campaign plan, four-weekly snapshots since
# 2011-09-17 (history and migration) and the HTML report, all as of
# 2011-12-10 (the day after the last invoice). With --json it prints one JSON array: each step's name and its
# `--json` document.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
data="${SEGMENTA_DATA:-$root/../shared/data}"
segmenta="${SEGMENTA:-$root/segmenta}"
as_of=2011-12-10
json=false
[ "${1:-}" = "--json" ] && json=true

cp "$here/segments.seg" segments/online_retail.seg
cp "$here/winback.yaml" campaigns/winback.yaml

first=true
step() {
  local name="$1"; shift
  if $json; then
    $first && printf '[\n' || printf ',\n'
    first=false
    printf '{"step": "%s", "result":\n' "$name"
    # Findings (exit 1, such as clv compare recommending no model) are results, not failures.
    "$segmenta" "$@" --json || [ $? -eq 1 ]
    printf '}'
  else
    echo "== $name" >&2
    "$segmenta" "$@" || [ $? -eq 1 ]
  fi
}

step ingest_events ingest events "$data/online_retail.csv" --mapping "$root/samples/mappings/online_retail.yaml"
step ingest_customers ingest customers "$data/online_retail.csv" --mapping "$here/customers.yaml"
step status status
step check segment check
step features features --as-of "$as_of"
step rfm rfm --as-of "$as_of" --store
step clusters cluster --features recency_days,frequency,monetary,avg_order_value --as-of "$as_of"
step clv_compare clv compare --as-of "$as_of"
step clv_fit clv fit --as-of "$as_of"
step preview segment preview lapsed_regulars --as-of "$as_of"
step personas persona uk_customers international lapsed_regulars big_baskets refund_only rfm_champions rfm_lost --as-of "$as_of"
step plan campaign plan winback --as-of "$as_of" --lift 0.2
step refresh refresh --from 2011-09-17 --to "$as_of" --every "4 weeks"
step report report --out report.html --as-of "$as_of"
$json && printf '\n]\n'
exit 0
