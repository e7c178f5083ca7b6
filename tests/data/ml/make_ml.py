"""Fixtures for the tree learners (tests/core.rs, module `ml`).

Writes three seeded data sets (binary, three-class, regression; 2,000 rows,
some values missing) as CSV (features f0.., target y; empty = missing), and
ml.expected.json with each set's test rows and scikit-learn's test accuracy
/ R² for RandomForest (100 trees, random_state=0) and HistGradientBoosting
(defaults, no early stopping) on the same split.

    python3 tests/data/ml/make_ml.py
"""

import json
import os

import numpy as np
import sklearn
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
N = 2000


def with_missing(x, rng, frac=0.05, cols=(0, 3)):
    x = x.copy()
    for c in cols:
        x[rng.random(len(x)) < frac, c] = np.nan
    return x


def write_csv(name, x, y, integer_target):
    with open(os.path.join(HERE, name), "w") as f:
        f.write(",".join([f"f{i}" for i in range(x.shape[1])] + ["y"]) + "\n")
        for row, t in zip(x, y):
            cells = ["" if np.isnan(v) else repr(float(v)) for v in row]
            cells.append(str(int(t)) if integer_target else repr(float(t)))
            f.write(",".join(cells) + "\n")


def main():
    rng = np.random.default_rng(0)
    sets = {}
    x, y = make_classification(
        n_samples=N, n_features=12, n_informative=6, n_redundant=2,
        flip_y=0.03, class_sep=0.8, random_state=1,
    )
    sets["binary"] = (with_missing(x, rng), y, True)
    x, y = make_classification(
        n_samples=N, n_features=15, n_informative=8, n_redundant=2,
        n_classes=3, n_clusters_per_class=2, flip_y=0.02, random_state=2,
    )
    sets["multiclass"] = (with_missing(x, rng), y, True)
    x, y = make_regression(
        n_samples=N, n_features=10, n_informative=6, noise=10.0, random_state=3,
    )
    # A non-linear part so that trees have something to find.
    y = y + 30.0 * np.sin(x[:, 1]) + 10.0 * x[:, 2] * x[:, 4]
    sets["regression"] = (with_missing(x, rng), y, False)

    expected = {"sklearn": sklearn.__version__}
    for name, (x, y, classify) in sets.items():
        write_csv(f"{name}.csv", x, y, classify)
        idx = np.arange(N)
        train, test = train_test_split(
            idx, test_size=0.25, random_state=0, stratify=y if classify else None,
        )
        if classify:
            rf = RandomForestClassifier(n_estimators=100, random_state=0)
            gb = HistGradientBoostingClassifier(early_stopping=False, random_state=0)
        else:
            rf = RandomForestRegressor(n_estimators=100, random_state=0)
            gb = HistGradientBoostingRegressor(early_stopping=False, random_state=0)
        rf.fit(x[train], y[train])
        gb.fit(x[train], y[train])
        expected[name] = {
            "task": "classification" if classify else "regression",
            "test": sorted(int(i) for i in test),
            # accuracy for classification, R² for regression
            "random_forest": float(rf.score(x[test], y[test])),
            "gradient_boosting": float(gb.score(x[test], y[test])),
        }
        print(name, expected[name]["random_forest"], expected[name]["gradient_boosting"])
    with open(os.path.join(HERE, "ml.expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
