"""The T-learner a scikit-learn user writes (scikit-uplift's TwoModels does the same with any estimator): per outcome,
HistGradientBoosting on the treated and on the control customers of the training part, with the same tree settings as
Segmenta (100 iterations, 8 leaves, learning rate 0.05, 100 customers per leaf); uplift on the held-out part and for every
customer. Prints: seconds (fit, predict held-out, predict all, total), conversion uplift@30%, revenue uplift@30%."""
import sys, time
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

directory, d = sys.argv[1], int(sys.argv[2])
X = np.fromfile(f"{directory}/x.bin", dtype="<f4").reshape(-1, d)
t = np.fromfile(f"{directory}/t.bin", dtype=np.uint8)
test = np.fromfile(f"{directory}/test.bin", dtype=np.uint8) == 1
outcomes = {"conversion": np.fromfile(f"{directory}/conversion.bin", dtype="<f8"), "revenue": np.fromfile(f"{directory}/revenue.bin", dtype="<f8")}
settings = dict(max_iter=100, max_leaf_nodes=8, learning_rate=0.05, min_samples_leaf=100, early_stopping=False, random_state=42)


def uplift_at_30(y, uplift, treated):
    # scikit-uplift's uplift_at_k, strategy "overall": the top 30% of all held-out customers by predicted uplift.
    order = np.argsort(uplift, kind="mergesort")[::-1][: int(len(y) * 0.3)]
    top_y, top_t = y[order], treated[order]
    return top_y[top_t == 1].mean() - top_y[top_t == 0].mean()


start = time.perf_counter()
models = {}
for name, y in outcomes.items():
    make = HistGradientBoostingClassifier if name == "conversion" else HistGradientBoostingRegressor
    train = ~test
    treated = make(**settings).fit(X[train & (t == 1)], y[train & (t == 1)])
    control = make(**settings).fit(X[train & (t == 0)], y[train & (t == 0)])
    models[name] = (treated, control)
fit = time.perf_counter() - start


def predict(name, rows):
    treated, control = models[name]
    if name == "conversion":
        return treated.predict_proba(rows)[:, 1] - control.predict_proba(rows)[:, 1]
    return treated.predict(rows) - control.predict(rows)


held = {name: predict(name, X[test]) for name in outcomes}
evaluate = time.perf_counter() - start - fit
everyone = {name: predict(name, X) for name in outcomes}
score = time.perf_counter() - start - fit - evaluate
total = time.perf_counter() - start
print(f"{fit:.2f} {evaluate:.2f} {score:.2f} {total:.2f} {uplift_at_30(outcomes['conversion'][test], held['conversion'], t[test]):.4f} {uplift_at_30(outcomes['revenue'][test], held['revenue'], t[test]):.3f}")
