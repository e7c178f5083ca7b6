"""Runs Plainsight's exported recipe in a real engine and compares the result
with the app's own output, value by value.

usage: compare.py [--engine duckdb|spark|polars] CASE_DIR...

Each CASE_DIR holds the raw file, the export for the engine, and the app's
output of the same recipe on the same file. DuckDB runs `recipe.sql` with
CASE_DIR as the working directory (so the SQL finds the file by its name);
Spark (PySpark in local mode, one session for all cases) imports
`recipe.py`, calls its `clean(spark, RAW)`, writes the result as Parquet
into CASE_DIR/spark.parquet as the script's `main` does, and reads that
back with pyarrow, so the Parquet's types are what is checked; polars imports
`recipe.polars.py`, calls its `clean(RAW)` and does the same with
CASE_DIR/polars.parquet. The app's output:
  app.csv         the cleaned table as the app exports it (write_csv)
  app.json        the same as JSON (write_json): tells missing text from ""
  app.types.json  {"names": [...], "types": ["integer", "float", ...]}

Checked per case: the column names in order, their types (BIGINT, DOUBLE,
BOOLEAN, DATE, TIMESTAMP, VARCHAR for integer, float, boolean, date,
datetime, string; in the Parquet, int64, double, bool, date32, timestamp
in microseconds without a zone, string), the row count, and every cell in order: missing where
the app has missing, integers and booleans equal, floats equal to 1e-9
relative, dates and datetimes equal, text exactly equal (the CSV's
spreadsheet-safety quote undone, and checked against the JSON).

Prints one line per case; exit 0 when all match, 1 otherwise, 3 when the
engine cannot be imported.
"""

import csv
import datetime
import json
import math
import os
import runpy
import sys

SQL_TYPES = {
    "integer": "BIGINT",
    "float": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "string": "VARCHAR",
}

MAX_DIFFS = 10


def plain_number(s):
    """The app's `plain_number`: a decimal number a spreadsheet reads as one."""
    i, n = 0, len(s)
    if i < n and s[i] in "+-":
        i += 1
    start = i
    while i < n and s[i].isascii() and s[i].isdigit():
        i += 1
    digits = i - start
    if i < n and s[i] == ".":
        i += 1
        start = i
        while i < n and s[i].isascii() and s[i].isdigit():
            i += 1
        digits += i - start
    if digits == 0:
        return False
    if i < n and s[i] in "eE":
        i += 1
        if i < n and s[i] in "+-":
            i += 1
        start = i
        while i < n and s[i].isascii() and s[i].isdigit():
            i += 1
        if i == start:
            return False
    return i == n


def defuse(cell):
    """The app's `defuse`: text a spreadsheet would run gets a leading quote."""
    if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not plain_number(cell):
        return "'" + cell
    return cell


