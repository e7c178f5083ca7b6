"""Times scikit-learn on the data of `examples/ml_speed.rs`, single-threaded:

    cargo run --release --example ml_speed -- --csv /tmp/ml_speed.csv
    python3 tests/data/ml/sklearn_speed.py /tmp/ml_speed.csv
"""

import sys
import time

import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from threadpoolctl import threadpool_limits

df = pd.read_csv(sys.argv[1])
x, y = df.drop(columns="y").to_numpy(), df["y"].to_numpy()
with threadpool_limits(limits=1):
    t = time.perf_counter()
    rf = RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=0).fit(x, y)
    print(f"sklearn random forest, 100 trees: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    gb = HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0)
    gb.fit(x, y)
    print(f"sklearn hist gradient boosting, 100 iterations: {time.perf_counter() - t:.2f} s")
print(
    "training accuracy (every 10th row): forest %.3f, boosting %.3f"
    % (rf.score(x[::10], y[::10]), gb.score(x[::10], y[::10]))
)
