"""Writes sales.csv (a deterministic sales table: about 2.5 years of dates
with some missing, platform, country with some missing, revenue with some
missing, integer units) and sales.expected.json: pandas' trends (per
granularity, for sum/mean/count/median/min/max of revenue and the count of
rows) with the last-period change, and group-bys by one and two
dimensions, date parts included, for every aggregation.

    python3 tests/data/explore/make_sales.py   (needs pandas)

Conventions the engine shares: weeks are ISO weeks starting Monday; a sum
over no present values is missing (min_count=1); missing keys form their
own group "(missing)" placed last; periods between the first and the last
date with no rows are kept (count 0, other aggregates missing).
"""
import json, os, random
import pandas as pd

here = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20240607)
start = pd.Timestamp("2019-11-15")
span = (pd.Timestamp("2022-05-20") - start).days
rows = []
for i in range(500):
    day = start + pd.Timedelta(days=rng.randint(0, span))
    # A quiet stretch (no sales at all) leaves empty days and weeks.
    if pd.Timestamp("2021-03-01") <= day <= pd.Timestamp("2021-03-20"):
        day = day + pd.Timedelta(days=30)
    date = "" if rng.random() < 0.05 else day.strftime("%Y-%m-%d")
    platform = rng.choice(["web", "ios", "android"])
    country = "" if rng.random() < 0.04 else rng.choice(["US", "DE", "FR", "BR", "JP"])
    revenue = "" if rng.random() < 0.1 else f"{rng.lognormvariate(3, 1):.2f}"
    units = rng.randint(1, 9)
    rows.append([i + 1, date, platform, country, revenue, units])
# The first and last rows pin the span (and make the last period partial).
rows[0][1], rows[0][4] = "2019-11-15", "10.00"
rows[1][1], rows[1][4] = "2022-05-20", "20.00"
cols = ["order_id", "date", "platform", "country", "revenue", "units"]
with open(os.path.join(here, "sales.csv"), "w") as f:
    f.write(",".join(cols) + "\n")
    for r in rows:
        f.write(",".join(str(c) for c in r) + "\n")

df = pd.read_csv(os.path.join(here, "sales.csv"), keep_default_na=False, na_values=[""])
df["date"] = pd.to_datetime(df["date"])
EPOCH = pd.Timestamp("1970-01-01")


def num(v):
    return None if pd.isna(v) else float(v)


def agg_series(groups, agg):
    if agg == "sum":
        return groups.sum(min_count=1)
    return getattr(groups, agg)()


def period_start(ts, g):
    if g == "day":
        return ts.dt.normalize()
    if g == "week":
        return (ts - pd.to_timedelta(ts.dt.day_of_week, unit="D")).dt.normalize()
    if g == "month":
        return ts.dt.to_period("M").dt.start_time
    return ts.dt.to_period("Q").dt.start_time


def label(t, g):
    if g == "day":
        return t.strftime("%Y-%m-%d")
    if g == "week":
        y, w, _ = t.isocalendar()
        return f"{y:04d}-W{w:02d}"
    if g == "month":
        return t.strftime("%Y-%m")
    return f"{t.year:04d}-Q{(t.month - 1) // 3 + 1}"


FREQ = {"day": "D", "week": "7D", "month": "MS", "quarter": "QS"}
NEXT = {"day": pd.DateOffset(days=1), "week": pd.DateOffset(days=7),
        "month": pd.DateOffset(months=1), "quarter": pd.DateOffset(months=3)}


