"""scikit-learn's KMeans on the benchmark matrix from Segmenta's k-means++ starts (the same places Segmenta
starts from): Lloyd and Elkan, tol 1e-4, one start each, fitted 3 times. Prints per seed and algorithm:
seconds of the first fit, the best seconds, iterations, inertia."""
import sys, time
import numpy as np
from sklearn.cluster import KMeans

REPEATS = 3  # fits per seed and algorithm: the first and the best are reported, as on the Segmenta side
directory, d, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
X = np.fromfile(f"{directory}/points.bin", dtype="<f8").reshape(-1, d)
for seed in (1, 2, 3):
    init = np.fromfile(f"{directory}/init{seed}.bin", dtype="<f8").reshape(k, d)
    for algorithm in ("lloyd", "elkan"):
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            km = KMeans(n_clusters=k, init=init, n_init=1, tol=1e-4, max_iter=300, algorithm=algorithm).fit(X)
            times.append(time.perf_counter() - start)
        print(f"{seed} {algorithm} {times[0]:.3f} {min(times):.3f} {km.n_iter_} {km.inertia_:.3f}")
