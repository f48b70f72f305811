#!/usr/bin/env bash
# Whole-run benchmark of chorus-recon on generated AIFE national extracts, every figure
# beside the parsing floor measured in the same run (see README, « Performances »).
#
#   bash benches/run.sh [SIZES...]        default sizes: 10000 100000 1000000
#   BOWEBI_ROWS=100000 (default; 0 to skip): a BO Webi INF-BUD-53 workbook of that many rows
#   ORDERS=1: also `reconcile --commandes` on an order list of N/10 orders (issue 16)
#
# For each size N: N commitments + N payments (two payment files overlapping by a tenth),
# 20 % in scope. Each figure is the fastest of RUNS runs (3 by default; the machine is
# shared), files read from the page cache. Measures, with /usr/bin/time: the floor (`examples/floor.rs`), `check`
# with --jobs 1 and 2, and the whole `reconcile` (workbook included) with --jobs 2; checks
# the totals against the generator's own expectation; prints a Markdown table, then the
# same for one BO Webi workbook. Stage timings: `CHORUS_RECON_TRACE=1` on any run.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-10000 100000 1000000}")
[ $# -eq 0 ] && sizes=(10000 100000 1000000)
work=${BENCH_DIR:-/tmp/chorus-recon-bench}
mkdir -p "$work"
cargo build --release --quiet --bin chorus-recon --example generate_extracts --example floor
bin=target/release/chorus-recon
# shellcheck source=benches/measure.sh
. benches/measure.sh
echo "| lignes (AE + CP) | Mo | plancher | check -j1 | check -j2 | ×plancher | lignes/s | Mo/s | -j2 / -j1 | reconcile -j1 | reconcile -j2 | ×plancher | -j2 / -j1 | RSS max | totaux |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  dir="$work/$n"
  if [ ! -f "$dir/attendu.json" ]; then
    target/release/examples/generate_extracts "$n" 0.2 42 "$dir" 2> /dev/null
  fi
  mb=$(du -cm "$dir"/*.csv | tail -1 | cut -f1)
  cat "$dir"/*.csv > /dev/null # every run reads from the page cache, the floor's too
  read -r floor_s _ < <(measure floor target/release/examples/floor "$dir")
  read -r c1 _ < <(measure check1 "$bin" check "$dir" -q -j 1 --as-of 2020-12-31)
  read -r c2 _ < <(measure check2 "$bin" check "$dir" -q -j 2 --as-of 2020-12-31)
  read -r r1 _ < <(measure reconcile1 "$bin" reconcile "$dir" -q -j 1 --as-of 2020-12-31 --fail-on never -o "$work/r-$n.xlsx" --summary "$work/r-$n.json")
  read -r r2 rss < <(measure reconcile "$bin" reconcile "$dir" -q -j 2 --as-of 2020-12-31 --fail-on never -o "$work/r-$n.xlsx" --summary "$work/r-$n.json")
  lines=$(python3 -c "import json;print(json.load(open('$dir/attendu.json'))['lines']['read'])")
  ok=$(python3 - "$dir/attendu.json" "$work/r-$n.json" <<'PY'
import json, sys
e, s = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
same = all(s["lines"].get(k) == v for k, v in e["lines"].items()) and all(e["totals"][k] == s["totals"][k] for k in e["totals"])
print("conformes" if same else "ÉCART")
PY
)
  python3 - "$n" "$mb" "$floor_s" "$c1" "$c2" "$r1" "$r2" "$rss" "$lines" "$ok" <<'PY'
import sys
n, mb, f, c1, c2, r1, r2, rss, lines, ok = sys.argv[1:]
mb, f, c1, c2, r1, r2, rss, lines = float(mb), float(f), float(c1), float(c2), float(r1), float(r2), int(rss), int(lines)
e = lambda x: max(x, 1e-3)
print(f"| {int(n):,} + {int(n):,} | {mb:.0f} | {f:.2f} s | {c1:.2f} s | {c2:.2f} s | {c2 / e(f):.1f} | {lines / e(c2):,.0f} | {mb / e(c2):.0f} | {c1 / e(c2):.2f} | {r1:.2f} s | {r2:.2f} s | {r2 / e(f):.1f} | {r1 / e(r2):.2f} | {rss / 1024:.0f} Mo | {ok} |".replace(",", " "))
PY
done
rows=${BOWEBI_ROWS:-100000}
if [ "$rows" -gt 0 ]; then
  dir="$work/bowebi-$rows"
  if [ ! -f "$dir/attendu.json" ]; then
    target/release/examples/generate_extracts --bowebi "$rows" 0.2 42 "$dir" 2> /dev/null
  fi
  mb=$(du -cm "$dir"/*.xlsx | tail -1 | cut -f1)
  read -r c2 crss < <(measure check "$bin" check "$dir" -q -j 2 --as-of 2020-12-31)
  read -r r2 rss < <(measure reconcile "$bin" reconcile "$dir" -q -j 2 --as-of 2020-12-31 --fail-on never -o "$work/r-bowebi.xlsx" --summary "$work/r-bowebi.json")
  ok=$(python3 - "$dir/attendu.json" "$work/r-bowebi.json" <<'PY'
import json, sys
e, s = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
same = all(s["lines"].get(k) == v for k, v in e["lines"].items()) and all(e["totals"][k] == s["totals"][k] for k in e["totals"])
print("conformes" if same else "ÉCART")
PY
)
  echo
  echo "| classeur BO Webi (lignes) | Mo | check -j2 | lignes/s | reconcile -j2 | RSS max | totaux |"
  echo "|---|---|---|---|---|---|---|"
  python3 - "$rows" "$mb" "$c2" "$r2" "$rss" "$ok" <<'PY'
import sys
n, mb, c2, r2, rss, ok = sys.argv[1:]
n, c2, r2, rss = int(n), float(c2), float(r2), int(rss)
print(f"| {n:,} | {mb} | {c2:.2f} s | {n / max(c2, 1e-3):,.0f} | {r2:.2f} s | {rss / 1024:.0f} Mo | {ok} |".replace(",", " "))
PY
fi
# ORDERS=1: the order list (`--commandes`, issue 16) on each size: one order for half the
# in-scope commitments (N/10 orders for N lines), `reconcile -j2` with and without it.
if [ "${ORDERS:-0}" = 1 ]; then
  echo
  echo "| lignes (AE + CP) | commandes | reconcile -j2 | avec --commandes | rapport | RSS max | EJ rapprochés |"
  echo "|---|---|---|---|---|---|---|"
  for n in "${sizes[@]}"; do
    dir="$work/$n"
    orders="$work/commandes-$n.csv"
    if [ ! -f "$orders" ]; then
      target/release/examples/generate_extracts --commandes "$orders" "$n" 0.2 42 "$dir" 2> /dev/null
    fi
    count=$(($(wc -l < "$orders") - 1))
    read -r r2 _ < <(measure reconcile "$bin" reconcile "$dir" -q -j 2 --as-of 2020-12-31 --fail-on never -o "$work/r-$n.xlsx" --summary "$work/r-$n.json")
    read -r o2 rss < <(measure orders "$bin" reconcile "$dir" -q -j 2 --as-of 2020-12-31 --fail-on never --commandes "$orders" -o "$work/o-$n.xlsx" --summary "$work/o-$n.json")
    matched=$(python3 -c "import json;o=json.load(open('$work/o-$n.json'))['orders'];print(o['matched_by_ej'] + o['matched_by_supplier'])")
    python3 - "$n" "$count" "$r2" "$o2" "$rss" "$matched" <<'PY'
import sys
n, count, r2, o2, rss, matched = sys.argv[1:]
n, count, r2, o2, rss, matched = int(n), int(count), float(r2), float(o2), int(rss), int(matched)
print(f"| {n:,} + {n:,} | {count:,} | {r2:.2f} s | {o2:.2f} s | {o2 / max(r2, 1e-3):.2f} | {rss / 1024:.0f} Mo | {matched:,} |".replace(",", " "))
PY
  done
fi
