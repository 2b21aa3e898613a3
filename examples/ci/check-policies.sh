#!/usr/bin/env bash
# Review reward-policy changes like code: check, test and snapshot every
# policy in a folder, and (in a pull request) report what each changed
# policy does to everyone's rewards.
#
# usage: check-policies.sh [POLICIES_DIR] [EXAMPLES_DIR]
#
#   POLICIES_DIR   folder of *.meed policies (default: rules)
#   EXAMPLES_DIR   folder with one sub-folder per policy holding log.csv or
#                  log.jsonl, an optional people.csv and the approved
#                  ledger.snap (default: examples)
#
# Environment:
#   MEED       the meed command (default: meed)
#   BASE_REF   a git revision to compare against (e.g. origin/main); when
#              set, `meed diff` reports for every changed policy are written
#              to $REPORT as markdown, ready to post on the pull request
#   REPORT     where the markdown report goes (default: meed-report.md)
#
# Exit status: 0 when every policy checks, passes its tests and matches its
# approved ledger; 1 otherwise. The diff report never fails the build by
# itself: add a budget guard such as --fail-if-cost-increase-over 5% below
# if your organisation wants one.
set -uo pipefail

meed=${MEED:-meed}
policies=${1:-rules}
examples=${2:-examples}
report=${REPORT:-meed-report.md}
status=0

step() { printf '\n== %s\n' "$*" >&2; }

step "check"
"$meed" check "$policies"/*.meed || status=1

step "test"
"$meed" test "$policies" || status=1

# The log and roster bundled for a policy, as meed arguments.
data_args() {
  local dir="$examples/$1"
  local log
  for log in "$dir/log.csv" "$dir/log.jsonl"; do
    [ -f "$log" ] && break
  done
  [ -f "$log" ] || return 1
  printf '%s\n' "$log"
  if [ -f "$dir/people.csv" ]; then
    printf '%s\n%s\n' --people "$dir/people.csv"
  fi
}

step "snapshot"
for policy in "$policies"/*.meed; do
  name=$(basename "$policy" .meed)
  if ! mapfile -t args < <(data_args "$name"); then
    echo "no example log for $policy in $examples/$name; skipped" >&2
    continue
  fi
  "$meed" snapshot "$policy" "${args[@]}" --snap "$examples/$name/ledger.snap" || status=1
done

if [ -n "${BASE_REF:-}" ]; then
  step "diff against $BASE_REF"
  : > "$report"
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  for policy in $(git diff --name-only "$BASE_REF" -- "$policies" | grep '\.meed$'); do
    name=$(basename "$policy" .meed)
    mapfile -t args < <(data_args "$name") || continue
    if git show "$BASE_REF:$policy" > "$scratch/$name.meed" 2>/dev/null; then
      "$meed" diff "$scratch/$name.meed" "$policy" "${args[@]}" --format markdown >> "$report" || status=1
      printf '\n' >> "$report"
    else
      printf '### `%s` is a new policy\n\n' "$policy" >> "$report"
    fi
  done
  echo "wrote the pull-request report to $report" >&2
fi

exit $status
