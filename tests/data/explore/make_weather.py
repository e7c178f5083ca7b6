"""Writes weather.csv (a deterministic daily-weather-like table with one of
each alert's shapes) and weather.expected.json: pandas' Pearson and
Spearman matrices, scipy's Cramér's V (no correction) and numpy's
correlation ratio eta, plus the alerts the data was built to raise.

    python3 tests/data/explore/make_weather.py   (needs pandas, scipy)
"""
import json, math, os, random
import numpy as np
import pandas as pd
from scipy.stats.contingency import association

here = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20240101)
rows = []
start = pd.Timestamp("2020-01-01")
for i in range(400):
    day = start + pd.Timedelta(days=i)
    season = ["winter", "spring", "summer", "autumn"][(day.month % 12) // 3]
    tmax = 15 + 10 * math.sin(2 * math.pi * (i - 100) / 365) + rng.gauss(0, 4)
    tmin = tmax - 8 + rng.gauss(0, 1.5)
    precip = 0.0 if rng.random() < 0.6 else round(rng.expovariate(0.3), 1)
    wind = "" if rng.random() < 0.08 else f"{rng.gauss(4, 1.2):.1f}"
    weather = "sun" if rng.random() < 0.85 else rng.choice(["rain", "fog", "snow"])
    when = day.strftime("%Y-%m-%d") if i not in (7, 99) else "unknown"
    mixed = str(rng.randint(1, 500)) if rng.random() < 0.5 else rng.choice(["n/a-ish", "lots", "few", "some"])
    rows.append([i + 1, day.strftime("%Y-%m-%d"), season, f"{tmax:.2f}", f"{tmin:.2f}", f"{precip:.1f}",
                 wind, weather, "KSEA", when, mixed])
cols = ["id", "date", "season", "temp_max", "temp_min", "precipitation", "wind", "weather", "station", "when_text", "mixed"]
with open(os.path.join(here, "weather.csv"), "w") as f:
    f.write(",".join(cols) + "\n")
    for r in rows:
        f.write(",".join(str(c) for c in r) + "\n")

df = pd.read_csv(os.path.join(here, "weather.csv"))
numeric = ["id", "temp_max", "temp_min", "precipitation", "wind"]
categorical = ["season", "weather"]  # station is constant; text columns with > 50 values are left out
def matrix(m):
    return [[None if pd.isna(v) else float(v) for v in row] for row in m.values]
def cramer(a, b):
    sub = df[list(dict.fromkeys([a, b]))].dropna()
    table = pd.crosstab(sub[a].rename("x"), sub[b].rename("y")).values
    if min(table.shape) < 2:
        return None
    return float(association(table, method="cramer", correction=False))
def eta(num, cat):
    sub = df[[num, cat]].dropna()
    y = sub[num].to_numpy(dtype=float)
    groups = sub.groupby(cat)[num]
    between = sum(len(g) * (g.mean() - y.mean()) ** 2 for _, g in groups)
    total = ((y - y.mean()) ** 2).sum()
    return float(math.sqrt(between / total))
def box(col):
    v = df[col].dropna().astype(float)
    q1, med, q3 = (float(v.quantile(q)) for q in (0.25, 0.5, 0.75))
    iqr = q3 - q1
    inside = v[(v >= q1 - 1.5 * iqr) & (v <= q3 + 1.5 * iqr)]
    return {"column": col, "count": int(len(v)), "q1": q1, "median": med, "q3": q3,
            "low": float(inside.min()), "high": float(inside.max()),
            "outlier_count": int(len(v) - len(inside))}
both = df[["temp_max", "temp_min"]].dropna()
expected = {
    # Tukey boxes (pandas quantiles, whiskers at the extreme values within 1.5 IQR).
    "boxes": [box(c) for c in numeric],
    # Missing cells per column and rows with any, for the missing matrix.
    "missing": {c: int(df[c].isna().sum()) for c in df.columns},
    "rows_with_missing": int(df.isna().any(axis=1).sum()),
    # The scatter of temp_max x temp_min coloured by season: rows with both,
    # and the seasons by frequency over those rows (ties by name).
    "scatter_total": int(len(both)),
    "scatter_groups": [k for k, n in sorted(df.loc[both.index, "season"].value_counts().items(),
                                            key=lambda kv: (-kv[1], kv[0]))],
    "numeric": numeric,
    "categorical": categorical,
    "pearson": matrix(df[numeric].corr(method="pearson")),
    "spearman": matrix(df[numeric].corr(method="spearman")),
    "cramers_v": [[cramer(a, b) for b in categorical] for a in categorical],
    "eta": [[eta(n, c) for c in categorical] for n in numeric],
    # (kind, column) of every alert, as built above, with the default thresholds.
    "alerts": sorted([
        ["constant", "station"], ["missing", "wind"], ["unique", "id"], ["skewed", "precipitation"],
        ["zeros", "precipitation"], ["imbalance", "weather"], ["high-correlation", "temp_max"],
        ["date-as-text", "when_text"], ["high-cardinality", "when_text"], ["mixed", "mixed"],
        ["high-cardinality", "mixed"],
    ]),
}
with open(os.path.join(here, "weather.expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
    f.write("\n")
