"""scikit-learn's test scores of every leaderboard model on the tree
fixtures (binary.csv, multiclass.csv, regression.csv; the test rows of
ml.expected.json), for tests/core.rs module `ml_models`. Scaled models run
in scikit-learn's usual pipeline: median imputation, standard scaling.
Also a three-blob clustering fixture (blobs.csv) with k-means' silhouette
and median inertia, and k-means' median inertia on the binary fixture's
scaled features (no clusters: where local minima differ most).

    python3 tests/data/ml/make_models.py
"""

import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score, silhouette_score
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

HERE = os.path.dirname(os.path.abspath(__file__))


def scaled(model):
    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), model)


def median_inertia(xs):
    """k = 2..8: the median of KMeans(k, n_init=3)'s inertia over the
    random states 0..29 (a start is a draw: one state may find a poor
    local minimum, the median says what a fit usually finds)."""
    return {
        str(k): float(
            np.median([KMeans(k, n_init=3, random_state=s).fit(xs).inertia_ for s in range(30)])
        )
        for k in range(2, 9)
    }


def main():
    split = json.load(open(os.path.join(HERE, "ml.expected.json")))
    out = {"sklearn": sklearn.__version__}
    for name in ["binary", "multiclass", "regression"]:
        df = pd.read_csv(os.path.join(HERE, f"{name}.csv"))
        x, y = df.drop(columns="y").to_numpy(), df["y"].to_numpy()
        test = np.array(split[name]["test"])
        train = np.setdiff1d(np.arange(len(y)), test)
        if name == "regression":
            models = {
                "baseline": DummyRegressor(),
                "linear_regression": scaled(LinearRegression()),
                "ridge": scaled(Ridge(alpha=1.0)),
                "knn": scaled(KNeighborsRegressor(5)),
                "decision_tree": DecisionTreeRegressor(random_state=0),
            }
            score = r2_score
        else:
            models = {
                "baseline": DummyClassifier(),
                "logistic_regression": scaled(LogisticRegression(max_iter=1000)),
                "naive_bayes": scaled(GaussianNB()),
                "knn": scaled(KNeighborsClassifier(5)),
                "decision_tree": DecisionTreeClassifier(random_state=0),
            }
            score = accuracy_score
        out[name] = {}
        for key, m in models.items():
            m.fit(x[train], y[train])
            out[name][key] = float(score(y[test], m.predict(x[test])))
    x, _ = make_blobs(n_samples=600, centers=3, n_features=4, cluster_std=1.2, random_state=5)
    with open(os.path.join(HERE, "blobs.csv"), "w") as f:
        f.write("a,b,c,d\n")
        for row in x:
            f.write(",".join(repr(float(v)) for v in row) + "\n")
    xs = StandardScaler().fit_transform(x)
    sil = {}
    for k in range(2, 9):
        labels = KMeans(k, n_init=3, random_state=0).fit_predict(xs)
        sil[str(k)] = float(silhouette_score(xs, labels))
    out["blobs"] = {"silhouette": sil, "inertia": median_inertia(xs), "best_k": 3}
    df = pd.read_csv(os.path.join(HERE, "binary.csv"))
    xs = scaled(StandardScaler()).fit_transform(df.drop(columns="y").to_numpy())
    out["binary_kmeans_inertia"] = median_inertia(xs)
    with open(os.path.join(HERE, "models.expected.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
