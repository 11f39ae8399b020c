"""scikit-learn's KMeans on the benchmark matrix from Segmenta's k-means++ starts (the same places Segmenta
starts from): Lloyd and Elkan, tol 1e-4, one start each. Prints per seed and algorithm: seconds,
iterations, seconds per iteration, inertia."""
import sys, time
import numpy as np
from sklearn.cluster import KMeans

directory, d, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
X = np.fromfile(f"{directory}/points.bin", dtype="<f8").reshape(-1, d)
for seed in (1, 2, 3):
    init = np.fromfile(f"{directory}/init{seed}.bin", dtype="<f8").reshape(k, d)
    for algorithm in ("lloyd", "elkan"):
        start = time.perf_counter()
        km = KMeans(n_clusters=k, init=init, n_init=1, tol=1e-4, max_iter=300, algorithm=algorithm).fit(X)
        seconds = time.perf_counter() - start
        print(f"{seed} {algorithm} {seconds:.3f} {km.n_iter_} {seconds / km.n_iter_:.4f} {km.inertia_:.3f}")
