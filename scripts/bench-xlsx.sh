#!/usr/bin/env bash
# A 100,000-row × 10-column .xlsx (written by openpyxl), profiled by the
# native engine (`plainsight profile`) beside pandas' read_excel (openpyxl
# and calamine engines, reading only), three runs each, in one session.
# Installs pandas, openpyxl and python-calamine into .tools/venv.
#
#   scripts/bench-xlsx.sh            # prints the table
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .tools/venv/bin/python ]; then
  python3 -m venv .tools/venv
fi
.tools/venv/bin/pip install -q pandas openpyxl python-calamine
cargo build -q --release --bin plainsight

file=target/bench-100k.xlsx
if [ ! -f "$file" ]; then
  .tools/venv/bin/python - "$file" <<'EOF'
import datetime as dt, random, sys
import openpyxl
wb = openpyxl.Workbook(write_only=True)
ws = wb.create_sheet("Sales")
ws.append(["order_id", "placed", "region", "channel", "units", "price", "revenue", "paid", "note", "score"])
rnd = random.Random(1)
d0 = dt.date(2022, 1, 1)
for i in range(100_000):
    u, p = rnd.randint(1, 20), round(rnd.uniform(2, 200), 2)
    ws.append([i + 1, d0 + dt.timedelta(days=rnd.randint(0, 900)), rnd.choice("NSEW"),
               rnd.choice(["Meta", "Google", "Email", "Direct"]), u, p, round(u * p, 2),
               rnd.random() < 0.8, None if rnd.random() < 0.7 else "gift", rnd.gauss(50, 10)])
wb.save(sys.argv[1])
EOF
fi

timed() { # prints seconds
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

echo "file: $file ($(stat -c %s "$file") bytes)"
echo "| run | plainsight profile s | pandas read_excel (openpyxl) s | pandas read_excel (calamine) s |"
echo "|---|---:|---:|---:|"
for run in 1 2 3; do
  a=$(timed target/release/plainsight profile "$file")
  b=$(timed .tools/venv/bin/python -c "import pandas as pd; pd.read_excel('$file', engine='openpyxl')")
  c=$(timed .tools/venv/bin/python -c "import pandas as pd; pd.read_excel('$file', engine='calamine')")
  printf '| %s | %.2f | %.2f | %.2f |\n' "$run" "$a" "$b" "$c"
done
