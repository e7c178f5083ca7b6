#!/usr/bin/env python3
"""Writes the spreadsheet fixtures of tests/data/workbooks and their expected
profiles (run by hand; the outputs are committed and CI needs none of this).

Two writers per format: openpyxl writes the .xlsx originals; LibreOffice
(`soffice --headless --convert-to`) re-saves them as .ods, .xls and its own
.xlsx (and computes the cached values of formulas, which openpyxl cannot).
msoffcrypto-tool encrypts one copy with a password.

    pip install pandas openpyxl odfpy xlrd msoffcrypto-tool
    apt-get install libreoffice-calc-nogui
    python3 tests/data/make_workbooks.py

Expected profiles come from pandas' `read_excel` on each written file
(`<file>.expected.json`: the sheet read by default, then every sheet's
statistics), with what a careful analyst does where pandas does not: the
title row skipped, the two-row merged header joined, merged cells filled.
"""
import datetime as dt
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from make_expected import column_stats

HERE = Path(__file__).resolve().parent / "workbooks"


def two_sheets(path):
    wb = openpyxl.Workbook()
    s = wb.active
    s.title = "Summary"
    s.append(["region", "orders", "revenue"])
    for row in [("North", 12, 1520.5), ("South", 7, 880.25), ("East", 9, 1210.0), ("West", 4, 415.75)]:
        s.append(row)
    o = wb.create_sheet("Orders")
    o.append(["order_id", "placed", "amount", "paid", "note", "shipped_at"])
    rows = [
        (1001, dt.date(2024, 1, 5), 120.5, True, "first order", dt.datetime(2024, 1, 6, 9, 30)),
        (1002, dt.date(2024, 1, 7), "#DIV/0!", False, None, dt.datetime(2024, 1, 8, 14, 0)),
        (1003, dt.date(2024, 2, 11), 99.99, True, "gift", dt.datetime(2024, 2, 12, 8, 15, 30)),
        (1004, dt.date(2024, 2, 29), "#N/A", True, "leap day", None),
        (1005, dt.date(2024, 3, 3), 42.0, False, None, dt.datetime(2024, 3, 4, 17, 45)),
        (1006, dt.date(2024, 3, 3), 310.0, True, "gift", dt.datetime(2024, 3, 5, 11, 0)),
    ]
    for r in rows:
        o.append(list(r))
    for row in o.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].number_format = "yyyy-mm-dd"
    wb.create_sheet("Empty")
    wb.save(path)


def report_layout(path):
    """A report as people lay it out: a merged title, a blank row, a header
    merged over two rows, a region merged down its rows, trailing blanks."""
    wb = openpyxl.Workbook()
    s = wb.active
    s.title = "Report"
    s["A1"] = "Quarterly sales report 2024"
    s.merge_cells("A1:E1")
    s["A3"] = "Region"
    s.merge_cells("A3:A4")
    s["B3"] = "Q1"
    s.merge_cells("B3:C3")
    s["D3"] = "Q2"
    s.merge_cells("D3:E3")
    for col, name in zip("BCDE", ["units", "revenue", "units", "revenue"]):
        s[f"{col}4"] = name
    data = [
        ("North", 10, 1000.5, 12, 1300.0),
        (None, 11, 1100.0, 9, 950.25),
        ("South", 7, 700.0, 8, 820.0),
        (None, 5, 510.5, 6, 640.0),
        ("West", 3, 300.0, 4, 410.0),
    ]
    for i, row in enumerate(data, start=5):
        for col, v in zip("ABCDE", row):
            if v is not None:
                s[f"{col}{i}"] = v
    s.merge_cells("A5:A6")
    s.merge_cells("A7:A8")
    # Formatting far below the table, no values (a sheet's "used range").
    s["F40"].number_format = "0.00"
    wb.save(path)


def dates_1904(path):
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    s = wb.active
    s.title = "Visits"
    s.append(["visit", "day", "at"])
    days = [dt.date(1999, 12, 31), dt.date(2000, 1, 1), dt.date(2000, 2, 29), dt.date(2023, 7, 14)]
    for i, d in enumerate(days, start=1):
        s.append([i, d, dt.datetime(d.year, d.month, d.day, 8 + i, 5)])
    for row in s.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].number_format = "yyyy-mm-dd"
    wb.save(path)


