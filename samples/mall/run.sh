#!/usr/bin/env bash
# The Mall Customers k-means example: run inside a fresh workspace (segmenta init mall && cd mall).
# Loads ../shared/data/Mall_Customers.csv (or $SEGMENTA_DATA/Mall_Customers.csv) and clusters annual
# income (k$) and spending score with k = 5, unscaled: the widely published five-cluster solution
# (inertia 44,448.46; clusters of 81, 39, 35, 23 and 22 customers). Extra arguments, such as --json,
# go to `segmenta cluster`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
data="${SEGMENTA_DATA:-$root/../shared/data}"
segmenta="${SEGMENTA:-$root/segmenta}"
"$segmenta" ingest customers "$data/Mall_Customers.csv" --mapping "$here/mapping.yaml" >&2
"$segmenta" cluster --features annual_income_k,spending_score -k 5 --scale none --log none "$@"
