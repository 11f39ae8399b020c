"""RFM (rank method, 5 bins, as of 2025-01-01) in pandas from the generated events CSV: the same
definition as `segmenta rfm --method ranks`. Prints load seconds, compute seconds, scored customers."""
import sys, time
import pandas as pd

start = time.perf_counter()
ev = pd.read_csv(sys.argv[1], usecols=["event_id", "customer_id", "event_type", "occurred_at", "revenue", "order_id"],
                 dtype={"event_id": str, "customer_id": str, "event_type": str, "order_id": str, "revenue": float})
ev["occurred_at"] = pd.to_datetime(ev["occurred_at"], utc=True, errors="coerce")
loaded = time.perf_counter()
as_of = pd.Timestamp("2025-01-01", tz="UTC")
ev = ev[(ev["occurred_at"] < as_of) & ev["event_type"].isin(["purchase", "refund"])]
p = ev[ev["event_type"] == "purchase"].copy()
p["order"] = p["order_id"].fillna(p["event_id"])
g = p.groupby("customer_id").agg(last=("occurred_at", "max"), frequency=("order", "nunique"), gross=("revenue", "sum"))
refunded = ev[ev["event_type"] == "refund"].assign(a=lambda d: d["revenue"].abs()).groupby("customer_id")["a"].sum()
g["monetary"] = g["gross"] - refunded.reindex(g.index, fill_value=0)
g["recency"] = ((as_of - g["last"]).dt.total_seconds() // 86400).astype("int64")
n = len(g)
g["r"] = 1 + (5 * (g["recency"].rank(method="min", ascending=False) - 1) // n).astype(int)
g["f"] = 1 + (5 * (g["frequency"].rank(method="min") - 1) // n).astype(int)
g["m"] = 1 + (5 * (g["monetary"].rank(method="min") - 1) // n).astype(int)
done = time.perf_counter()
print(f"{loaded - start:.3f} {done - loaded:.3f} {n}")
