#!/usr/bin/env python3
"""Writes the Parquet and Arrow fixtures of tests/data/columnar and their
expected profiles (run by hand; the outputs are committed and CI needs none
of this).

Writers: pyarrow writes the original table (Parquet with every codec,
Feather v2 plain/lz4/zstd, an IPC stream, a Feather v1 file that must be
refused); DuckDB and polars each write the same data again with their own
writers (DuckDB's Parquet writer turns categories into plain strings and
zoned timestamps into UTC; polars writes strings as views).

    pip install pandas pyarrow duckdb polars
    python3 tests/data/make_columnar.py

Expected profiles come from pandas (`read_parquet`, `read_feather`) on each
written file, with the types the app gives what pandas has no plain type
for: zoned timestamps as UTC, decimals as floats, times of day, lists and
records as text (lists and records as compact JSON).
"""
import datetime as dt
import decimal
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from make_expected import column_stats

HERE = Path(__file__).resolve().parent / "columnar"
ROWS = 300


def table():
    rng = np.random.default_rng(15)
    n = ROWS
    some_missing = lambda values, every: [None if i % every == 3 else v for i, v in enumerate(values)]
    cities = ["Lyon", "Zürich", "São Paulo", "Oslo", "Kraków", "Austin"]
    start = dt.datetime(2024, 1, 1, 8, 0, 0)
    cols = {
        "id": pa.array(range(1, n + 1), pa.int64()),
        "qty": pa.array(some_missing([int(v) for v in rng.integers(1, 50, n)], 11), pa.int32()),
        "level": pa.array([int(v) for v in rng.integers(0, 5, n)], pa.uint8()),
        "price": pa.array(some_missing([round(float(v), 2) for v in rng.gamma(2.0, 30.0, n)], 7), pa.float64()),
        "ratio": pa.array([float(v) for v in rng.random(n).astype(np.float32)], pa.float32()),
        "paid": pa.array(some_missing([bool(v) for v in rng.random(n) < 0.6], 13), pa.bool_()),
        "city": pa.array(some_missing([cities[int(v)] for v in rng.integers(0, len(cities), n)], 17), pa.string()),
        "segment": pa.array([["retail", "wholesale", "online"][int(v)] for v in rng.integers(0, 3, n)]).dictionary_encode(),
        "day": pa.array(some_missing([dt.date(2024, 1, 1) + dt.timedelta(days=int(v)) for v in rng.integers(0, 365, n)], 19), pa.date32()),
        "placed_at": pa.array([start + dt.timedelta(minutes=int(v)) for v in rng.integers(0, 500_000, n)], pa.timestamp("us")),
        "shipped_at": pa.array(
            some_missing([(start + dt.timedelta(hours=int(v))).replace(tzinfo=dt.timezone.utc) for v in rng.integers(0, 9000, n)], 23),
            pa.timestamp("ns", tz="Europe/Paris"),
        ),
        "amount": pa.array([decimal.Decimal(int(v)) / 100 for v in rng.integers(0, 1_000_000, n)], pa.decimal128(10, 2)),
        "opens": pa.array([dt.time(int(h), int(m)) for h, m in zip(rng.integers(6, 11, n), rng.integers(0, 4, n) * 15)], pa.time64("us")),
        "tags": pa.array([["a", "b"][: int(v)] for v in rng.integers(0, 3, n)], pa.list_(pa.string())),
        "nothing": pa.nulls(n),
    }
    return pa.table(cols)


def app_types(schema):
    """The type the app gives each field."""
    out = []
    for f in schema:
        t = f.type
        if pa.types.is_dictionary(t):
            t = t.value_type
        if pa.types.is_integer(t):
            out.append("integer")
        elif pa.types.is_floating(t) or pa.types.is_decimal(t):
            out.append("float")
        elif pa.types.is_boolean(t):
            out.append("boolean")
        elif pa.types.is_date(t):
            out.append("date")
        elif pa.types.is_timestamp(t):
            out.append("datetime")
        else:
            out.append("string")
    return out


def as_app_reads(df, schema):
    """pandas' frame with each column as the app reads it."""
    for f in schema:
        s, t = df[f.name], f.type
        if pa.types.is_timestamp(t):
            s = pd.to_datetime(s)
            if s.dt.tz is not None:
                s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        elif pa.types.is_decimal(t):
            s = s.map(lambda v: None if v is None else float(v)).astype(float)
        elif pa.types.is_list(t) or pa.types.is_large_list(t):
            s = s.map(lambda v: None if v is None else json.dumps(list(v), ensure_ascii=False, separators=(",", ":")))
        elif pa.types.is_time(t):
            s = s.map(lambda v: None if v is None else v.strftime("%H:%M:%S"))
        elif pa.types.is_null(t):
            s = s.astype(object)
        df[f.name] = s
    return df


