#!/usr/bin/env bash
# The CDNOW lifetime-value example: run inside a fresh workspace (segmenta init cdnow && cd cdnow).
# Loads the 2,357-customer CDNOW sample (../shared/data/CDNOW_sample.txt, or $SEGMENTA_DATA/...) and
# validates the purchase model the way Fader, Hardie and Lee (2005) do: fit on the first 39 weeks
# (through 1997-09-30), predict the next 39 (through 1998-06-30), compare by calibration frequency and
# week by week; charts go to ./charts. Extra arguments, such as --model pareto or --json, go to
# `segmenta clv validate`. Then `segmenta clv fit --calibration-end 1998-06-30 --as-of 1998-07-01`
# fits on everything and stores every customer's CLV.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
data="${SEGMENTA_DATA:-$root/../shared/data}"
segmenta="${SEGMENTA:-$root/segmenta}"
"$segmenta" ingest events "$data/CDNOW_sample.txt" --mapping "$here/mapping.yaml" >&2
"$segmenta" clv validate --calibration-end 1997-09-30 --holdout-end 1998-06-30 --charts charts "$@"
