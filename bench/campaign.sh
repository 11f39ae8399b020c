#!/usr/bin/env bash
# Campaign benchmark (issue 8): on a generated base of N events and N/10 customers, a campaign to every
# customer in three segments with a 20% holdout and a 30% broadcast arm, sent 2024-12-01 with a 14-day
# window (the base's own events in the window are the outcomes). Timed end to end through the CLI
# (process start included):
#  - `./segmenta campaign launch`: the segments evaluated, every customer hashed to an arm, the
#    assignments stored in one transaction, one audience CSV per treated arm written (median of 3
#    launches of three campaigns with the same segments and different names);
#  - `./segmenta measure --json`: outcomes per customer in SQL, per segment × arm statistics,
#    Newcombe/Welch intervals, 2,000-resample bootstraps, Holm, and the CLV uplift (every customer valued
#    before the send and after the window with the BG/NBD + Gamma-Gamma fit made first) (median of 3).
# Checks that every customer is assigned once and that measure's recipients add up to the launch's.
# Writes bench/results/campaign.md.
#   bench/campaign.sh            10M events, 1M customers
#   bench/campaign.sh 1000000    another size
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n="${1:-10000000}"
out=bench/out/campaign
rm -rf "$out" && mkdir -p "$out" bench/results
./segmenta --help > /dev/null

. bench/base.sh
build_base "$n" "$out"
./segmenta clv fit -w "$out/ws" --as-of 2024-12-01 --json > /dev/null   # so measure computes the CLV uplift
cat > "$out/ws/segments/campaign.seg" <<'SEG'
segment recent_buyers where did purchase in last 90 days
segment email_fans where count(email_open, last 90 days) >= 2
segment everyone_else where not in segment recent_buyers
SEG
for name in bench_a bench_b bench_c; do
  cat > "$out/ws/campaigns/$name.yaml" <<YAML
salt: $name
holdout: 0.2
segments:
  recent_buyers: { message: "Thanks: early access", channel: email }
  email_fans: { message: "A story for readers", channel: email }
  everyone_else: { message: "We miss you", channel: email }
broadcast: { share: 0.3, message: "10% off", channel: email }
costs: { fixed: 1000, per_contact: 0.01, per_redemption: 1 }
margin: 0.4
outcome: { window: 14 days }
YAML
done

median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
timed() { local s e; s=$(date +%s%N); "$@" > /dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
launch() { ./segmenta campaign launch "$1" -w "$out/ws" --as-of 2024-12-01 --json; }
measure() { ./segmenta measure bench_a -w "$out/ws" --json; }
l1=$(timed launch bench_a); l2=$(timed launch bench_b); l3=$(timed launch bench_c)
l_ms=$(median "$l1" "$l2" "$l3")
./segmenta campaign show bench_a -w "$out/ws" --json > "$out/show.json"
./segmenta campaign plan bench_a -w "$out/ws" --as-of 2024-12-01 --json > "$out/plan.json"
measure > "$out/measure.json"
m_ms=$(median "$(timed measure)" "$(timed measure)" "$(timed measure)")

/usr/bin/python3 - "$out" "$n" "$l_ms" "$m_ms" "$(nproc)" "$(free -g | awk '/Mem:/ {print $2}')" "$(date -u +%Y-%m-%d)" > bench/results/campaign.md <<'PY'
import json, sys
d, n, l_ms, m_ms, cores, mem, day = sys.argv[1:]
show = json.load(open(f"{d}/show.json"))
left_out = json.load(open(f"{d}/plan.json"))["consent"]["left_out"]
m = json.load(open(f"{d}/measure.json"))
customers = show["launched"]["customers"]
assigned = sum(a["customers"] for a in show["launched"]["arms"])
measured = sum(a["recipients"] for a in m["arms"] if a["segment"] != "(all segments)")
if not (customers == assigned == measured == int(n) // 10 - left_out):
    sys.exit(f"check failed: {customers} launched, {assigned} assigned, {measured} measured, {int(n)//10} customers less {left_out} without consent")
methods = sorted({c["revenue_per_recipient"]["method"] for c in m["comparisons"]})
print("# Campaign benchmark\n")
print(f"Command: `bench/campaign.sh {n}` on {cores} cores, {mem} GiB, {day}.")
print(f"Base: {int(n):,} generated events, {int(n)//10:,} customers (seed 1), DuckDB; three segments covering everyone, 20% holdout, 30% broadcast, 14-day window from 2024-12-01.\n")
print("No goal is set in the issue; these are the figures to keep.\n")
print("| command | median of 3, s |")
print("|---|---:|")
print(f"| `segmenta campaign launch` (evaluate 3 segments and e-mail consent, leave out {left_out:,} without it, hash {customers:,} customers, store the assignments, write 4 audience CSVs) | {int(l_ms)/1000:.2f} |")
print(f"| `segmenta measure --json` (outcomes in SQL, {len(m['arms'])} arm rows, {len(m['comparisons'])} comparisons, bootstrap 2,000 where Cochran's rule fails, CLV uplift from model {m['clv_model']}) | {int(m_ms)/1000:.2f} |")
print()
print(f"- Checked: every consenting customer assigned once ({assigned:,}; {left_out:,} left out without e-mail consent, as `campaign plan` counts them), measure's recipients add up to the launch ({measured:,}).")
print(f"- Revenue-per-recipient intervals used: {', '.join(methods)}; totals: {m['totals']['contacts']:,} contacts, cost {m['totals']['cost']:,.0f}.")
PY
cat bench/results/campaign.md