def expected(path, df, schema, facts):
    df = as_app_reads(df, schema)
    types = app_types(schema)
    return {
        "rows": int(len(df)),
        "columns": int(len(df.columns)),
        "duplicate_rows": int(df.astype(str).duplicated().sum()),
        "facts": facts,
        "notes": sorted({"decimal", "kept-as-text", "time-zone"} & notes_for(schema)),
        "column_stats": [column_stats(df[f.name], t, None) for f, t in zip(schema, types)],
    }


def notes_for(schema):
    kinds = set()
    for f in schema:
        t = f.type
        if pa.types.is_decimal(t):
            kinds.add("decimal")
        if pa.types.is_timestamp(t) and t.tz not in (None, "UTC", "+00:00", "Etc/UTC"):
            kinds.add("time-zone")
        if pa.types.is_time(t) or pa.types.is_list(t) or pa.types.is_large_list(t):
            kinds.add("kept-as-text")
    return kinds


def plain(t):
    """A view type (polars writes strings as views) as its plain type."""
    if pa.types.is_string_view(t):
        return pa.string()
    if pa.types.is_binary_view(t):
        return pa.binary()
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_list_view(t):
        return pa.list_(plain(t.value_type))
    if pa.types.is_dictionary(t):
        return pa.dictionary(t.index_type, plain(t.value_type))
    return t


def without_views(at):
    """pandas cannot take lists of string views: read them as plain lists."""
    return at.cast(pa.schema([f.with_type(plain(f.type)) for f in at.schema]))


def main():
    HERE.mkdir(exist_ok=True)
    for old in HERE.iterdir():
        old.unlink()
    t = table()
    written = []
    for codec in ["snappy", "gzip", "lz4", "brotli", "zstd", "none"]:
        name = f"pyarrow_{codec}.parquet"
        pq.write_table(t, HERE / name, compression=codec, row_group_size=128)
        written.append(name)
    for codec in ["uncompressed", "lz4", "zstd"]:
        name = f"pyarrow_{codec}.feather"
        feather.write_feather(t, HERE / name, compression=codec, chunksize=128)
        written.append(name)
    with ipc.new_stream(HERE / "pyarrow_stream.arrows", t.schema) as w:
        for b in t.to_batches(max_chunksize=100):
            w.write_batch(b)
    written.append("pyarrow_stream.arrows")

    con = duckdb.connect()
    con.sql("SET TimeZone = 'UTC'")
    src = (HERE / "pyarrow_snappy.parquet").as_posix()
    for codec in ["snappy", "zstd", "gzip"]:
        name = f"duckdb_{codec}.parquet"
        con.sql(
            f"COPY (SELECT * FROM read_parquet('{src}')) TO '{(HERE / name).as_posix()}' "
            f"(FORMAT parquet, COMPRESSION {codec}, ROW_GROUP_SIZE 100)"
        )
        written.append(name)

    frame = pl.from_arrow(t)
    frame.write_ipc(HERE / "polars_zstd.arrow", compression="zstd")
    written.append("polars_zstd.arrow")
    frame.write_parquet(HERE / "polars_lz4.parquet", compression="lz4")
    written.append("polars_lz4.parquet")

    for name in written:
        path = HERE / name
        if name.endswith(".parquet"):
            at, fmt = pq.read_table(path), "parquet"
        elif name.endswith(".arrows"):
            with ipc.open_stream(path) as r:
                at, fmt = r.read_all(), "arrow"
        else:
            at, fmt = feather.read_table(path), "arrow"
        schema, df = at.schema, without_views(at).to_pandas()
        exp = expected(path, df, schema, {"format": fmt, "has_header": True})
        (HERE / f"{name}.expected.json").write_text(json.dumps(exp, indent=2, ensure_ascii=False) + "\n")

    # Refused with a reason: a file cut short, a Feather version 1 file.
    whole = (HERE / "pyarrow_zstd.parquet").read_bytes()
    (HERE / "cut_short.parquet").write_bytes(whole[: len(whole) // 2])
    (HERE / "cut_short.parquet.expected.json").write_text(json.dumps({"error": "ColumnarDamaged"}) + "\n")
    small = pa.table({"a": [1, 2, 3]})
    feather.write_feather(small, HERE / "version1.feather", version=1)
    (HERE / "version1.feather.expected.json").write_text(json.dumps({"error": "ColumnarUnsupported"}) + "\n")


if __name__ == "__main__":
    main()