def trend(value, agg, g):
    if value is None:
        used = df.dropna(subset=["date"]).assign(one=1.0)
        value, agg = "one", "count"
    else:
        used = df.dropna(subset=["date", value])
    key = period_start(used["date"], g)
    groups = used.groupby(key)[value]
    full = pd.date_range(key.min(), key.max(), freq=FREQ[g])
    vals = agg_series(groups, agg).reindex(full)
    counts = groups.count().reindex(full).fillna(0)
    if agg == "count":
        vals = counts
    periods = [{"start": (t - EPOCH).days, "label": label(t, g), "rows": int(c), "value": num(v)}
               for t, c, v in zip(full, counts, vals)]
    change = None
    if len(periods) >= 2:
        prev, cur = periods[-2], periods[-1]
        pct = None
        if cur["value"] is not None and prev["value"] not in (None, 0.0):
            pct = (cur["value"] - prev["value"]) / abs(prev["value"]) * 100
        last = used["date"].max()
        end = full[-1] + NEXT[g] - pd.Timedelta(days=1)
        change = {"current": cur["label"], "previous": prev["label"],
                  "current_value": cur["value"], "previous_value": prev["value"],
                  "change_percent": pct, "partial": bool(last < end)}
    return {"value": None if value == "one" else value, "agg": agg, "granularity": g,
            "first": used["date"].min().strftime("%Y-%m-%d"),
            "last": used["date"].max().strftime("%Y-%m-%d"),
            "periods": periods, "change": change}


trends = []
for g in ["day", "week", "month", "quarter"]:
    # Every aggregation but by day (918 days): the sum only.
    for agg in ["sum"] if g == "day" else ["sum", "mean", "count", "median", "min", "max"]:
        trends.append(trend("revenue", agg, g))
    trends.append(trend(None, "count", g))

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def part(ts, p):
    def f(t):
        if pd.isna(t):
            return None
        return {"year": f"{t.year:04d}", "quarter": f"{t.year:04d}-Q{(t.month - 1) // 3 + 1}",
                "month": t.strftime("%Y-%m"), "month_of_year": f"{t.month:02d} {MONTHS[t.month - 1]}",
                "weekday": f"{t.isoweekday()} {DAYS[t.weekday()]}"}[p]
    return ts.map(f)


MEASURES = [[None, "count"]] + [["revenue", a] for a in ["sum", "mean", "count", "min", "max", "median"]] \
    + [["units", "sum"], ["country", "count"]]


def group(dims, sort=None, limit=None):
    """dims: [column] or [column, part]."""
    frame = pd.DataFrame(index=df.index)
    names = []
    for i, d in enumerate(dims):
        col = df[d[0]] if len(d) == 1 else part(df[d[0]], d[1])
        frame[f"k{i}"] = col.astype(object).where(col.notna(), None)
        names.append(f"k{i}")
    for j, (c, a) in enumerate(MEASURES):
        frame[f"m{j}"] = 1.0 if c is None else df[c]
    g = frame.groupby(names, dropna=False, sort=True)
    out = pd.DataFrame({"rows": g.size()})
    for j, (c, a) in enumerate(MEASURES):
        out[f"m{j}"] = agg_series(g[f"m{j}"], "count" if c is None else a)
    out = out.reset_index()
    # Missing keys last (pandas' own order for NaN groups), else by key.
    out["_order"] = list(zip(*[[(k is None or pd.isna(k), "" if k is None or pd.isna(k) else str(k))
                                for k in out[n]] for n in names]))
    out = out.sort_values("_order", kind="stable")
    if sort is not None:
        m, desc = sort
        col = out[f"m{m}"]
        out = out.assign(_na=col.isna(), _v=-col if desc else col).sort_values(
            ["_na", "_v"], kind="stable")
    groups = len(out)
    if limit is not None:
        out = out.head(limit)
    return {
        "dims": dims, "sort": sort, "limit": limit, "groups": groups,
        "rows": [{"keys": ["(missing)" if r[n] is None or pd.isna(r[n]) else str(r[n]) for n in names],
                  "rows": int(r["rows"]),
                  "values": [num(r[f"m{j}"]) for j in range(len(MEASURES))]}
                 for _, r in out.iterrows()],
    }


groupbys = [
    group([["platform"]]),
    group([["country"]]),
    group([["country"]], sort=[1, True], limit=3),
    group([["country"]], sort=[5, False]),
    group([["platform"], ["country"]]),
    group([["date", "year"]]),
    group([["date", "quarter"]]),
    group([["date", "month"]]),
    group([["date", "month_of_year"], ["platform"]]),
    group([["date", "weekday"]]),
]

expected = {"measures": MEASURES, "trends": trends, "groupbys": groupbys}
with open(os.path.join(here, "sales.expected.json"), "w") as f:
    json.dump(expected, f, separators=(",", ":"))
    f.write("\n")