def metadata_block(path):
    """An export with a metadata block above the table (a date among it)
    and empty spacer columns between the table's columns."""
    wb = openpyxl.Workbook()
    s = wb.active
    s.title = "Export"
    s["A1"] = "ACME Ltd orders export"
    s["A2"] = "Run date:"
    s["B2"] = dt.date(2024, 5, 1)
    s["A3"] = "Region:"
    s["B3"] = "All"
    for col, name in zip("ACE", ["order", "placed", "amount"]):
        s[f"{col}5"] = name
    rows = [(1, dt.date(2024, 4, 1), 10.5), (2, dt.date(2024, 4, 3), 99.0),
            (3, dt.date(2024, 4, 3), 12.25), (4, dt.date(2024, 4, 9), 7.0)]
    for i, (o, d, a) in enumerate(rows, start=6):
        s[f"A{i}"], s[f"C{i}"], s[f"E{i}"] = o, d, a
    wb.save(path)


def group_header(path):
    """A two-row header without merged cells: each quarter written once
    over its two columns."""
    wb = openpyxl.Workbook()
    s = wb.active
    s.title = "Quarters"
    s.append(["Region", "Q1", None, "Q2", None])
    s.append([None, "units", "revenue", "units", "revenue"])
    for row in [("North", 10, 1000.5, 12, 1300.0), ("South", 7, 700.0, 8, 820.0), ("West", 3, 300.0, 4, 410.75)]:
        s.append(list(row))
    wb.save(path)


def only_errors(path):
    """A sheet whose every filled cell is an error value."""
    wb = openpyxl.Workbook()
    s = wb.active
    s.title = "Broken"
    for ref, err in [("A1", "#DIV/0!"), ("B1", "#N/A"), ("A2", "#REF!"), ("B2", "#VALUE!")]:
        s[ref] = err
    wb.save(path)


def formulas(path):
    """Formulas only; openpyxl stores no results, LibreOffice adds them."""
    wb = openpyxl.Workbook()
    s = wb.active
    s.title = "Lines"
    s.append(["item", "qty", "price", "total", "share"])
    for i, (item, qty, price) in enumerate(
        [("pen", 3, 1.5), ("pad", 2, 4.25), ("ink", 0, 12.0), ("cap", 5, 0.8)], start=2
    ):
        s.append([item, qty, price, f"=B{i}*C{i}", f"=D{i}/B{i}"])
    wb.save(path)


def soffice(src, fmt, out_name):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["soffice", "--headless", "--calc", "--convert-to", fmt, "--outdir", tmp, str(src)],
            check=True,
            capture_output=True,
        )
        produced = next(Path(tmp).iterdir())
        shutil.move(produced, HERE / out_name)




SPECS = {}


def spec(name, default, sheets):
    SPECS[name] = dict(default=default, sheets=sheets)


ORDERS = dict(
    read=dict(na_values=["#DIV/0!"]),
    types=["integer", "date", "float", "boolean", "string", "datetime"],
    notes=["error-cells"],
)
# LibreOffice saves openpyxl's booleans in .ods as the formulas =TRUE() and
# =FALSE() with the numbers 1 and 0 as their values: pandas and we read 1/0.
ORDERS_ODS = dict(ORDERS, types=["integer", "date", "float", "integer", "string", "datetime"])
SUMMARY = dict(read={}, types=["string", "integer", "float"])
REPORT = dict(
    read=dict(
        skiprows=4,
        header=None,
        names=["Region", "Q1 units", "Q1 revenue", "Q2 units", "Q2 revenue"],
    ),
    types=["string", "integer", "float", "integer", "float"],
    fill_down=["Region"],
    notes=["title-rows", "two-row-header", "merged-cells"],
)
VISITS = dict(read={}, types=["integer", "date", "datetime"])
EXPORT = dict(
    read=dict(skiprows=4, usecols=[0, 2, 4]),
    types=["integer", "date", "float"],
    notes=["title-rows", "empty-columns"],
)
QUARTERS = dict(
    read=dict(skiprows=2, header=None, names=["Region", "Q1 units", "Q1 revenue", "Q2 units", "Q2 revenue"]),
    types=["string", "integer", "float", "integer", "float"],
    notes=["two-row-header"],
)
LINES = dict(read=dict(na_values=["#DIV/0!"]), types=["string", "integer", "float", "float", "float"], notes=["error-cells"])


