#!/usr/bin/env bash
# The An Giang demo, the main job end to end on the embedded SQLite store: a store and its
# issuer key, the An Giang records imported from spreadsheets, a new batch issued, 300
# signed labels printed and read back, a bundle, trust list and EPCIS document exported,
# labels verified offline against the bundle, a lot recalled and verify flagging what it
# reaches, an audit, and the programme's figures. Everything is written under demo-output/
# (made fresh each run).
set -euo pipefail
cd "$(dirname "$0")/.."
OCOP=${OCOP:-ocop}
OUT=${OCOP_DEMO_DIR:-demo-output}
rm -rf "$OUT"
mkdir -p "$OUT"
export OCOP_STORE="$OUT/angiang.sqlite"
# Bundles checked by the demo's retailer are kept under demo-output/, not in the user's cache.
export XDG_CACHE_HOME="$PWD/$OUT/cache"

run() { printf '\n$ ocop %s\n' "$*"; "$OCOP" "$@"; }

echo "== 1. A store for An Giang's OCOP office =="
run init --resolver https://truyxuat.angiang.example --prefix 8932301 \
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
run batch issue --gtin 8932301001016 --lot DTNQ-2611-03 --produced 2026-11-04 \
  --expires 2027-11-03 --quantity 800 --unit KGM --area "Vùng thốt nốt Ô Lâm" \
  --commune "Xã Ô Lâm" --district "Tri Tôn" --province "An Giang" \
  --latitude 10.4236 --longitude 104.9917 --input 8935481001012/NTN-2611-05

echo
echo "== 5. A spreadsheet row with a mistake: nothing from the file is stored =="
printf 'gtin,lot,production_date,expiry_date,quantity,unit,origin_area,origin_commune,origin_province\n8932301001016,DTNQ-2611-04,26/11/2026,25/11/2027,500,KGM,Vùng thốt nốt Ô Lâm,Xã Ô Lâm,An Giang\n8932301001016,DTNQ-2611-05,27/11/2026,26/11/2026,500,KGM,Vùng thốt nốt Ô Lâm,Xã Ô Lâm,An Giang\n' \
  > "$OUT/new-batches.csv"
if run import batches "$OUT/new-batches.csv"; then echo "(unexpectedly accepted)"; exit 1; fi
run batch list --gtin 8932301001016

echo
echo "== 6. Print 300 signed labels for the new lot, each read back with zbar =="
run print 8932301001016/DTNQ-2611-03 --count 300 --out "$OUT/labels"
# For an office printer: one A4 sheet of 3 x 8 labels of 70 x 37 mm, as a PDF at true size.
run print 8932301001016/DTNQ-2611-03 --count 24 --sheet 3x8-70x37 --format pdf --unsigned \
  --out "$OUT/sheet"

echo
echo "== 7. Hand a retailer the records: a signed bundle, the trust list, EPCIS 2.0 =="
run export bundle --out "$OUT/angiang-bundle.json"
run keys export --out "$OUT/trust.json"
run export epcis --out "$OUT/angiang.epcis.jsonld"

echo
echo "== 8. The retailer checks labels offline: images, then a scanner's stream =="
run verify --bundle "$OUT/angiang-bundle.json" --trust "$OUT/trust.json" \
  "$OUT/labels/DTNQ-2611-03-1.png" "$OUT/labels/DTNQ-2611-03-150.png" "$OUT/labels/DTNQ-2611-03-300.png"
first=$("$OCOP" verify --json "$OUT/labels/DTNQ-2611-03-1.png" | sed -n '1s/.*"scan":"\([^"]*\)".*/\1/p')
printf '%s\n%s\n%s\n%s\n' "$first" "$first" \
  "https://truyxuat.angiang.example/01/08932301001016/10/DTNQ-2611-03/21/9999?17=271103" \
  "https://truyxuat.angiang.example/01/08934462001010/10/BBTN-2610-01?17=261115" > "$OUT/scans.txt"
printf '\n$ ocop verify --bundle %s --trust %s < %s\n' "$OUT/angiang-bundle.json" "$OUT/trust.json" "$OUT/scans.txt"
"$OCOP" verify --bundle "$OUT/angiang-bundle.json" --trust "$OUT/trust.json" < "$OUT/scans.txt" || true

echo
echo "== 9. Fresh sap lot NTN-2611-05 is recalled: what it reaches, and what verify says =="
run recall 8935481001012/NTN-2611-05 --reason "Nhiễm khuẩn E. coli vượt ngưỡng cho phép"
if run verify "$OUT/labels/DTNQ-2611-03-7.png"; then echo "(unexpectedly valid)"; exit 1; fi
# The retailer gets only what is new since the bundle it holds, and checks it offline.
run export bundle --since "$OUT/angiang-bundle.json" --out "$OUT/angiang-update-1.json"
if run verify --bundle "$OUT/angiang-update-1.json" --trust "$OUT/trust.json" \
  "$OUT/labels/DTNQ-2611-03-7.png"; then echo "(unexpectedly valid)"; exit 1; fi
run audit

echo
echo "== 10. The programme's figures =="
run report --as-of 2026-11-29

echo
echo "== 11. GS1 checks on the way in =="
run gtin check 8932301001016
if run gtin check 8932301001017; then echo "(unexpectedly accepted)"; exit 1; fi
run link make --base https://truyxuat.angiang.example --gtin 8932301001016 \
  --lot DTNQ-2611-03 --expiry 2027-11-03

echo
echo "Demo complete. Everything is in $OUT/: the store (angiang.sqlite), the labels"
echo "($OUT/labels/*.png, 100x50 mm at 300 dpi; $OUT/sheet/labels.pdf, an A4 sheet to print at 100%),"
echo "the bundle, the trust list and the EPCIS document."
