#!/usr/bin/env python3
"""Writes the `transform` fixture and scipy's numbers for it.

Run by hand (`pip install numpy scipy`, then
`python3 tests/data/clean/make_transform.py`); the outputs are committed and
CI does not need scipy:
- transform.csv: a skewed positive measure with a gap (income) and a skewed
  measure with negative values (change);
- transform.recipe.json: log(1 + x) on income, Yeo-Johnson on change with
  the lambda scipy fits (`yeojohnson_normmax`);
- transform.scipy.json: that lambda (and the one for income), and the
  transformed values from numpy's log1p and scipy's `yeojohnson`, which
  the app's must equal (tests/core.rs compares them, 1e-9 relative).
"""
import json
from pathlib import Path

import numpy as np
from scipy import stats

HERE = Path(__file__).resolve().parent

rng = np.random.default_rng(7)
n = 40
income = np.round(rng.lognormal(mean=10, sigma=0.9, size=n), 2)
change = np.round(rng.gamma(shape=1.2, scale=30.0, size=n) - 15.0, 2)
income_text = [f"{v:.2f}" for v in income]
income_text[5] = ""  # a gap: stays missing
rows = ["id,income,change"] + [
    f"{i + 1},{income_text[i]},{change[i]:.2f}" for i in range(n)
]
(HERE / "transform.csv").write_text("\n".join(rows) + "\n")

present = np.array([float(t) for t in income_text if t])
lam_change = float(stats.yeojohnson_normmax(change))
lam_income = float(stats.yeojohnson_normmax(present))
recipe = {
    "schema_version": 2,
    "steps": [
        {"op": "transform", "column": "income", "transform": {"kind": "log1p"}},
        {
            "op": "transform",
            "column": "change",
            "transform": {"kind": "yeo_johnson", "lambda": lam_change},
        },
    ],
}
(HERE / "transform.recipe.json").write_text(json.dumps(recipe, indent=2) + "\n")
out = {
    "lambda": {"change": lam_change, "income": lam_income},
    "income": [None if t == "" else float(np.log1p(float(t))) for t in income_text],
    "change": [float(v) for v in stats.yeojohnson(change, lmbda=lam_change)],
    "skew_before": {
        "income": float(stats.skew(present, bias=False)),
        "change": float(stats.skew(change, bias=False)),
    },
}
(HERE / "transform.scipy.json").write_text(json.dumps(out, indent=1) + "\n")
print("lambda", out["lambda"], "skew", out["skew_before"])
