# Shared by the bench scripts (sourced): `measure LABEL COMMAND...` prints "seconds
# max_rss_kb", the fastest of RUNS runs (3 by default) under /usr/bin/time.
measure() {
  local out best=""; out=$(mktemp)
  for _ in $(seq "${RUNS:-3}"); do
    /usr/bin/time -f "%e %M" -o "$out" "${@:2}" > /dev/null 2>&1 || true
    best=$(printf '%s\n%s\n' "$best" "$(cat "$out")" | grep . | sort -n | head -1)
  done
  echo "$best"; rm -f "$out"
}
