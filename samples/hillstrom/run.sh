#!/usr/bin/env bash
# The Hillstrom e-mail experiment as a campaign: run inside a fresh workspace (segmenta init hillstrom &&
# cd hillstrom). Loads the 64,000 customers with their recorded arm (../shared/data/Kevin_Hillstrom_...csv,
# or $SEGMENTA_DATA/...), their visits and purchases as events, the data's own segments (men's buyers,
# women's buyers, both) and the campaign file, launches it (reading the arms the experiment drew) and
# measures it against the No E-Mail holdout; charts go to ./charts. Extra arguments, such as --json or
# --correction bh, go to `segmenta measure`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
data="${SEGMENTA_DATA:-$root/../shared/data}"
segmenta="${SEGMENTA:-$root/segmenta}"
file="$data/Kevin_Hillstrom_MineThatData_E-MailAnalytics_DataMiningChallenge_2008.03.20.csv"
"$segmenta" ingest customers "$file" --mapping "$here/customers.yaml" >&2
"$segmenta" ingest events "$file" --mapping "$here/visits.yaml" >&2
"$segmenta" ingest events "$file" --mapping "$here/purchases.yaml" >&2
cp "$here/segments.seg" segments/hillstrom.seg
cp "$here/hillstrom.yaml" campaigns/hillstrom.yaml
"$segmenta" campaign launch hillstrom --as-of 2008-01-01 >&2
"$segmenta" measure hillstrom --charts charts "$@"