def expected(path, sheet, s):
    df = pd.read_excel(path, sheet_name=sheet, **s["read"])
    for col in s.get("fill_down", []):
        df[col] = df[col].ffill()
    for col, t in zip(df.columns, s["types"]):
        if t == "date":
            df[col] = pd.to_datetime(df[col]).dt.normalize()
        elif t == "datetime":
            df[col] = pd.to_datetime(df[col])
    return {
        "rows": int(len(df)),
        "columns": int(len(df.columns)),
        "duplicate_rows": int(df.duplicated().sum()),
        "facts": dict(sheet=sheet, has_header=True),
        "notes": s.get("notes", []),
        "column_stats": [column_stats(df[c], t, None) for c, t in zip(df.columns, s["types"])],
    }


def main():
    HERE.mkdir(exist_ok=True)
    for old in HERE.iterdir():
        old.unlink()
    two_sheets(HERE / "two_sheets.xlsx")
    report_layout(HERE / "report_layout.xlsx")
    dates_1904(HERE / "dates_1904.xlsx")
    metadata_block(HERE / "metadata_block.xlsx")
    group_header(HERE / "group_header.xlsx")
    only_errors(HERE / "only_errors.xlsx")
    with tempfile.TemporaryDirectory() as tmp:
        formulas(Path(tmp) / "formulas.xlsx")
        soffice(Path(tmp) / "formulas.xlsx", "xlsx", "formulas_libreoffice.xlsx")
        soffice(Path(tmp) / "formulas.xlsx", "ods", "formulas_libreoffice.ods")
    soffice(HERE / "two_sheets.xlsx", "ods", "two_sheets.ods")
    soffice(HERE / "two_sheets.xlsx", "xls", "two_sheets.xls")
    with tempfile.TemporaryDirectory() as tmp:
        soffice(HERE / "two_sheets.xlsx", "xlsx", "two_sheets_libreoffice.xlsx")
    soffice(HERE / "report_layout.xlsx", "xls", "report_layout.xls")
    # A password-protected copy and a damaged (cut short) one.
    subprocess.run(
        ["msoffcrypto-tool", "-e", "-p", "secret", str(HERE / "two_sheets.xlsx"), str(HERE / "password.xlsx")],
        check=True,
    )
    whole = (HERE / "two_sheets.xlsx").read_bytes()
    (HERE / "damaged.xlsx").write_bytes(whole[: len(whole) // 2])

    two = dict(Summary=SUMMARY, Orders=ORDERS)
    for name in ["two_sheets.xlsx", "two_sheets_libreoffice.xlsx", "two_sheets.xls"]:
        spec(name, "Summary", two)
    spec("two_sheets.ods", "Summary", dict(Summary=SUMMARY, Orders=ORDERS_ODS))
    spec("report_layout.xlsx", "Report", dict(Report=REPORT))
    spec("report_layout.xls", "Report", dict(Report=REPORT))
    spec("dates_1904.xlsx", "Visits", dict(Visits=VISITS))
    spec("metadata_block.xlsx", "Export", dict(Export=EXPORT))
    spec("group_header.xlsx", "Quarters", dict(Quarters=QUARTERS))
    for name in ["formulas_libreoffice.xlsx", "formulas_libreoffice.ods"]:
        spec(name, "Lines", dict(Lines=LINES))
    for name, s in SPECS.items():
        out = dict(
            default=s["default"],
            sheets={sheet: expected(HERE / name, sheet, sp) for sheet, sp in s["sheets"].items()},
        )
        (HERE / f"{name}.expected.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    (HERE / "password.xlsx.expected.json").write_text(json.dumps({"error": "WorkbookPassword"}) + "\n")
    (HERE / "damaged.xlsx.expected.json").write_text(json.dumps({"error": "WorkbookDamaged"}) + "\n")
    (HERE / "only_errors.xlsx.expected.json").write_text(
        json.dumps({"error": "OnlyErrorCells", "cells": 4, "first": "A1 (#DIV/0!)"}) + "\n"
    )
    print("wrote", len(SPECS) + 2, "workbooks")


if __name__ == "__main__":
    main()
