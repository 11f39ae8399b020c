#!/usr/bin/env bash
# CLV benchmark (issue 7): on a generated base of N events and N/10 customers, as of 2025-01-01, time
# end to end through the CLI (process start included, median of 3 after a warm-up run):
#  - `./segmenta clv fit --json`: the purchase days read from DuckDB, the default purchase model (MBG/NBD) and
#    Gamma-Gamma fitted, the holdout check's refit,
#    the fit stored, every customer's predictions (12 months, 10% discount) computed and stored;
#  - `./segmenta clv predict --json`: predictions again from the stored fit.
# Checks that the stored predictions cover every customer with a purchase, once, with a value that is
# present and not negative and a P(alive) in [0, 1]. Writes bench/results/clv.md.
#   bench/clv.sh              10M events, 1M customers
#   bench/clv.sh 1000000      another size
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n="${1:-10000000}"
out=bench/out/clv
rm -rf "$out" && mkdir -p "$out" bench/results
./segmenta --help > /dev/null

. bench/base.sh
build_base "$n" "$out"

median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
timed() { local s e; s=$(date +%s%N); "$@" > /dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
fit() { ./segmenta clv fit -w "$out/ws" --as-of 2025-01-01 --json; }
predict() { ./segmenta clv predict -w "$out/ws" --as-of 2025-01-01 --json; }
fit > "$out/fit.json"
f_ms=$(median "$(timed fit)" "$(timed fit)" "$(timed fit)")
./segmenta clv predict -w "$out/ws" --as-of 2025-01-01 --json -o "$out/predictions.csv" > "$out/predict.json"
p_ms=$(median "$(timed predict)" "$(timed predict)" "$(timed predict)")

# The check: predictions for every customer who bought, all values present and non-negative.
./segmenta rfm summary -w "$out/ws" --calibration-end 2024-12-31 --json > "$out/summary.json"
read -r buyers predicted bad < <(/usr/bin/python3 - "$out" <<'PY'
import csv, json, sys
d = sys.argv[1]
summary = json.load(open(f"{d}/summary.json"))
ids, bad = set(), 0
with open(f"{d}/predictions.csv", newline="") as f:
    for row in csv.DictReader(f):
        ids.add(row["customer_id"])
        if row["value"] == "" or float(row["value"]) < 0 or not 0 <= float(row["p_alive"]) <= 1:
            bad += 1
print(summary["customers"], len(ids), bad)
PY
)
[ "$buyers" = "$predicted" ] && [ "$bad" = 0 ] || { echo "check failed: $buyers buyers, $predicted predicted, $bad bad rows" >&2; exit 1; }

/usr/bin/python3 - "$out" "$n" "$f_ms" "$p_ms" "$(nproc)" "$(free -g | awk '/Mem:/ {print $2}')" "$(date -u +%Y-%m-%d)" > bench/results/clv.md <<'PY'
import json, sys
d, n, f_ms, p_ms, cores, mem, day = sys.argv[1:]
fit = json.load(open(f"{d}/fit.json"))
purchases, spend, pred = fit["fit"]["purchases"], fit["fit"]["spend"], fit["predictions"]
print("# CLV benchmark\n")
print(f"Command: `bench/clv.sh {n}` on {cores} cores, {mem} GiB, {day}.")
name = {"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "pareto": "Pareto/NBD"}.get(purchases["model"], purchases["model"])
print(f"Base: {int(n):,} generated events, {int(n)//10:,} customers (seed 1), DuckDB; as of 2025-01-01, weeks, {name} + Gamma-Gamma, 12 months at 10%.\n")
print("Goals: the fit plus predictions for 1M customers under 10 s end to end through the CLI (issue 7), under 5 s (issue 30).\n")
print("| command | median of 3, s |")
print("|---|---:|")
print(f"| `segmenta clv fit --json` (purchase days, both fits, the holdout check's refit, store the fit, predict and store every customer) | {int(f_ms)/1000:.2f} |")
print(f"| `segmenta clv predict --json` (summary, predict and store every customer) | {int(p_ms)/1000:.2f} |")
print()
print(f"- Customers with a purchase, predicted: {pred['customers']:,}; the script checks every stored row against `rfm summary` (each buyer once, value present and not negative, P(alive) in [0, 1]).")
print(f"- {name}: {purchases['distinct_histories']:,} distinct histories, {purchases['evaluations']} likelihood evaluations (subsample start, then BFGS on all), ln L {purchases['log_likelihood']:.2f}, converged: {purchases['converged']}.")
print("  " + ", ".join(f"{p['name']} = {p['value']:.4f} ± {p['standard_error']:.4f}" for p in purchases["parameters"]))
print(f"- Gamma-Gamma: {spend['customers']:,} customers with repeat spend, {spend['distinct_histories']:,} distinct, {spend['evaluations']} evaluations; "
      + ", ".join(f"{p['name']} = {p['value']:.4f}" for p in spend["parameters"]))
print(f"- Total predicted value: {pred['total_value']:,.0f}; mean P(alive) {pred['mean_p_alive']:.3f}.")
PY
cat bench/results/clv.md
