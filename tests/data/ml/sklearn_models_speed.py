"""scikit-learn's counterparts of `examples/models_speed.rs`, one thread,
on the same data (the CSV of `cargo run --release --example ml_speed --
--csv FILE`): median fill + standard scaling for the scaled models, k-NN
fitted on a 20,000-row sample (as Plainsight keeps), regression of f5.

    python3 tests/data/ml/sklearn_models_speed.py FILE
"""

import sys
import time

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from threadpoolctl import threadpool_limits

df = pd.read_csv(sys.argv[1])
x, y = df.drop(columns="y").to_numpy(), df["y"].to_numpy()
xs = StandardScaler().fit_transform(SimpleImputer(strategy="median").fit_transform(x))
target = xs[:, 5]
others = np.delete(xs, 5, axis=1)
raw_others = np.delete(x, 5, axis=1)


def timed(label, f):
    t = time.perf_counter()
    f()
    print(f"{label:<40} {time.perf_counter() - t:8.2f} s")


with threadpool_limits(limits=1):
    print(f"fit on {len(y)} rows x 20 features (one thread):")
    timed("classification: logistic_regression", lambda: LogisticRegression().fit(xs, y))
    timed("classification: naive_bayes", lambda: GaussianNB().fit(xs, y))
    sample = np.random.default_rng(0).choice(len(y), 20000, replace=False)
    # scikit-learn's default search ("auto": brute force past 15 features,
    # pairwise distances through BLAS), and its k-d tree beside it.
    knn = KNeighborsClassifier(5)
    kd = KNeighborsClassifier(5, algorithm="kd_tree")
    timed("classification: knn", lambda: knn.fit(xs[sample], y[sample]))
    kd.fit(xs[sample], y[sample])
    timed("classification: decision_tree", lambda: DecisionTreeClassifier(random_state=0).fit(x, y))
    timed("regression: linear_regression", lambda: LinearRegression().fit(others, target))
    timed("regression: ridge", lambda: Ridge(alpha=1.0).fit(others, target))
    timed("regression: decision_tree", lambda: DecisionTreeRegressor(random_state=0).fit(raw_others, target))
    timed("k-NN: predict 1,000 rows (20,000 kept)", lambda: knn.predict(xs[:1000]))
    timed("k-NN (k-d tree): predict 1,000 rows", lambda: kd.predict(xs[:1000]))
    timed("k-means, k = 8 (3 starts)", lambda: KMeans(8, n_init=3, random_state=0).fit(xs))
