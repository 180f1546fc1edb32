#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/) and runs one or all of them for a given time each.
#
#   bash scripts/fuzz.sh all 600            every target for 10 minutes
#   bash scripts/fuzz.sh digital-link 60    one target for a minute
#   bash scripts/fuzz.sh bundle 600 -only_ascii=1   extra arguments go to libFuzzer
#
# Targets: digital-link, element-string, csv-import, bundle. Linux only (Swift's
# `-sanitize=fuzzer`), with AddressSanitizer. The build goes to .build-fuzz/, apart from the
# ordinary one. Each target starts from its committed seeds in Fuzz/corpus/<target> and
# grows a working corpus in .fuzz/corpus/<target>, so the seeds are never changed. A crash,
# a hang longer than FUZZ_TIMEOUT seconds or a leak leaves its input in
# .fuzz/artifacts/<target>/ and makes the script exit 1; the full log is in
# .fuzz/logs/<target>.log.
#
# Environment: FUZZ_PARALLEL (targets at once, default 1), FUZZ_TIMEOUT (seconds one input
# may take, default 10), FUZZ_BUILD=0 to run without building, NICE (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(digital-link element-string csv-import bundle)
usage() {
  echo "usage: bash scripts/fuzz.sh TARGET|all [SECONDS] [libFuzzer arguments…]" >&2
  echo "targets: ${TARGETS[*]}" >&2
  exit 64
}
[[ $# -ge 1 ]] || usage
which=$1
seconds=${2:-60}
shift $(($# >= 2 ? 2 : 1))
extra=("$@")
[[ $seconds =~ ^[0-9]+$ ]] || usage
if [[ $which == all ]]; then
  selected=("${TARGETS[@]}")
else
  [[ " ${TARGETS[*]} " == *" $which "* ]] || usage
  selected=("$which")
fi

parallel=${FUZZ_PARALLEL:-1}
timeout=${FUZZ_TIMEOUT:-10}
nice=${NICE:-10}

# The largest input each target is given: room for the longest real inputs and then some.
max_len() {
  case $1 in
    digital-link) echo 2048 ;;
    element-string) echo 1024 ;;
    csv-import) echo 8192 ;;
    bundle) echo 32768 ;;
  esac
}

build() {
  # SwiftPM's --sanitize=fuzzer makes libFuzzer supply `main`. AddressSanitizer and the
  # coverage libFuzzer steers by are asked of swiftc directly: given two --sanitize options,
  # SwiftPM passes them in no fixed order, which rebuilds everything on each call, and when
  # address comes last swiftc leaves the coverage out.
  OCOP_FUZZ=1 nice -n "$nice" swift build -c release --build-path .build-fuzz \
    --sanitize=fuzzer -Xswiftc -sanitize=address \
    -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
    --product "fuzz-$1"
}

if [[ ${FUZZ_BUILD:-1} != 0 ]]; then
  for target in "${selected[@]}"; do
    echo "building fuzz-$target"
    build "$target"
  done
fi
bin=$(OCOP_FUZZ=1 swift build -c release --build-path .build-fuzz --show-bin-path)

# Scratch files (the stores the csv-import and bundle targets write) go to memory when
# there is /dev/shm, so a run measures the code rather than the disk.
if [[ -d /dev/shm && -w /dev/shm ]]; then
  scratch=/dev/shm/ocop-fuzz-$$
else
  scratch=$PWD/.fuzz/tmp-$$
fi
mkdir -p "$scratch" .fuzz/logs
trap 'rm -rf "$scratch"' EXIT

run() {
  local target=$1
  local corpus=.fuzz/corpus/$target artifacts=.fuzz/artifacts/$target
  local log=.fuzz/logs/$target.log
  mkdir -p "$corpus" "$artifacts"
  local options=(
    "-max_total_time=$seconds" "-timeout=$timeout" "-max_len=$(max_len "$target")"
    "-rss_limit_mb=4096" "-artifact_prefix=$artifacts/" "-print_final_stats=1"
  )
  if [[ -f Fuzz/dict/$target.dict ]]; then options+=("-dict=Fuzz/dict/$target.dict"); fi
  # Inputs that once crashed the target are seeds too, so every run checks them again.
  local regressions=()
  if [[ -d Fuzz/regressions/$target ]]; then regressions=("Fuzz/regressions/$target"); fi
  local status=0
  # Swift's own crash backtracer would race AddressSanitizer's report; libFuzzer's is enough.
  SWIFT_BACKTRACE=enable=no TMPDIR=$scratch nice -n "$nice" "$bin/fuzz-$target" \
    "${options[@]}" ${extra[@]+"${extra[@]}"} \
    "$corpus" "Fuzz/corpus/$target" ${regressions[@]+"${regressions[@]}"} \
    >"$log" 2>&1 || status=$?
  summarize "$target" "$status" "$log"
  return "$status"
}

# One line from the log: runs, speed, coverage, corpus and the result.
summarize() {
  local target=$1 status=$2 log=$3
  local runs rate seconds_taken last cov ft corpus result
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
  seconds_taken=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  if [[ $status == 0 ]]; then
    result="no crash"
  else
    local artefact
    artefact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    result="FAILED (exit $status): $(grep -m1 -E 'ERROR: |Fatal error|property failed' "$log" \
      | cut -c1-160)${artefact:+; input in $artefact}"
  fi
  printf '%-15s runs %s in %s s (%s/s), cov %s, ft %s, corpus %s: %s\n' "$target" \
    "${runs:-?}" "${seconds_taken:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corpus:-?}" \
    "$result" | tee -a .fuzz/logs/summary.txt
}

failed=0
pids=()
for target in "${selected[@]}"; do
  while [[ ${#pids[@]} -ge $parallel ]]; do
    if ! wait "${pids[0]}"; then failed=1; fi
    pids=("${pids[@]:1}")
  done
  run "$target" &
  pids+=($!)
done
for pid in "${pids[@]}"; do
  if ! wait "$pid"; then failed=1; fi
done
exit $failed