def close(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if a == b:
        return True
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def expected_cell(kind, cell, json_value):
    """The app's value of one cell, from its CSV text (and JSON for text)."""
    if kind == "string":
        # The CSV writes missing and "" alike; the JSON tells them apart.
        want_csv = "" if json_value is None else defuse(json_value)
        if cell != want_csv:
            raise ValueError(f"app CSV {cell!r} and JSON {json_value!r} disagree")
        return json_value
    if cell == "":
        return None
    if kind == "integer":
        return int(cell)
    if kind == "float":
        return float(cell)
    if kind == "boolean":
        return {"true": True, "false": False}[cell]
    if kind == "date":
        return datetime.date.fromisoformat(cell)
    if kind == "datetime":
        return datetime.datetime.fromisoformat(cell)
    raise ValueError(f"unknown type {kind}")


def same(kind, want, got):
    if want is None or got is None:
        return want is None and got is None
    if kind == "integer":
        return type(got) is int and got == want
    if kind == "float":
        return isinstance(got, float) and close(want, got)
    if kind == "boolean":
        return type(got) is bool and got == want
    if kind == "date":
        return type(got) is datetime.date and got == want
    if kind == "datetime":
        return type(got) is datetime.datetime and got == want
    return type(got) is str and got == want


def run_duckdb(case_dir):
    """DuckDB's result of recipe.sql: names, types, rows; or an error line."""
    import duckdb

    with open(os.path.join(case_dir, "recipe.sql"), encoding="utf-8") as f:
        sql = f.read()
    here = os.getcwd()
    os.chdir(case_dir)
    try:
        con = duckdb.connect()
        result = con.sql(sql)
        return result.columns, [str(t) for t in result.types], result.fetchall()
    except duckdb.Error as e:
        return f"DuckDB failed: {str(e).splitlines()[0]}"
    finally:
        os.chdir(here)


ARROW_TYPES = {
    "int64": "BIGINT",
    "double": "DOUBLE",
    "bool": "BOOLEAN",
    "date32[day]": "DATE",
    "timestamp[us]": "TIMESTAMP",
    "string": "VARCHAR",
    # polars writes text as Arrow's large_string: a Parquet STRING all the same.
    "large_string": "VARCHAR",
}


def raw_file(case_dir):
    raw = [f for f in os.listdir(case_dir) if not f.startswith(("app.", "recipe.", "spark.", "polars."))]
    return raw[0] if len(raw) == 1 else None


def read_parquet(path):
    """Names, types (as SQL_TYPES names) and rows of a Parquet file or folder."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    types = [ARROW_TYPES.get(str(f.type), str(f.type)) for f in table.schema]
    rows = [tuple(r[n] for n in table.column_names) for r in table.to_pylist()]
    return table.column_names, types, rows


def run_script(case_dir, engine, script_name, write):
    """Runs the script's clean() through `write(clean, raw, out)`, which
    writes the result as Parquet at `out`, and reads that back: names,
    types, rows; or an error line."""
    raw = raw_file(case_dir)
    if raw is None:
        return f"expected one raw file in {case_dir}"
    out = os.path.join(case_dir, engine.lower() + ".parquet")
    try:
        script = runpy.run_path(os.path.join(case_dir, script_name), run_name="plainsight_recipe")
        write(script["clean"], os.path.join(case_dir, raw), out)
    except Exception as e:  # noqa: BLE001 - any engine error is the case's failure
        lines = str(e).strip().splitlines()
        # A Py4J error's first line is only the call that failed.
        cause = next((l for l in lines if "Exception" in l), lines[0] if lines else "")
        return f"{engine} failed: {type(e).__name__}: {cause.strip()[:400]}"
    return read_parquet(out)


def run_polars(case_dir):
    """polars' result of recipe.polars.py's clean()."""
    return run_script(case_dir, "polars", "recipe.polars.py",
                      lambda clean, raw, out: clean(raw).write_parquet(out))


def run_spark(spark, case_dir):
    """Spark's result of recipe.py's clean()."""
    return run_script(case_dir, "Spark", "recipe.py",
                      lambda clean, raw, out: clean(spark, raw).write.mode("overwrite").parquet(out))


def compare(case_dir, run, engine):
    """The differences between the engine's result and the app's (empty: same)."""
    with open(os.path.join(case_dir, "app.types.json"), encoding="utf-8") as f:
        meta = json.load(f)
    names, kinds = meta["names"], meta["types"]
    with open(os.path.join(case_dir, "app.csv"), encoding="utf-8", newline="") as f:
        app_rows = list(csv.reader(f))[1:]
    with open(os.path.join(case_dir, "app.json"), encoding="utf-8") as f:
        app_json = json.load(f)
    result = run(case_dir)
    if isinstance(result, str):
        return [result]
    got_names, got_types, got_rows = result

    diffs = []
    if got_names != names:
        return [f"columns differ: app {names}, {engine} {got_names}"]
    want_types = [SQL_TYPES[k] for k in kinds]
    if got_types != want_types:
        return [f"types differ: app {want_types}, {engine} {got_types}"]
    if not (len(got_rows) == len(app_rows) == len(app_json)):
        return [f"row counts differ: app {len(app_rows)} (JSON {len(app_json)}), {engine} {len(got_rows)}"]
    for r, (app_row, got_row) in enumerate(zip(app_rows, got_rows)):
        if len(app_row) != len(names):
            diffs.append(f"row {r + 1}: the app CSV has {len(app_row)} fields")
            continue
        for c, (name, kind) in enumerate(zip(names, kinds)):
            try:
                want = expected_cell(kind, app_row[c], app_json[r].get(name))
            except ValueError as e:
                diffs.append(f"row {r + 1}, {name}: {e}")
                continue
            if not same(kind, want, got_row[c]):
                diffs.append(f"row {r + 1}, {name} ({kind}): app {want!r}, {engine} {got_row[c]!r}")
            if len(diffs) >= MAX_DIFFS:
                return diffs
    return diffs


def engine_runner(engine):
    """The engine's name and its runner of one case; exits 3 when the engine
    cannot be imported."""
    try:
        if engine == "duckdb":
            import duckdb  # noqa: F401

            return "DuckDB", run_duckdb
        import pyarrow  # noqa: F401

        if engine == "polars":
            import polars  # noqa: F401

            return "polars", run_polars
        from pyspark.sql import SparkSession
    except ImportError as e:  # pragma: no cover - reported to the Rust test
        print(f"cannot import {engine} ({e}): run scripts/setup.sh test")
        sys.exit(3)
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("plainsight-export-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return "Spark", lambda d: run_spark(spark, d)


def main(args):
    engine = "duckdb"
    if args[:1] == ["--engine"]:
        engine, args = args[1], args[2:]
    name, run = engine_runner(engine)
    dirs = args
    failed = 0
    for d in dirs:
        case = os.path.basename(os.path.normpath(d))
        diffs = compare(d, run, name)
        if diffs:
            failed += 1
            print(f"FAIL {case}")
            for line in diffs:
                print(f"     {line}")
        else:
            print(f"ok   {case}")
    print(f"{len(dirs) - failed} of {len(dirs)} cases match")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
