#!/usr/bin/env bash
# A province taking in a producer's log: a producer's store of the An Giang data set plus
# N batches (default 20,000), its bundle imported by an empty province store, again (it
# adds nothing), and both stores audited; the producer's own CSV import of the same batches
# is the reference measured in the same run. Prints a table: seconds and peak memory.
#
#   swift build -c release --product ocop
#   bash Benchmarks/scripts/federation-import.sh [N]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
ocop="${OCOP:-$root/.build/release/ocop}"
count="${1:-20000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
python3 - "$count" <<'PY'
import sys
rows = ["gtin,lot,production_date,expiry_date,quantity,unit,origin_area,origin_commune,origin_province"]
for i in range(int(sys.argv[1])):
    rows.append(f"8932301001016,P-{i:06d},2026-11-20,2027-11-19,100,KGM,Vùng thốt nốt Ô Lâm,Xã Ô Lâm,An Giang")
open("batches.csv", "w").write("\n".join(rows) + "\n")
PY
resolver=https://truyxuat.angiang.example
measure() {  # label, command…
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o time.txt "$@" > /dev/null
  read -r seconds kib < time.txt
  printf '%-46s %8s s %8d MiB\n' "$label" "$seconds" $((kib / 1024))
}
"$ocop" init --store producer.sqlite --resolver $resolver --prefix 8932301 --issuer Producer > /dev/null
"$ocop" import all "$root/Fixtures/an-giang" --store producer.sqlite > /dev/null
printf '%-46s %10s %12s\n' "step ($count batches)" "time" "peak memory"
measure "producer: import batches (reference)" "$ocop" import batches batches.csv --store producer.sqlite
measure "producer: audit" "$ocop" audit --store producer.sqlite
measure "producer: export bundle" "$ocop" export bundle --store producer.sqlite --out producer-bundle.json
"$ocop" keys export --store producer.sqlite --out producer-trust.json > /dev/null
"$ocop" init --store province.sqlite --resolver $resolver --prefix 8930000 --issuer Province > /dev/null
"$ocop" keys import producer-trust.json --store province.sqlite > /dev/null
measure "province: import bundle" "$ocop" import bundle producer-bundle.json --store province.sqlite
measure "province: the same bundle again" "$ocop" import bundle producer-bundle.json --store province.sqlite
measure "province: audit" "$ocop" audit --store province.sqlite
measure "province: export bundle" "$ocop" export bundle --store province.sqlite --out province-bundle.json
printf 'events: %s; producer bundle %s bytes, province bundle %s bytes\n' \
  "$("$ocop" audit --store province.sqlite | sed -n 's/.*passed: \([0-9]*\) events.*/\1/p')" \
  "$(stat -c %s producer-bundle.json)" "$(stat -c %s province-bundle.json)"
