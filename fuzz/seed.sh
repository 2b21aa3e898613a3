#!/usr/bin/env bash
# Seeds the fuzz corpora from the repository's own inputs: the bundled
# policies (rules/), the test inputs (tests/inputs/) and the example logs
# (examples/). Run from anywhere; writes fuzz/corpus/<target>/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
corpus="$here/corpus"
mkdir -p "$corpus/parse_check" "$corpus/fmt_roundtrip" "$corpus/eval_log"

# Policies: every .meed file in the repository.
while IFS= read -r -d '' f; do
  name="$(echo "${f#"$root"/}" | tr '/' '_')"
  cp "$f" "$corpus/parse_check/$name"
  cp "$f" "$corpus/fmt_roundtrip/$name"
done < <(find "$root/rules" "$root/tests/inputs" -name '*.meed' -print0)

# Logs: the first byte picks the policy (index in props::POLICIES), the
# format (0x08: JSON Lines) and the roster (0x10). Example logs are cut to
# their first 25 lines: small inputs fuzz faster.
policies=(community oncall_timeoff qa_reputation sales_commission volunteers)
seed_log() { # policy-index file
  local index="$1" file="$2" flags=0 s out
  case "$file" in *.jsonl) flags=8 ;; esac
  for roster in 0 16; do
    # The smallest byte with these flag bits whose `% 5` is the policy.
    for s in $(seq 0 255); do
      if [ $((s & 24)) -eq $((flags | roster)) ] && [ $((s % 5)) -eq "$index" ]; then break; fi
    done
    out="$corpus/eval_log/$(echo "${file#"$root"/}" | tr '/' '_')_r$roster"
    { printf "\\x$(printf %02x "$s")"; head -n 25 "$file"; } > "$out"
  done
}
for i in "${!policies[@]}"; do
  for f in "$root/examples/${policies[$i]}"/log.*; do seed_log "$i" "$f"; done
done
# The reader's error cases, against the community policy.
for f in "$root"/tests/inputs/input/bad/*; do seed_log 0 "$f"; done
echo "seeded: $(ls "$corpus/parse_check" | wc -l) policies, $(ls "$corpus/eval_log" | wc -l) logs"
