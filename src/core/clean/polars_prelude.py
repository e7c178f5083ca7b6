import datetime
import io
import math
import sys
from decimal import Decimal

import polars as pl

# ---------------------------------------------------------------------------
# How Plainsight reads a cell: spaces and tabs around it are ignored; empty
# and pandas' missing-value tokens are missing; text keeps its spaces.
# (polars' regular expressions are Rust's: `$` is the end of the text.)

ROW = "__row__"


def trim(t):
    return t.str.strip_chars(" \t")


def is_na(t):
    return t.is_null() | t.is_in(NA)


def as_text(c):
    c = pl.col(c)
    return pl.when(is_na(trim(c))).then(None).otherwise(c)


def _int(t):
    return pl.when(t.str.contains(r"^[+-]?[0-9]+$")).then(t.cast(pl.Int64, strict=False))


def as_int(c):
    return _int(trim(pl.col(c)))


FLOAT = r"^(?:[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?(?i:inf|infinity))$"


def _float(t):
    return pl.when(t.str.contains(FLOAT)).then(t.cast(pl.Float64, strict=False))


def as_float(c, decimal_comma=False):
    t = trim(pl.col(c))
    if not decimal_comma:
        return _float(t)
    comma = t.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    return pl.when(t.str.contains(r"^[+-]?[0-9]*,[0-9]+$")).then(comma).otherwise(_float(t))


def _bool(t, true, false):
    return pl.when(t.is_in(true)).then(pl.lit(True)).when(t.is_in(false)).then(pl.lit(False))


def as_bool(c):
    return _bool(trim(pl.col(c)), ["true", "True", "TRUE"], ["false", "False", "FALSE"])


def _bool_loose(t):
    return _bool(t.str.to_lowercase(), ["true", "yes", "1"], ["false", "no", "0"])


# ---------------------------------------------------------------------------
# Dates: year first (2024-03-05), or day/month first with a 4- or 2-digit
# year (05/03/2024, 5.3.24; 2-digit years 69-99 are 19xx, 00-68 are 20xx),
# then optionally a time (T or space, HH:MM[:SS[.fraction]], Z or +hh[:mm]).
# order says which number is the day and which the month: ymd, dmy, mdy.


def _groups(t, pattern, names):
    g = t.str.extract_groups("^(?:" + pattern + ")$")
    return {n: g.struct.field(str(i + 1)) for i, n in enumerate(names)}


DATE_NAMES = ["a", "s1", "b", "s2", "c", "tsep", "h", "mi", "s", "frac", "tz"]


def _year(y, two_digits):
    return pl.when(~two_digits).then(y).when(y >= 69).then(1900 + y).otherwise(2000 + y)


def _make_date(y, m, d):
    """The date y-m-d (integers), missing when there is none."""
    text = (
        y.cast(pl.String).str.zfill(4)
        + "-"
        + m.cast(pl.String).str.zfill(2)
        + "-"
        + d.cast(pl.String).str.zfill(2)
    )
    ok = (y >= 0) & (y <= 9999) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31)
    return pl.when(ok).then(text.str.to_date("%Y-%m-%d", strict=False))


def _day_of(p, order):
    a, b, c = p["a"], p["b"], p["c"]
    la, lc = a.str.len_chars(), c.str.len_chars()
    shape = ((la == 4) & (lc <= 2)) | ((la <= 2) & lc.is_in([2, 4]))
    y = (a if order == "ymd" else c).cast(pl.Int64)
    m = (a if order == "mdy" else b).cast(pl.Int64)
    d = (c if order == "ymd" else a if order == "dmy" else b).cast(pl.Int64)
    y = _year(y, (la <= 2) & (lc == 2))
    return pl.when(a.is_not_null() & (p["s1"] == p["s2"]) & shape).then(_make_date(y, m, d))


