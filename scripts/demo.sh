#!/usr/bin/env bash
# The An Giang demo: checks each fixture product's GTIN, makes the trace URL for its lot,
# reads the URL back, and shows what a producer would do with a mistyped code.
set -euo pipefail
cd "$(dirname "$0")/.."
OCOP=${OCOP:-ocop}
BASE=${OCOP_BASE:-https://truyxuat.angiang.example.vn}

run() { printf '\n$ ocop %s\n' "$*"; "$OCOP" "$@"; }

echo "== An Giang OCOP products (Fixtures/an-giang-lots.csv) =="
# gtin,lot,production_date,expiry,net_weight_kg,name
tail -n +2 Fixtures/an-giang-lots.csv | while IFS=, read -r gtin lot produced expiry weight name; do
  printf '\n-- %s --\n' "$name"
  run gtin check "$gtin"
  url=$("$OCOP" link make --base "$BASE" --gtin "$gtin" --lot "$lot" \
    --production-date "$produced" --expiry "$expiry" --net-weight "$weight")
  printf '\n$ ocop link make --base %s --gtin %s --lot %s --production-date %s --expiry %s --net-weight %s\n%s\n' \
    "$BASE" "$gtin" "$lot" "$produced" "$expiry" "$weight" "$url"
  run link parse "$url"
done

echo
echo "== A new product: allocate its GTIN from the cooperative's company prefix =="
run gtin allocate --prefix 8936059 --item 42 --count 3

echo
echo "== Mistakes are caught, with the reason =="
for args in "gtin check 8936059000427" \
            "link make --gtin 8936059000420 --lot LÔ-01" \
            "link parse https://truyxuat.angiang.example.vn/01/08936059000420/21/7/10/A"; do
  # shellcheck disable=SC2086
  if run $args; then echo "(unexpectedly accepted)"; exit 1; fi
done
echo
echo "Demo complete."
