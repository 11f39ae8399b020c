"""Writes a seeded Gaussian mixture as a customers CSV (customer_id, x1..xD) for bench/cluster.sh.
   cluster_data.py N D K separated|overlapping OUT.csv
separated: K centers uniform in [-10, 10]^D, unit spread, equal sizes (easy: k-means converges in a few steps).
overlapping: K centers drawn N(0, 1.5^2) per dimension, spreads 0.6 to 1.6 per cluster, unequal sizes (Dirichlet):
clusters run into each other, k-means needs many iterations and the silhouette has no clear winner."""
import sys
import numpy as np

n, d, k, kind, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
rng = np.random.default_rng(20261203)
if kind == "separated":
    centers = rng.uniform(-10, 10, size=(k, d))
    spreads = np.ones(k)
    weights = np.full(k, 1 / k)
else:
    centers = rng.normal(0, 1.5, size=(k, d))
    spreads = rng.uniform(0.6, 1.6, size=k)
    weights = rng.dirichlet(np.full(k, 2.0))
labels = rng.choice(k, size=n, p=weights)
x = centers[labels] + rng.normal(size=(n, d)) * spreads[labels, None]
with open(out, "w") as f:
    f.write("customer_id," + ",".join(f"x{j + 1}" for j in range(d)) + "\n")
    for i in range(0, n, 100_000):
        block = x[i:i + 100_000]
        ids = np.arange(i, i + len(block))
        f.write("".join(f"C{c:08d}," + ",".join(f"{v:.4f}" for v in row) + "\n" for c, row in zip(ids, block)))
