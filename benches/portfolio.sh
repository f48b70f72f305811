#!/usr/bin/env bash
# The portfolio pass at scale (issue 15, part 4): 20 conventions in one read of the
# generated AIFE national extracts, against the seed convention alone on the same files.
#
#   bash benches/portfolio.sh [SIZES...]     default size: 1000000 (N commitments + N payments)
#   PROFILE=debug bash benches/portfolio.sh 10000   (a quick check that the script works)
#
# The 20 conventions: the seed (the built-in convention, as `convention show` writes it)
# and 19 generated from it, each on one of the 19 imputations the generated extracts use
# most (after the seed's), so that each has lines in its scope. Each figure is the fastest
# of RUNS runs (3 by default); files read from the page cache. Checks that the seed's
# summary in the portfolio has the totals and line counts of its single run. Prints a
# Markdown table: seconds and RSS of each, and the ratio (the issue asks at most 1.5).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ $# -eq 0 ] && sizes=(1000000)
profile=${PROFILE:-release}
work=${BENCH_DIR:-/tmp/chorus-recon-bench}
mkdir -p "$work"
if [ "$profile" = debug ]; then
  cargo build --quiet --bin chorus-recon --example generate_extracts
else
  cargo build --profile "$profile" --quiet --bin chorus-recon --example generate_extracts
fi
bin=target/$profile/chorus-recon
# shellcheck source=benches/measure.sh
. benches/measure.sh
echo "| lignes (AE + CP) | 1 convention | RSS | 20 conventions | RSS | 20 / 1 | lignes des 19 autres | convention intégrée |"
echo "|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  dir="$work/$n"
  if [ ! -f "$dir/attendu.json" ]; then
    "target/$profile/examples/generate_extracts" "$n" 0.2 42 "$dir" 2> /dev/null
  fi
  conv="$work/conventions-$n"
  rm -rf "$conv" && mkdir -p "$conv"
  "$bin" convention show > "$conv/seed.toml"
  python3 - "$dir/ej_national.csv" "$conv" <<'PY'
import collections, sys
ej, conv = sys.argv[1], sys.argv[2]
seed = open(f"{conv}/seed.toml", encoding="utf-8").read()
# AIFE EJ columns: 1 domaine fonctionnel, 2 centre de coût, 3 activité, 17 centre financier.
counts = collections.Counter()
with open(ej, encoding="utf-8", errors="replace") as f:
    next(f)
    for line in f:
        cells = line.strip().strip('"').split('";"')
        if len(cells) > 17:
            counts[(cells[17], cells[1], cells[3], cells[2])] += 1
seed_imputation = ("0174-SOUT-ELAB", "0174-06", "017406AG1607", "ECLDENE092")
chosen = [i for i, _ in counts.most_common() if i != seed_imputation][:19]
for k, (cf, df, act, cc) in enumerate(chosen, 1):
    text = seed.replace('id = "dgec-dinum-2020"', f'id = "generee-{k:02}"')
    for old, new in zip(seed_imputation, (cf, df, act, cc)):
        text = text.replace(f'"{old}"', f'"{new}"')
    open(f"{conv}/generee-{k:02}.toml", "w", encoding="utf-8").write(text)
PY
  [ "$(ls "$conv"/*.toml | wc -l)" -eq 20 ] || { echo "20 conventions attendues dans $conv" >&2; exit 1; }
  cat "$dir"/*.csv > /dev/null
  args=(reconcile "$dir" -q -j 2 --as-of 2020-12-31 --fail-on never)
  read -r one one_rss < <(measure one "$bin" "${args[@]}" -c "$conv/seed.toml" -o "$work/p1-$n.xlsx" --summary "$work/p1-$n.json")
  rm -rf "$work/p20-$n"
  read -r twenty twenty_rss < <(measure twenty "$bin" "${args[@]}" -c "$conv" -o "$work/p20-$n" --summary "$work/p20-$n.json")
  python3 - "$n" "$one" "$one_rss" "$twenty" "$twenty_rss" "$work/p1-$n.json" "$work/p20-$n.json" <<'PY'
import json, sys
n, one, one_rss, twenty, twenty_rss, single, portfolio = sys.argv[1:]
one, twenty, one_rss, twenty_rss = float(one), float(twenty), int(one_rss), int(twenty_rss)
s, p = json.load(open(single)), json.load(open(portfolio))
members = {m["convention"]["id"]: m for m in p["conventions"]}
seed = members["dgec-dinum-2020"]
same = seed["lines"] == s["lines"] and seed["totals"] == s["totals"]
others = sum(m["lines"]["in_scope"] for k, m in members.items() if k != "dgec-dinum-2020")
ratio = twenty / max(one, 1e-3)
print(f"| {int(n):,} + {int(n):,} | {one:.2f} s | {one_rss / 1024:.0f} Mo | {twenty:.2f} s | {twenty_rss / 1024:.0f} Mo | {ratio:.2f} | {others:,} | {'identique' if same else 'ÉCART'} |".replace(",", " "))
PY
done
