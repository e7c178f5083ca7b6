#!/usr/bin/env python3
"""Computes <fixture>.expected.json for every fixture of tests/data with pandas.

Run by hand (`pip install pandas`, then `python3 tests/data/make_expected.py`);
the outputs are committed and CI does not need pandas.

SPEC says, per good fixture, how pandas must read it (sep, encoding, which
columns are text or dates and their format) and what Plainsight must report
that pandas cannot (our type names, file facts, notes). The statistics
themselves all come from pandas. Malformed fixtures list the expected error.
"""
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent

# read: keyword arguments for pandas.read_csv ("json": load records).
# types: our contract type per column.  dates: column -> strptime format.
# facts: FileFacts fields to check.  notes: note kinds that must be present.
SPEC = {
    "utf8_bom.csv": dict(
        read=dict(encoding="utf-8-sig"),
        types=["integer", "string", "float", "date"],
        dates={"joined": "%Y-%m-%d"},
        facts=dict(encoding="UTF-8 (BOM)", delimiter=",", line_ending="LF", has_header=True),
    ),
    "semicolon_decimal.csv": dict(
        read=dict(sep=";", decimal=","),
        types=["string", "integer", "float", "float"],
        facts=dict(encoding="UTF-8", delimiter=";", format="csv"),
        notes=["decimal-comma"],
    ),
    "tab_separated.tsv": dict(
        read=dict(sep="\t"),
        types=["string", "integer", "float", "boolean"],
        facts=dict(delimiter="\t", format="tsv"),
    ),
    "pipe_separated.txt": dict(
        read=dict(sep="|"),
        types=["string", "integer", "float"],
        facts=dict(delimiter="|"),
    ),
    "quoted_fields.csv": dict(read={}, types=["integer", "string", "float"]),
    "windows1252.csv": dict(
        read=dict(encoding="cp1252"),
        types=["string", "string", "float"],
        facts=dict(encoding="Windows-1252"),
    ),
    "utf16le_bom.csv": dict(
        read=dict(encoding="utf-16"),
        types=["string", "float", "integer"],
        facts=dict(encoding="UTF-16LE", delimiter=","),
    ),
    "crlf.csv": dict(
        read={},
        types=["integer", "string", "date"],
        dates={"c": "%Y-%m-%d"},
        facts=dict(line_ending="CRLF"),
    ),
    "cr_only.csv": dict(
        read=dict(lineterminator="\r"),
        types=["integer", "string"],
        facts=dict(line_ending="CR"),
    ),
    "missing_tokens.csv": dict(read={}, types=["integer", "integer", "string", "float"]),
    "int_missing.csv": dict(read={}, types=["string", "integer"]),
    "dates_iso.csv": dict(read={}, types=["string", "date"], dates={"day": "%Y-%m-%d"}),
    "dates_dmy.csv": dict(read={}, types=["integer", "date"], dates={"placed": "%d/%m/%Y"}),
    "dates_mdy.csv": dict(read={}, types=["integer", "date"], dates={"placed": "%m/%d/%Y"}),
    "dates_ambiguous.csv": dict(
        read={},
        types=["integer", "date"],
        dates={"placed": "%m/%d/%Y"},
        notes=["ambiguous-date-order"],
    ),
    "datetimes.csv": dict(read={}, types=["integer", "datetime"], dates={"ts": "ISO8601"}),
    "dates_as_written.csv": dict(
        read={},
        types=["integer", "date", "date", "date", "date", "date", "datetime", "datetime", "date", "datetime"],
        convert={
            "released": lambda s: pd.to_datetime(s, format="mixed"),
            "shipped": lambda s: pd.to_datetime(s, format="mixed", dayfirst=True),
            "returned": lambda s: pd.to_datetime(s, format="%d-%b-%y"),
            "visited": lambda s: pd.to_datetime(s, format="%a, %d %b %Y"),
            "week": lambda s: pd.to_datetime(s, format="%G-W%V-%u"),
            "created_ts": lambda s: pd.to_datetime(s, unit="s"),
            "event_time_ms": lambda s: pd.to_datetime(s, unit="ms"),
            "order_date": lambda s: pd.to_datetime(s, unit="D", origin="1899-12-30"),
            "logged": lambda s: pd.to_datetime(s, utc=True).dt.tz_localize(None),
        },
        notes=["date-format", "two-digit-year", "unix-time", "excel-serial", "utc-offset"],
    ),
    "zip_codes.csv": dict(
        read=dict(dtype={"zip": str, "code": str}),
        types=["string", "string", "string"],
    ),
    "booleans.csv": dict(read={}, types=["integer", "boolean", "boolean"]),
    "duplicates.csv": dict(read={}, types=["integer", "string", "float"]),
    "records.json": dict(
        read="json",
        types=["integer", "string", "float", "string", "boolean", "string"],
        facts=dict(format="json", has_header=True),
    ),
    "events.ndjson": dict(
        read="json",
        types=["string", "float", "date", "string"],
        dates={"when": "%Y-%m-%d"},
        facts=dict(format="ndjson"),
    ),
    "no_header.csv": dict(
        read=dict(header=None, names=["column_1", "column_2", "column_3"]),
        types=["integer", "float", "integer"],
        facts=dict(has_header=False),
        notes=["no-header"],
    ),
    "renamed_headers.csv": dict(
        read=dict(header=0, names=["id", "column_2", "name", "name.1"]),
        types=["integer", "string", "string", "string"],
        notes=["renamed-header"],
    ),
}

