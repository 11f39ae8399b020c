"""RFM (rank method, 5 bins, as of 2025-01-01) in pandas from the generated events CSV: the same
definition as `segmenta rfm --method ranks`. Prints load seconds, compute seconds, scored customers."""
import sys, time
import pandas as pd

start = time.perf_counter()
ev = pd.read_csv(sys.argv[1], usecols=["event_id", "customer_id", "event_type", "occurred_at", "revenue", "order_id", "product"],
                 dtype={"event_id": str, "customer_id": str, "event_type": str, "order_id": str, "product": str, "revenue": float})
ev["occurred_at"] = pd.to_datetime(ev["occurred_at"], utc=True, errors="coerce")
loaded = time.perf_counter()
as_of = pd.Timestamp("2025-01-01", tz="UTC")
ev = ev[(ev["occurred_at"] < as_of) & ev["event_type"].isin(["purchase", "refund"])]
p = ev[ev["event_type"] == "purchase"].copy()
p["order"] = p["order_id"].fillna(p["event_id"])
r = ev[ev["event_type"] == "refund"].copy()
r["amount"] = r["revenue"].abs()
# Kept orders: a refund undoes its own order id's purchase order, else the latest purchase of its product at or before it.
orders = p.groupby(["customer_id", "order"]).agg(placed=("occurred_at", "min"), gross=("revenue", "sum")).reset_index()
with_id = set(zip(p.loc[p["order_id"].notna(), "customer_id"], p.loc[p["order_id"].notna(), "order_id"]))
own_mask = [(c, o) in with_id for c, o in zip(r["customer_id"], r["order_id"])]
own = r[own_mask].assign(order=lambda d: d["order_id"])[["customer_id", "order", "amount"]]
rest = r[[not m for m in own_mask]].dropna(subset=["product"]).sort_values("occurred_at")
cand = p.dropna(subset=["product"]).sort_values("occurred_at")
by_product = pd.merge_asof(rest, cand[["customer_id", "product", "occurred_at", "order"]], on="occurred_at", by=["customer_id", "product"], direction="backward")
by_product = by_product.dropna(subset=["order"])[["customer_id", "order", "amount"]]
matched = pd.concat([own, by_product]).groupby(["customer_id", "order"])["amount"].sum().rename("refunded").reset_index()
orders = orders.merge(matched, on=["customer_id", "order"], how="left").fillna({"refunded": 0})
kept = orders[(orders["refunded"] <= 0) | (orders["gross"] - orders["refunded"] > 0)]
g = kept.groupby("customer_id").agg(last=("placed", "max"), frequency=("order", "size"))
gross = p.groupby("customer_id")["revenue"].sum()
refunded = r.groupby("customer_id")["amount"].sum()
g["monetary"] = gross.reindex(g.index, fill_value=0) - refunded.reindex(g.index, fill_value=0)
g["recency"] = ((as_of - g["last"]).dt.total_seconds() // 86400).astype("int64")
n = len(g)
g["r"] = 1 + (5 * (g["recency"].rank(method="min", ascending=False) - 1) // n).astype(int)
g["f"] = 1 + (5 * (g["frequency"].rank(method="min") - 1) // n).astype(int)
g["m"] = 1 + (5 * (g["monetary"].rank(method="min") - 1) // n).astype(int)
done = time.perf_counter()
print(f"{loaded - start:.3f} {done - loaded:.3f} {n}")
