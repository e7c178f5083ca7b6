"""Fixtures for the evaluation metrics and explanations (tests/core.rs,
module `ml_eval`).

Writes metrics.expected.json: small hand-made cases with their inputs and
scikit-learn's values —

- classification: a binary case with ties in the probabilities (and exact
  0 and 1), a three-class case where class 2 is never predicted, and a
  three-class case where class 2 is predicted but never true (ROC AUC
  undefined);
- regression: R², RMSE, MAE;
- silhouette: 30 points in three 2-D blobs, and the same with one point
  moved into a cluster of its own;
- partial dependence: a linear regression on two features (one with many
  values: a percentile grid; one with five: its distinct values), the
  grids and the average predictions.

Permutation importance depends on the random generator, so it is tested by
its properties instead.

    python3 tests/data/ml/make_metrics.py
"""

import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.datasets import make_blobs
from sklearn.inspection import partial_dependence
from sklearn.linear_model import LinearRegression
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    confusion_matrix,
    f1_score,
    log_loss,
    mean_absolute_error,
    r2_score,
    roc_auc_score,
    root_mean_squared_error,
    silhouette_score,
)

HERE = os.path.dirname(os.path.abspath(__file__))


def classification(truth, proba, n_classes):
    truth = np.asarray(truth)
    proba = np.asarray(proba, dtype=float)
    labels = list(range(n_classes))
    pred = proba.argmax(axis=1)  # ties: the lowest class
    try:
        if n_classes == 2:
            auc = roc_auc_score(truth, proba[:, 1])
        else:
            auc = roc_auc_score(
                truth, proba, multi_class="ovr", average="macro", labels=labels
            )
    except ValueError:
        auc = None  # older releases raise for a class without positives
    if auc is not None and np.isnan(auc):
        auc = None  # newer ones warn and return NaN
    return {
        "truth": truth.tolist(),
        "proba": proba.tolist(),
        "n_classes": n_classes,
        "accuracy": accuracy_score(truth, pred),
        "balanced_accuracy": balanced_accuracy_score(truth, pred),
        "f1_macro": f1_score(truth, pred, average="macro", zero_division=0),
        "roc_auc": auc,
        "log_loss": log_loss(truth, proba, labels=labels),
        "confusion": confusion_matrix(truth, pred, labels=labels).tolist(),
    }


def binary():
    truth = [0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0]
    # Ties at 0.4 (one of each class), 0.5 (argmax tie: class 0) and 0.7;
    # exact 0 and 1 exercise the clipping.
    p1 = [0.1, 0.4, 0.4, 0.8, 0.5, 0.5, 0.7, 0.7, 0.7, 0.0, 1.0, 0.3]
    return classification(truth, [[1 - p, p] for p in p1], 2)


def multiclass_unpredicted():
    truth = [0, 1, 2, 2, 1, 0, 2, 1, 0, 1]
    proba = [
        [0.6, 0.3, 0.1],
        [0.2, 0.5, 0.3],
        [0.4, 0.35, 0.25],
        [0.3, 0.4, 0.3],
        [0.45, 0.45, 0.1],  # tie: class 0
        [0.7, 0.2, 0.1],
        [0.1, 0.5, 0.4],
        [0.25, 0.5, 0.25],
        [0.5, 0.25, 0.25],
        [0.2, 0.6, 0.2],
    ]
    return classification(truth, proba, 3)


def multiclass_untrue():
    truth = [0, 1, 1, 0, 1, 0, 0, 1]
    proba = [
        [0.6, 0.3, 0.1],
        [0.2, 0.3, 0.5],
        [0.1, 0.8, 0.1],
        [0.3, 0.3, 0.4],
        [0.3, 0.6, 0.1],
        [0.5, 0.4, 0.1],
        [0.2, 0.7, 0.1],
        [0.4, 0.4, 0.2],
    ]
    return classification(truth, proba, 3)


def regression():
    truth = [3.0, -0.5, 2.0, 7.0, 4.2, 1.1, 0.0, 5.5]
    pred = [2.5, 0.0, 2.0, 8.0, 3.9, 1.6, -0.4, 5.0]
    return {
        "truth": truth,
        "pred": pred,
        "r2": r2_score(truth, pred),
        "rmse": root_mean_squared_error(truth, pred),
        "mae": mean_absolute_error(truth, pred),
    }


def silhouette():
    x, labels = make_blobs(n_samples=30, centers=3, n_features=2, random_state=0)
    singleton = labels.copy()
    singleton[0] = 3
    return {
        "columns": x.T.tolist(),
        "labels": labels.tolist(),
        "score": silhouette_score(x, labels),
        "singleton_labels": singleton.tolist(),
        "singleton_score": silhouette_score(x, singleton),
    }


def partial():
    rng = np.random.default_rng(7)
    n = 40
    x0 = rng.normal(10.0, 3.0, n)
    x1 = rng.integers(0, 5, n).astype(float)
    x = np.column_stack([x0, x1])
    y = 3.0 * x0 - 2.0 * x1 + 1.0 + rng.normal(0.0, 0.5, n)
    model = LinearRegression().fit(x, y)
    out = {
        "columns": x.T.tolist(),
        "coef": model.coef_.tolist(),
        "intercept": float(model.intercept_),
        "points": 10,
    }
    for f in (0, 1):
        pd = partial_dependence(model, x, [f], grid_resolution=10, kind="average")
        out[f"grid{f}"] = pd["grid_values"][0].tolist()
        out[f"average{f}"] = pd["average"][0].tolist()
    return out


def main():
    # Undefined ROC AUC, predicted classes absent from the truth: expected.
    warnings.simplefilter("ignore")
    expected = {
        "sklearn": sklearn.__version__,
        "binary": binary(),
        "multiclass_unpredicted": multiclass_unpredicted(),
        "multiclass_untrue": multiclass_untrue(),
        "regression": regression(),
        "silhouette": silhouette(),
        "partial_dependence": partial(),
    }
    with open(os.path.join(HERE, "metrics.expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