def _micros_of(p, day):
    h, mi = p["h"].cast(pl.Int64), p["mi"].cast(pl.Int64)
    s = p["s"].cast(pl.Int64).fill_null(0)
    frac = p["frac"].str.slice(0, 6).str.pad_end(6, "0").cast(pl.Int64).fill_null(0)
    tz = p["tz"].fill_null("")
    no_tz = tz.is_in(["", "Z"])
    tz_h = tz.str.slice(1, 2).cast(pl.Int64, strict=False)
    five = tz.str.replace(":", "", literal=True).str.len_chars() == 5
    tz_m = pl.when(five).then(tz.str.slice(-2).cast(pl.Int64, strict=False)).otherwise(0)
    sign = pl.when(tz.str.starts_with("-")).then(-1).otherwise(1)
    offset = pl.when(no_tz).then(0).otherwise(sign * (tz_h * 60 + tz_m))
    base = day.cast(pl.Int64) * 86_400_000_000
    time_ok = (h <= 23) & (mi <= 59) & (s <= 59)
    tz_ok = no_tz | ((tz_h <= 23) & (tz_m <= 59))
    return (
        pl.when(day.is_null())
        .then(None)
        .when(p["tsep"].is_null())
        .then(base)
        .when(time_ok & tz_ok)
        .then(base + ((h * 60 + mi) * 60 + s) * 1_000_000 + frac - offset * 60_000_000)
    )


def _datetime(micros):
    return pl.from_epoch(micros, time_unit="us")


def as_date(c, order):
    return _day_of(_groups(trim(pl.col(c)), DATE_FIELDS, DATE_NAMES), order)


def _date_from_text(t, order):
    return _day_of(_groups(t, DATE_FIELDS, DATE_NAMES), order)


def _datetime_from_text(t, order):
    p = _groups(t, DATE_FIELDS, DATE_NAMES)
    return _datetime(_micros_of(p, _day_of(p, order)))


def as_datetime(c, order):
    return _datetime_from_text(trim(pl.col(c)), order)


# Dates with the month as a word (Jan 1, 2000; 1 January 2000; 12-Jun-98; a
# weekday in front is skipped), optionally then a time.
NAMED_NAMES = ["mw1", "d1", "d2", "mw2", "y", "h", "mi", "s", "frac", "tz"]
MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}


def _named(c):
    p = _groups(trim(pl.col(c)), NAMED_DATE, NAMED_NAMES)
    word = pl.coalesce(p["mw1"], p["mw2"]).str.slice(0, 3).str.to_lowercase()
    month = word.replace_strict(MONTHS, default=None, return_dtype=pl.Int64)
    y = p["y"].cast(pl.Int64)
    y = _year(y, p["y"].str.len_chars() == 2)
    day = pl.when(p["y"].is_not_null()).then(
        _make_date(y, month, pl.coalesce(p["d1"], p["d2"]).cast(pl.Int64)))
    p["tsep"] = pl.when(p["h"].is_not_null()).then(pl.lit(" "))
    return p, day


def as_named_date(c):
    return _named(c)[1]


def as_named_datetime(c):
    p, day = _named(c)
    return _datetime(_micros_of(p, day))


# ISO week dates: 2024-W05-3, 2024-W05 (its Monday), 2024W053; week 53 of a
# year with 52 weeks is no date.
def as_isoweek(c):
    p = _groups(trim(pl.col(c)), ISO_WEEK, ["y", "s1", "w", "s2", "d"])
    y = p["y"].cast(pl.Int64)
    jan4 = _make_date(y, pl.lit(4).cast(pl.Int64) - 3, pl.lit(4).cast(pl.Int64))
    days = (p["w"].cast(pl.Int64) - 1) * 7 + p["d"].cast(pl.Int64).fill_null(1) - jan4.dt.weekday()
    x = jan4 + pl.duration(days=days)
    bad = p["y"].is_null() | (p["d"].is_not_null() & (p["s1"] != p["s2"]))
    return pl.when(~bad & (x.dt.iso_year() == y)).then(x)


def as_unix(c, micros_per_unit):
    return _datetime(_int(trim(pl.col(c))) * micros_per_unit)


def as_serial_date(c):
    days = _float(trim(pl.col(c))).round(0).cast(pl.Int64, strict=False)
    return pl.lit(datetime.date(1899, 12, 30)) + pl.duration(days=days)


def as_serial_datetime(c):
    x = _float(trim(pl.col(c)))
    return _datetime(((x - 25569) * 86_400_000_000).round(0).cast(pl.Int64, strict=False))


# ---------------------------------------------------------------------------
# Values as Plainsight shows them as text (numbers without exponent, 1.0 as 1).


def _float_text(x):
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    s = format(Decimal(repr(x)), "f")
    return s[:-2] if s.endswith(".0") else s


