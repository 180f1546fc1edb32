#!/usr/bin/env bash
# The An Giang demo: a provincial store from nothing to the programme's figures.
# Creates a store with its issuer key, imports the An Giang fixtures (producers, products,
# OCOP ratings, batches with origins and input lots), looks records up, issues one more
# batch, shows a refused import, and prints the report. Everything is written under
# demo-output/ (made fresh each run).
set -euo pipefail
cd "$(dirname "$0")/.."
OCOP=${OCOP:-ocop}
OUT=${OCOP_DEMO_DIR:-demo-output}
rm -rf "$OUT"
mkdir -p "$OUT"
export OCOP_STORE="$OUT/angiang.sqlite"

run() { printf '\n$ ocop %s\n' "$*"; "$OCOP" "$@"; }

echo "== 1. A store for An Giang's OCOP office =="
run init --resolver https://truyxuat.angiang.example.vn --prefix 8932301 \
  --issuer "Sở Khoa học và Công nghệ An Giang (demo)"

echo
echo "== 2. Import the province's records (Fixtures/an-giang) =="
run import all Fixtures/an-giang

echo
echo "== 3. Look records up =="
run product show 8932301001016
run batch show 8932301001016/DTNQ-2609-01
run batch show 8938490001011/TKQ-2506-01

echo
echo "== 4. Issue a new batch, made from a lot of fresh palm sap =="
run batch issue --gtin 8932301001016 --lot DTNQ-2611-03 --produced 2026-11-25 \
  --expires 2027-11-24 --quantity 800 --unit KGM --area "Vùng thốt nốt Ô Lâm" \
  --commune "Xã Ô Lâm" --district "Tri Tôn" --province "An Giang" \
  --latitude 10.4236 --longitude 104.9917 --input 8935481001012/NTN-2611-05

echo
echo "== 5. A spreadsheet row with a mistake: nothing from the file is stored =="
printf 'gtin,lot,production_date,expiry_date,quantity,unit,origin_area,origin_commune,origin_province\n8932301001016,DTNQ-2611-04,26/11/2026,25/11/2027,500,KGM,Vùng thốt nốt Ô Lâm,Xã Ô Lâm,An Giang\n8932301001016,DTNQ-2611-05,27/11/2026,26/11/2026,500,KGM,Vùng thốt nốt Ô Lâm,Xã Ô Lâm,An Giang\n' \
  > "$OUT/new-batches.csv"
if run import batches "$OUT/new-batches.csv"; then echo "(unexpectedly accepted)"; exit 1; fi
run batch list --gtin 8932301001016

echo
echo "== 6. The programme's figures =="
run report --as-of 2026-11-29

echo
echo "== 7. GS1 checks on the way in =="
run gtin check 8932301001016
if run gtin check 8932301001017; then echo "(unexpectedly accepted)"; exit 1; fi
run link make --base https://truyxuat.angiang.example.vn --gtin 8932301001016 \
  --lot DTNQ-2611-03 --expiry 2027-11-24

echo
echo "Demo complete. The store and its files are in $OUT/."
