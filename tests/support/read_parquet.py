#!/usr/bin/env python3
"""Reads a Parquet file with pandas (pyarrow types kept) and prints it as
JSON: each column's Arrow type, the footer's key-value metadata and the rows
as records, values written as the app's JSON download writes them (dates
YYYY-MM-DD, datetimes YYYY-MM-DDTHH:MM:SS[.fff|.ffffff]). Used by the
browser test of the Parquet download.

    read_parquet.py FILE
"""
import datetime as dt
import json
import math
import sys

import pandas as pd
import pyarrow.parquet as pq


def value(v):
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, dt.datetime):
        out = v.strftime("%Y-%m-%dT%H:%M:%S")
        if v.microsecond:
            us = v.microsecond
            out += f".{us // 1000:03d}" if us % 1000 == 0 else f".{us:06d}"
        return out
    if isinstance(v, dt.date):
        return v.strftime("%Y-%m-%d")
    if hasattr(v, "item"):
        return v.item()
    return v


def main(path):
    frame = pd.read_parquet(path, dtype_backend="pyarrow")
    meta = pq.read_metadata(path).metadata or {}
    out = {
        "types": {str(c): str(t) for c, t in frame.dtypes.items()},
        "metadata": {k.decode(): v.decode() for k, v in meta.items() if not k.startswith(b"ARROW:")},
        "records": [
            {str(c): value(v) for c, v in zip(frame.columns, row)}
            for row in frame.itertuples(index=False, name=None)
        ],
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