def _datetime_text(t):
    micro = t.dt.microsecond()
    return t.dt.strftime("%Y-%m-%dT%H:%M:%S") + (
        pl.when(micro == 0)
        .then(pl.lit(""))
        .when(micro % 1000 == 0)
        .then("." + (micro // 1000).cast(pl.String).str.zfill(3))
        .otherwise("." + micro.cast(pl.String).str.zfill(6))
    )


# ---------------------------------------------------------------------------
# The file, and the steps.


def read_raw(path, separator, columns, header, utf16, eol="\n"):
    """The raw file as text columns c1, c2, ... in file order, numbered
    (`eol`: the line end, "\r" for old Mac files; "\n" reads CRLF too)."""
    schema = {f"c{i}": pl.String for i in range(1, columns + 1)}
    options = dict(
        has_header=False,
        separator=separator,
        quote_char='"',
        eol_char=eol,
        schema=schema,
        truncate_ragged_lines=True,
        raise_if_empty=False,
    )
    if utf16:
        with open(path, encoding="utf-16") as f:
            df = pl.read_csv(f.read().encode("utf-8"), **options).lazy()
    else:
        df = pl.scan_csv(path, **options)
    df = df.with_row_index(ROW)
    # A blank line is no row. (polars reads a row of empty fields alike, so
    # such a row is dropped too; Plainsight keeps it as a row of missing
    # values.)
    df = df.filter(~pl.all_horizontal([pl.col(c).is_null() for c in schema]))
    return df.slice(1) if header else df


def columns_of(df):
    return df.collect_schema().names()


def insert_after(df, column, items):
    """df with the expressions `items` (aliased) placed after `column`."""
    out = []
    for name in columns_of(df):
        out.append(pl.col(name))
        if name == column:
            out.extend(items)
    return df.select(out)


def drop_missing_rows(df, columns):
    return df.filter(pl.all_horizontal([pl.col(c).is_not_null() for c in columns]))


def fill(df, column, how, value=None):
    c = pl.col(column)
    if how in ("mean", "median"):
        x = c.cast(pl.Float64)
        return df.with_columns(x.fill_null(x.mean() if how == "mean" else x.median()).alias(column))
    if how == "mode":
        return df.with_columns(c.fill_null(c.drop_nulls().mode().min()))
    if how == "constant":
        return df.with_columns(c.fill_null(value))
    if how == "forward":
        return df.with_columns(c.forward_fill())
    return df.with_columns(c.backward_fill())


def drop_duplicates(df):
    # A filter, not unique(): that would keep -0.0 as 0.0.
    names = [n for n in columns_of(df) if n != ROW]
    return df.filter(pl.struct(names).is_first_distinct()) if names else df


def trim_all(df, columns):
    return df.with_columns([pl.col(c).str.strip_chars(TRIM_ALL) for c in columns])


def change_case(df, column, case):
    c = pl.col(column)
    if case == "lower":
        return df.with_columns(c.str.to_lowercase())
    if case == "upper":
        return df.with_columns(c.str.to_uppercase())
    word = pl.element().str.slice(0, 1).str.to_uppercase() + pl.element().str.slice(1).str.to_lowercase()
    return df.with_columns(c.str.split(" ").list.eval(word).list.join(" "))


def cast(df, column, source, target, order=None):
    c = pl.col(column)
    t = trim(c)
    if target == "string":
        if source == "float":
            e = c.map_elements(_float_text, return_dtype=pl.String)
        elif source == "date":
            e = c.dt.strftime("%Y-%m-%d")
        elif source == "datetime":
            e = _datetime_text(c)
        else:
            e = c.cast(pl.String)
    elif source == "string":
        e = {
            "integer": lambda: _int(t),
            "float": lambda: _float(t),
            "boolean": lambda: _bool_loose(t),
            "date": lambda: _date_from_text(t, order),
            "datetime": lambda: _datetime_from_text(t, order),
        }[target]()
    elif target == "float":
        e = c.cast(pl.Float64)
    elif (source, target) == ("integer", "boolean"):
        e = pl.when(c == 0).then(pl.lit(False)).when(c == 1).then(pl.lit(True))
    elif (source, target) == ("float", "integer"):
        whole = (c % 1 == 0) & (c >= -9007199254740992) & (c <= 9007199254740992)
        e = pl.when(whole).then(c.cast(pl.Int64, strict=False))
    elif target == "integer":
        e = c.cast(pl.Int64)
    elif target == "datetime":
        e = c.cast(pl.Datetime("us"))
    else:
        e = c.dt.date()
    return df.with_columns(e.alias(column))


def _finite(x):
    return x.is_finite()


def outliers(df, column, rule, k, action, flag=None):
    v = pl.col(column).cast(pl.Float64)
    if rule == "iqr":
        p25, p75 = v.quantile(0.25, "linear"), v.quantile(0.75, "linear")
        lo, hi = p25 - k * (p75 - p25), p75 + k * (p75 - p25)
    else:
        std = pl.when(v.count() > 1).then(v.std(ddof=1))
        lo, hi = v.mean() - k * std, v.mean() + k * std
    outside = ((v < lo) | (v > hi)).fill_null(False)
    if action == "flag":
        return insert_after(df, column, [pl.when(pl.col(column).is_null()).then(None).otherwise(outside).alias(flag)])
    if action == "cap":
        return df.with_columns(pl.when(v < lo).then(lo).when(v > hi).then(hi).otherwise(v).alias(column))
    return df.filter(pl.col(column).is_null() | ~outside)


def shows_as(column, value):
    """The cell shows as `value` (a category): 0 and -0 differ."""
    c = pl.col(column)
    if value is None:
        return pl.lit(False)
    if isinstance(value, float) and value == 0:
        negative = c.cast(pl.String).str.starts_with("-")
        return (c == 0) & (negative if math.copysign(1, value) < 0 else ~negative)
    return c == value


def one_hot(df, column, categories, names, other=None):
    items = [shows_as(column, v).fill_null(False).cast(pl.Int64).alias(n) for v, n in zip(categories, names)]
    if other is not None:
        any_ = pl.any_horizontal([shows_as(column, v) for v in categories]).fill_null(False)
        items.append((pl.col(column).is_not_null() & ~any_).cast(pl.Int64).alias(other))
    out = []
    for name in columns_of(df):
        out.extend(items if name == column else [pl.col(name)])
    return df.select(out)


def ordinal(df, column, codes):
    e = pl.lit(None, dtype=pl.Int64)
    for value, code in reversed(codes):
        e = pl.when(shows_as(column, value)).then(pl.lit(code, dtype=pl.Int64)).otherwise(e)
    return df.with_columns(e.alias(column))


def scale(df, column, method):
    v = pl.col(column).cast(pl.Float64)
    if method == "standard":
        center, spread = v.mean(), v.std(ddof=0)
    elif method == "minmax":
        center, spread = v.min(), v.max() - v.min()
    else:
        center, spread = v.median(), v.quantile(0.75, "linear") - v.quantile(0.25, "linear")
    spread = pl.when((spread == 0) | ~spread.is_finite()).then(1.0).otherwise(spread)
    return df.with_columns(((v - center) / spread).alias(column))


def log1p(df, column):
    return df.with_columns(pl.col(column).cast(pl.Float64).log1p())


def yeo_johnson(df, column, lam, eps):
    x = pl.col(column).cast(pl.Float64)
    pos = (x + 1).log() if abs(lam) < eps else ((x + 1).pow(lam) - 1) / lam
    m = 2.0 - lam
    neg = -(1 - x).log() if abs(lam - 2.0) < eps else -((1 - x).pow(m) - 1) / m
    return df.with_columns(pl.when(x >= 0).then(pos).otherwise(neg).alias(column))


def date_parts(df, column, parts, names):
    c = pl.col(column)
    day = c.dt.date() if df.collect_schema()[column] == pl.Datetime("us") else c
    of = {
        "year": day.dt.year(),
        "quarter": day.dt.quarter(),
        "month": day.dt.month(),
        "day": day.dt.day(),
        "weekday": day.dt.weekday() - 1,
    }
    return insert_after(df, column, [of[p].cast(pl.Int64).alias(n) for p, n in zip(parts, names)])


def filter_rows(df, column, test, value=None):
    c = pl.col(column)
    cond = {
        "is_missing": lambda: c.is_null(),
        "not_missing": lambda: c.is_not_null(),
        "contains": lambda: c.str.contains(value, literal=True),
        "eq": lambda: c == value,
        "ne": lambda: c != value,
        "lt": lambda: c < value,
        "le": lambda: c <= value,
        "gt": lambda: c > value,
        "ge": lambda: c >= value,
    }[test]()
    return df.filter(cond)
