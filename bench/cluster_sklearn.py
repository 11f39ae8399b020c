"""The scikit-learn pipeline a user writes to segment customers from a CSV, the same steps `segmenta cluster` takes:
read the CSV (pandas), log the inputs Segmenta logged (sign(x)·ln(1 + |x|)), fill a missing value with the column's
median, z-score (StandardScaler), KMeans for k = 2..10 (k-means++, 10 starts each, the lowest inertia kept), and the
silhouette on a seeded sample of 5,000; the k with the highest silhouette wins.
   cluster_sklearn.py CSV COLUMNS LOGGED SEED
Prints: read seconds, pipeline seconds, chosen k, then per k: k inertia silhouette."""
import sys, time
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.impute import SimpleImputer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

path, columns, logged, seed = sys.argv[1], sys.argv[2].split(","), [c for c in sys.argv[3].split(",") if c], int(sys.argv[4])
start = time.perf_counter()
frame = pd.read_csv(path, usecols=columns)
read = time.perf_counter()
x = frame[columns].to_numpy(dtype=float)
for j, c in enumerate(columns):
    if c in logged:
        x[:, j] = np.sign(x[:, j]) * np.log1p(np.abs(x[:, j]))
x = SimpleImputer(strategy="median").fit_transform(x)
x = StandardScaler().fit_transform(x)
results = []
for k in range(2, 11):
    km = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(x)
    s = silhouette_score(x, km.labels_, sample_size=min(5000, len(x)), random_state=seed)
    results.append((k, km.inertia_, s))
done = time.perf_counter()
best = max(results, key=lambda r: r[2])[0]
print(f"{read - start:.3f} {done - read:.3f} {best}")
for k, inertia, s in results:
    print(f"{k} {inertia:.3f} {s:.4f}")