ERRORS = {
    "empty.csv": {"error": "Empty"},
    "header_only.csv": {"error": "HeaderOnly", "columns": 3},
    "ragged.csv": {"error": "Ragged", "line": 6, "byte": 28, "expected": 3, "found": 4},
    "binary.csv": {"error": "Binary", "offset": 6},
    "unclosed_quote.csv": {"error": "UnclosedQuote", "line": 3},
    "bad.json": {"error": "JsonSyntax", "line": 3},
    "array_of_arrays.json": {"error": "JsonShape", "line": 1},
}


def load_json_records(path):
    """Records of a JSON array or NDJSON file; nested values as compact JSON text."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        records = json.loads(text)
    else:
        records = [json.loads(line) for line in text.splitlines() if line.strip()]
    for r in records:
        for k, v in r.items():
            if isinstance(v, (dict, list)):
                r[k] = json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return pd.DataFrame.from_records(records)


def float_text(v):
    """Rust's `{}` of an f64: shortest round-trip, no exponent, no trailing .0."""
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return np.format_float_positional(float(v), trim="-")


def iso(ts, with_time):
    if not with_time:
        return ts.strftime("%Y-%m-%d")
    out = ts.strftime("%Y-%m-%dT%H:%M:%S")
    us = ts.microsecond
    if us:
        out += f".{us // 1000:03d}" if us % 1000 == 0 else f".{us:06d}"
    return out


def num(v):
    return None if v is None or pd.isna(v) else float(v)


def first_most_frequent(values):
    """Most frequent value; ties go to the value seen first."""
    counts = Counter(values)
    if not counts:
        return None
    best = max(counts.values())
    return next(v for v in values if counts[v] == best)


def column_stats(s, typ, date_fmt):
    present = s.dropna()
    out = {
        "name": str(s.name),
        "type": typ,
        "count": int(s.count()),
        "missing": int(s.isna().sum()),
        "distinct": int(s.nunique()),
    }
    if typ in ("integer", "float"):
        x = present.astype(float)
        out.update(
            mean=num(x.mean()) if len(x) else None,
            std=num(x.std()) if len(x) > 1 else None,
            p25=num(x.quantile(0.25)) if len(x) else None,
            p50=num(x.quantile(0.5)) if len(x) else None,
            p75=num(x.quantile(0.75)) if len(x) else None,
        )
        if len(x):
            if typ == "integer":
                out.update(min=str(int(x.min())), max=str(int(x.max())))
            else:
                out.update(min=float_text(x.min()), max=float_text(x.max()))
    elif typ in ("date", "datetime"):
        with_time = typ == "datetime"
        if len(present):
            out.update(min=iso(present.min(), with_time), max=iso(present.max(), with_time))
        top = first_most_frequent([iso(v, with_time) for v in present])
        out["top"] = top
    elif typ == "boolean":
        top = first_most_frequent([str(v).lower() for v in present])
        out["top"] = top
    else:
        out["top"] = first_most_frequent([str(v) for v in present])
    return out


def expected_for(name, spec):
    path = HERE / name
    if spec["read"] == "json":
        df = load_json_records(path)
    else:
        df = pd.read_csv(path, **spec["read"])
    dates = spec.get("dates", {})
    for col, fmt in dates.items():
        df[col] = pd.to_datetime(df[col], format=fmt)
    for col, convert in spec.get("convert", {}).items():
        df[col] = convert(df[col])
    assert len(df.columns) == len(spec["types"]), (name, list(df.columns))
    out = {
        "rows": int(len(df)),
        "columns": int(len(df.columns)),
        "duplicate_rows": int(df.duplicated().sum()),
        "facts": spec.get("facts", {}),
        "notes": spec.get("notes", []),
        "column_stats": [
            column_stats(df[c], t, dates.get(c)) for c, t in zip(df.columns, spec["types"])
        ],
    }
    return out


def main():
    for name, spec in SPEC.items():
        exp = expected_for(name, spec)
        (HERE / f"{name}.expected.json").write_text(json.dumps(exp, indent=2, ensure_ascii=False) + "\n")
    for name, err in ERRORS.items():
        (HERE / f"{name}.expected.json").write_text(json.dumps(err, indent=2) + "\n")
    print(f"wrote {len(SPEC) + len(ERRORS)} expected files")


if __name__ == "__main__":
    main()
