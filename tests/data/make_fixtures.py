#!/usr/bin/env python3
"""Writes the test fixtures of tests/data (run by hand; outputs are committed).

Each fixture is a small, messy real-world shape. Bytes are written exactly
(encodings, line endings), which is why this is a script and not hand-edited
files. Expected values are computed separately by make_expected.py.
"""
from pathlib import Path

HERE = Path(__file__).resolve().parent


def write(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    (HERE / name).write_bytes(data)


# --- good fixtures -------------------------------------------------------

write("utf8_bom.csv", "\ufeffid,name,score,joined\n"
      "1,Zoë,88.5,2023-01-15\n2,Ana,92,2023-02-01\n3,Jürgen,75.25,2023-02-17\n"
      "4,李雷,61,2023-03-09\n5,Ana,99.75,2023-03-30\n")

write("semicolon_decimal.csv", "region;units;price;share\n"
      "Nord;12;3,50;0,125\nSüd;7;12,00;0,3\nOst;;8,75;0,05\nWest;21;0,99;0,525\n"
      "Nord;3;4,25;\n")

write("tab_separated.tsv", "sku\tqty\tweight_kg\tactive\n"
      "A-1\t4\t1.25\ttrue\nA-2\t0\t0.5\tfalse\nB-7\t12\t\tTrue\nC-3\t1\t2.75\tFALSE\n"
      "C-4\t9\t10\ttrue\n")

write("pipe_separated.txt", "city|population|area\n"
      "Lyon|522250|47.87\nNice|342669|71.92\n\"Aix|Marseille\"|870018|240.62\nLille|236234|34.83\n")

write("quoted_fields.csv", 'id,comment,amount\n'
      '1,"Hello, world",10.5\n'
      '2,"She said ""hi""",20\n'
      '3,"multi\nline\ncomment",30.25\n'
      '4,plain,\n'
      '5,"trailing, comma, ",5\n')

rows = ["name,city,amount"]
for i in range(30):
    rows.append(f"person{i},Paris,{i * 1.5}")
rows.append("José,Zürich,12.5")
rows.append("Renée,Besançon,7")
rows.append("Cost €,Malmö,3")
write("windows1252.csv", ("\n".join(rows) + "\n").encode("cp1252"))

write("utf16le_bom.csv", "\ufeffproduct,price,stock\nCafé,3.5,10\nThé,2.25,0\nChocolat,4,7\nCrème,5.75,3\n".encode("utf-16-le"))

write("crlf.csv", "a,b,c\r\n1,x,2024-01-01\r\n2,y,2024-01-02\r\n3,,2024-01-03\r\n4,z,\r\n")

write("cr_only.csv", "a,b\r1,one\r2,two\r3,three\r")

write("missing_tokens.csv", "id,value,label,ratio\n"
      "1,10,alpha,0.5\n2,NA,N/A,\n3,null,beta,NaN\n4,,#N/A,1.5\n5,None,gamma,-nan\n"
      "6,25,NULL,2.25\n7,n/a,alpha,<NA>\n8,40,nan,3\n")

write("int_missing.csv", "store,visits\nA,120\nB,\nC,87\nD,NA\nE,301\nF,0\nG,42\nH,\n")

write("dates_iso.csv", "event,day\nlaunch,2024-03-05\nreview,2024-01-20\nfix,2024-12-31\n"
      "audit,\nparty,2023-07-04\nlaunch,2024-03-05\n")

write("dates_dmy.csv", "order,placed\n1,05/03/2024\n2,25/03/2024\n3,01/12/2023\n4,31/01/2024\n5,12/06/2024\n")

write("dates_mdy.csv", "order,placed\n1,03/05/2024\n2,03/25/2024\n3,12/01/2023\n4,01/31/2024\n5,06/12/2024\n")

write("dates_ambiguous.csv", "order,placed\n1,05/03/2024\n2,01/02/2024\n3,12/11/2023\n4,07/07/2024\n")

write("datetimes.csv", "id,ts\n1,2024-03-05T14:30:00\n2,2024-03-05 09:15:30\n"
      "3,2024-03-06T23:59:59.250\n4,2024-03-07\n5,\n6,2023-12-31 00:00:01\n")

write("zip_codes.csv", "name,zip,code\nBoston,02134,007\nNYC,10001,120\nNewark,07102,042\n"
      "Chicago,60601,\nHartford,06103,9\n")

write("booleans.csv", "id,subscribed,verified\n1,True,true\n2,False,FALSE\n3,,TRUE\n4,TRUE,false\n"
      "5,false,true\n6,True,\n")

write("duplicates.csv", "a,b,c\n1,x,2.5\n2,y,3.5\n1,x,2.5\n3,,\n3,,\n1,x,2.5\n2,y,4\n")

write("records.json", '[\n'
      '  {"id": 1, "name": "Ada", "score": 9.5, "tags": ["a", "b"], "active": true},\n'
      '  {"id": 2, "name": "Linus", "score": 7, "active": false},\n'
      '  {"id": 3, "name": null, "score": 8.25, "tags": {"k": 1}, "active": true},\n'
      '  {"id": 4, "name": "Grace", "active": null, "extra": "late key"}\n'
      ']\n')

write("events.ndjson", '{"user": "u1", "amount": 12.5, "when": "2024-02-01"}\n'
      '{"user": "u2", "amount": 3, "when": "2024-02-03"}\n'
      '\n'
      '{"user": "u1", "when": "2024-02-04"}\n'
      '{"user": "u3", "amount": 7.25, "when": "2024-02-10", "coupon": "SPRING"}\n')

write("no_header.csv", "1,2.5,10\n2,3.5,20\n3,4.5,30\n4,5.5,40\n")

write("renamed_headers.csv", "id,,name,name\n1,a,x,y\n2,b,z,w\n")

# Dates as people write them: month names (abbreviated, full, "Sept"),
# day first or month first, a weekday in front, two-digit years, ISO week
# dates, Unix seconds and milliseconds under names that say time, Excel
# serial numbers under a name that says date, ISO times with offsets.
import datetime as _dt

_days = [_dt.date(2000, 1, 1), _dt.date(1998, 6, 12), _dt.date(2021, 9, 30),
         _dt.date(2023, 12, 25), _dt.date(2024, 2, 29), _dt.date(1999, 3, 7)]
_full = ["Jan", "June", "Sep", "December", "Feb", "March"]
_rows = ["id,released,shipped,returned,visited,week,created_ts,event_time_ms,order_date,logged"]
for i, d in enumerate(_days, start=1):
    month_word = _full[i - 1]
    released = f"{month_word} {d.day}, {d.year}"
    shipped = f"{d.day} {d.strftime('%B' if i % 2 else '%b')} {d.year}"
    returned = d.strftime("%d-%b-%y")
    visited = d.strftime("%a, %d %b %Y")
    y, w, wd = d.isocalendar()
    week = f"{y}-W{w:02d}-{wd}"
    at = _dt.datetime(d.year, d.month, d.day, 8 + i, 15, tzinfo=_dt.timezone.utc)
    created = int(at.timestamp())
    event_ms = created * 1000 + 250 * i
    serial = (d - _dt.date(1899, 12, 30)).days
    logged = (at.astimezone(_dt.timezone(_dt.timedelta(hours=2 if i % 2 else -5)))).isoformat()
    _rows.append(f'{i},"{released}",{shipped},{returned},"{visited}",{week},{created},{event_ms},{serial},{logged}')
write("dates_as_written.csv", "\n".join(_rows) + "\n")

# --- malformed fixtures --------------------------------------------------

write("empty.csv", b"")
write("header_only.csv", "a,b,c\n")
write("ragged.csv", "a,b,c\n1,2,3\n4,5,6\n\"x\ny\",8,9\n7,8,9,10\n")
write("binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10")
write("unclosed_quote.csv", 'a,b\n1,2\n3,"never closed\n4,5\n')
write("bad.json", '[\n  {"a": 1},\n  {"a": 2,}\n]\n')
write("array_of_arrays.json", '[[1, 2], [3, 4]]\n')
