#!/usr/bin/env python3
"""Checks the extended An Giang data set.

Usage: check.py [DATA_DIR [ORIGINAL_DIR]]
  DATA_DIR      the extended data set (default: an-giang beside this script)
  ORIGINAL_DIR  an earlier copy of the four CSVs, to check that nothing in their
                columns changed (skipped when not given)

Uses only the standard library (picture sizes and baseline JPEG are read from the JPEG
markers). Prints each problem and exits 1 if there is any.
"""
import csv
import io
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "an-giang"
ORIG = Path(sys.argv[2]) if len(sys.argv) > 2 else None

LAST_DAY = date(2026, 11, 28)
STAGES = ("harvest", "processing", "packing", "testing", "storage")
CODE = re.compile(r"^[A-Z0-9.-]{1,40}$")
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$")
LANDLINE = re.compile(r"^0296 3\d{3} \d{3}$")
MOBILE = re.compile(r"^0(3[2-9]|5[689]|7[06-9]|8[1-9]|9\d)\d \d{3} \d{3}$")
WEBSITE = re.compile(r"^https://[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.example$")
TCCS = re.compile(r"^TCCS \d{2}:(\d{4})/[A-Z]{2,8}$")
NON_FOOD = {"handicrafts", "ornamental", "tourism"}

HEADERS = {
    "producers.csv": ["tax_code", "kind", "name", "address", "commune", "district", "province",
                      "gln", "phone", "website"],
    "products.csv": ["gtin", "producer", "name_vi", "name_en", "group", "net_amount", "net_unit",
                     "ingredients", "storage", "usage", "warnings", "allergens", "standards",
                     "producer_role", "photo"],
    "batches.csv": ["gtin", "lot", "production_date", "expiry_date", "quantity", "unit",
                    "origin_area", "origin_address", "origin_commune", "origin_district",
                    "origin_province", "latitude", "longitude", "harvest_start", "harvest_end",
                    "inputs"],
    "ratings.csv": ["gtin", "stars", "status", "decision", "decision_date", "level", "valid_until"],
    "stages.csv": ["gtin", "lot", "stage", "time", "location", "location_name", "item"],
}
ORIGINAL_COLUMNS = {"producers.csv": 8, "products.csv": 10, "batches.csv": 16, "ratings.csv": 7}
COUNTS = {"producers.csv": 31, "products.csv": 53, "batches.csv": 76, "ratings.csv": 55}

problems = []


def bad(msg):
    problems.append(msg)


def gs1_ok(number):
    if not number.isdigit():
        return False
    body, check = number[:-1], int(number[-1])
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def load(name, folder=DATA):
    raw = (folder / name).read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        bad(f"{name}: has a BOM")
    if b"\r" in raw:
        bad(f"{name}: has CR characters")
    if not raw.endswith(b"\n"):
        bad(f"{name}: does not end with a newline")
    text = raw.decode("utf-8")
    if unicodedata.normalize("NFC", text) != text:
        bad(f"{name}: text is not NFC")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    if buf.getvalue() != text:
        bad(f"{name}: does not round-trip through csv (quoting or line ends differ)")
    header = rows[0]
    if header != HEADERS[name]:
        bad(f"{name}: header is {header}")
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            bad(f"{name}:{n}: {len(row)} fields, header has {len(header)}")
        for v in row:
            if v != v.strip():
                bad(f"{name}:{n}: field with spaces around it: {v!r}")
    return [dict(zip(header, r)) for r in rows[1:]], rows


def jpeg_info(path):
    """(width, height, baseline) from the JPEG markers."""
    data = path.read_bytes()
    if data[:2] != b"\xff\xd8":
        return None
    i = 2
    while i < len(data) - 9:
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h = int.from_bytes(data[i + 5:i + 7], "big")
            w = int.from_bytes(data[i + 7:i + 9], "big")
            return w, h, marker == 0xC0
        i += 2 + length
    return None


def parse_time(s):
    return datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S")


def main():
    producers, prod_rows = load("producers.csv")
    products, product_rows = load("products.csv")
    batches, batch_rows = load("batches.csv")
    ratings, rating_rows = load("ratings.csv")
    stages, _ = load("stages.csv")

    # ---- originals kept: same rows, same values, new columns only at the end
    for name, count in COUNTS.items():
        rows = {"producers.csv": producers, "products.csv": products, "batches.csv": batches,
                "ratings.csv": ratings}[name]
        if len(rows) != count:
            bad(f"{name}: {len(rows)} rows, expected {count}")
    if ORIG is not None and ORIG.is_dir() and ORIG.resolve() != DATA.resolve():
        for name, rows in (("producers.csv", prod_rows), ("products.csv", product_rows),
                           ("batches.csv", batch_rows), ("ratings.csv", rating_rows)):
            with open(ORIG / name, newline="", encoding="utf-8") as f:
                orig = list(csv.reader(f))
            if len(orig) != len(rows):
                bad(f"{name}: {len(rows)} lines, the original has {len(orig)}")
            k = ORIGINAL_COLUMNS[name]
            if len(orig[0]) != k:
                bad(f"{name}: the original has {len(orig[0])} columns, expected {k}")
            for n, (a, b) in enumerate(zip(orig, rows), start=1):
                if b[:k] != a:
                    bad(f"{name}:{n}: original fields changed")
            if name in ("batches.csv", "ratings.csv"):
                if (ORIG / name).read_bytes() != (DATA / name).read_bytes():
                    bad(f"{name}: not byte-identical to the original")
            else:
                # the original part of each line, written back, gives the original bytes
                buf = io.StringIO()
                csv.writer(buf, lineterminator="\n").writerows([r[:k] for r in rows])
                if buf.getvalue().encode() != (ORIG / name).read_bytes():
                    bad(f"{name}: the original columns are not byte-identical")
    else:
        print("note: original files not found, skipped the comparison with them")

    # ---- producers
    by_tax = {p["tax_code"]: p for p in producers}
    phones = Counter(p["phone"] for p in producers)
    for p in producers:
        t = p["tax_code"]
        if not (LANDLINE.match(p["phone"]) or MOBILE.match(p["phone"])):
            bad(f"producers.csv {t}: phone {p['phone']!r}")
        if phones[p["phone"]] > 1:
            bad(f"producers.csv {t}: phone {p['phone']} used twice")
        if p["website"] and not WEBSITE.match(p["website"]):
            bad(f"producers.csv {t}: website {p['website']!r}")
        if p["gln"] and not (len(p["gln"]) == 13 and gs1_ok(p["gln"])):
            bad(f"producers.csv {t}: GLN {p['gln']} has a wrong check digit")
    sites = Counter((p["kind"], bool(p["website"])) for p in producers)
    if sites[("enterprise", True)] <= sites[("enterprise", False)]:
        bad("producers.csv: most enterprises should have a website")
    if sites[("household", True)] >= sites[("household", False)]:
        bad("producers.csv: most households should have no website")
    websites = [p["website"] for p in producers if p["website"]]
    if len(set(websites)) != len(websites):
        bad("producers.csv: a website is used twice")

    # ---- products
    first_year = {}
    for r in ratings:
        first_year.setdefault(r["gtin"], int(r["decision_date"][:4]))
    for b in batches:
        y = int(b["production_date"][:4])
        first_year[b["gtin"]] = min(first_year.get(b["gtin"], y), y)
    tccs_seen = Counter()
    roles = Counter()
    for p in products:
        g = p["gtin"]
        if not gs1_ok(g):
            bad(f"products.csv {g}: GTIN check digit")
        if p["producer"] not in by_tax:
            bad(f"products.csv {g}: unknown producer")
        roles[p["producer_role"]] += 1
        if p["producer_role"] not in ("manufacturer", "responsible"):
            bad(f"products.csv {g}: producer_role {p['producer_role']!r}")
        if p["producer_role"] == "responsible" and by_tax[p["producer"]]["kind"] == "household":
            bad(f"products.csv {g}: a household as responsible party")
        # standards
        items = p["standards"].split(";")
        if not p["standards"] or any(not i or i != i.strip() or len(i) > 60 for i in items):
            bad(f"products.csv {g}: standards {p['standards']!r}")
        if len(set(items)) != len(items):
            bad(f"products.csv {g}: a standard listed twice")
        tccs = [TCCS.match(i) for i in items if i.startswith("TCCS")]
        if len(tccs) != 1 or not tccs[0]:
            bad(f"products.csv {g}: needs exactly one well-formed TCCS: {p['standards']!r}")
        else:
            year = int(tccs[0].group(1))
            tccs_seen[items[[i.startswith("TCCS") for i in items].index(True)]] += 1
            if g in first_year and year > first_year[g]:
                bad(f"products.csv {g}: TCCS of {year}, after the product was first rated or made")
            if year < 2015 or year > 2026:
                bad(f"products.csv {g}: TCCS year {year}")
        # allergens and warnings
        a = p["allergens"]
        if a and not re.match(r"^Có chứa: [a-zà-ỹđ ,]+$", a):
            bad(f"products.csv {g}: allergens {a!r}")
        if a and p["group"] in NON_FOOD:
            bad(f"products.csv {g}: allergens on a non-food product")
        ing = p["ingredients"].lower()
        for word, allergen in (("cá", "cá"), ("tôm", "tôm"), ("mè", "mè"), ("sữa", "sữa"),
                               ("đậu phộng", "đậu phộng")):
            if re.search(r"(^|[ ,;])" + word + r"($|[ ,;])", ing) and p["group"] not in NON_FOOD:
                if allergen not in a:
                    bad(f"products.csv {g}: ingredients have {word} but allergens do not say so")
        if "độ cồn" in ing and "18 tuổi" not in p["warnings"]:
            bad(f"products.csv {g}: alcoholic drink without the under-18 warning")
        if "mật ong" in ing and "1 tuổi" not in p["warnings"]:
            bad(f"products.csv {g}: honey without the infant warning")
        if p["group"] == "herbal" and not p["warnings"]:
            bad(f"products.csv {g}: herbal product without a warning")
        if p["photo"] != f"photos/{g}.jpg":
            bad(f"products.csv {g}: photo {p['photo']!r}")
        path = DATA / p["photo"]
        if not path.is_file():
            bad(f"products.csv {g}: {p['photo']} is missing")
            continue
        size = path.stat().st_size
        if size >= 40 * 1024:
            bad(f"{p['photo']}: {size} bytes, not under 40 KB")
        info = jpeg_info(path)
        if info != (480, 480, True):
            bad(f"{p['photo']}: not a 480 x 480 baseline JPEG: {info}")
    for std, n in tccs_seen.items():
        if n > 1:
            bad(f"products.csv: {std} is used by {n} products")
    if not 3 <= roles["responsible"] <= 6:
        bad(f"products.csv: {roles['responsible']} responsible products, expected 3 to 6")
    extra = {f.name for f in (DATA / "photos").iterdir()} - {Path(p["photo"]).name for p in products}
    if extra:
        bad(f"photos/: files no product names: {sorted(extra)}")

    # ---- stages
    product_of = {p["gtin"]: p for p in products}
    lots = {(b["gtin"], b["lot"]): b for b in batches}
    gln_of = {p["tax_code"]: p["gln"] for p in producers if p["gln"]}
    all_glns = set(gln_of.values())
    per_lot = defaultdict(list)
    code_names = defaultdict(set)
    area_codes = defaultdict(set)
    for n, s in enumerate(stages, start=2):
        key = (s["gtin"], s["lot"])
        where = f"stages.csv:{n} {s['gtin']}/{s['lot']}"
        if key not in lots:
            bad(f"{where}: no such lot in batches.csv")
            continue
        if s["stage"] not in STAGES:
            bad(f"{where}: stage {s['stage']!r}")
        if not TIME.match(s["time"]):
            bad(f"{where}: time {s['time']!r}")
            continue
        try:
            parse_time(s["time"])
        except ValueError:
            bad(f"{where}: time {s['time']!r} is not a date")
            continue
        loc = s["location"]
        if loc.isdigit() and len(loc) == 13:
            if not gs1_ok(loc):
                bad(f"{where}: GLN {loc} has a wrong check digit")
            if loc not in all_glns:
                bad(f"{where}: GLN {loc} is no producer's")
        elif not CODE.match(loc):
            bad(f"{where}: location {loc!r}")
        else:
            code_names[loc].add(s["location_name"])
        if not s["location_name"]:
            bad(f"{where}: empty location_name")
        if s["item"] and (not CODE.match(s["item"]) or s["stage"] != "harvest"):
            bad(f"{where}: item {s['item']!r}")
        per_lot[key].append((n, s))
    for code, names in code_names.items():
        if len(names) > 1:
            bad(f"stages.csv: location {code} has several names: {sorted(names)}")
    order = [(s["gtin"], s["lot"], s["time"]) for s in stages]
    if order != sorted(order):
        bad("stages.csv: rows are not sorted by gtin, lot, time")

    last_time = {}
    for key in lots:  # batches.csv order: inputs come first
        b = lots[key]
        rows = per_lot.get(key, [])
        where = f"stages.csv {key[0]}/{key[1]}"
        if not 3 <= len(rows) <= 5:
            bad(f"{where}: {len(rows)} stages, expected 3 to 5")
        if not rows:
            continue
        times = [parse_time(s["time"]) for _, s in rows]
        if any(t2 <= t1 for t1, t2 in zip(times, times[1:])):
            bad(f"{where}: times are not strictly increasing")
        produced = date.fromisoformat(b["production_date"])
        expiry = date.fromisoformat(b["expiry_date"])
        hs = date.fromisoformat(b["harvest_start"]) if b["harvest_start"] else None
        he = date.fromisoformat(b["harvest_end"]) if b["harvest_end"] else None
        inputs = [tuple(i.split("/", 1)) for i in b["inputs"].split("|")] if b["inputs"] else []
        kinds = [s["stage"] for _, s in rows]
        producer = product_of[key[0]]["producer"]
        group = product_of[key[0]]["group"]
        if kinds.count("packing") < 1:
            bad(f"{where}: no packing stage")
        harvests = [t for t, k in zip(times, kinds) if k == "harvest"]
        if inputs and harvests:
            bad(f"{where}: lot made from inputs has a harvest row")
        if not inputs and not harvests and group not in ("handicrafts", "tourism"):
            bad(f"{where}: lot with no inputs and no harvest row")
        if inputs and kinds[0] != "processing":
            bad(f"{where}: lot made from inputs does not start with processing")
        input_done = max((last_time[i] for i in inputs if i in last_time), default=None)
        for i in inputs:
            if i not in last_time:
                bad(f"{where}: input {i} has no stages before it")
        for (n, s), t, k in zip(rows, times, kinds):
            d = t.date()
            w = f"stages.csv:{n} {key[0]}/{key[1]} {k} {s['time']}"
            if d > expiry:
                bad(f"{w}: after the expiry date {expiry}")
            if d > LAST_DAY:
                bad(f"{w}: after {LAST_DAY}")
            if k == "harvest":
                if s["location_name"] != b["origin_area"]:
                    bad(f"{w}: harvest place is not the origin area {b['origin_area']!r}")
                area_codes[b["origin_area"]].add(s["location"])
                if hs and not hs <= d <= he:
                    bad(f"{w}: outside the harvest period {hs}…{he}")
                if not hs and not (produced - timedelta(days=60) <= d <= produced):
                    bad(f"{w}: not some days before the production date {produced}")
            elif k == "processing":
                if harvests and t <= max(harvests):
                    bad(f"{w}: processing before the harvest ends")
                if he and d < he:
                    bad(f"{w}: processing before harvest_end {he}")
                if d > produced:
                    bad(f"{w}: processing after the production date {produced}")
                if input_done and t <= input_done:
                    bad(f"{w}: processing before the input lots were packed")
            elif k == "packing":
                if d != produced:
                    bad(f"{w}: packing not on the production date {produced}")
            elif k == "testing":
                if not produced <= d <= produced + timedelta(days=7):
                    bad(f"{w}: testing not within a week of the production date {produced}")
            elif k == "storage":
                if d < produced:
                    bad(f"{w}: storage before the production date {produced}")
            if k in ("processing", "packing", "storage") and producer in gln_of:
                if s["location"] != gln_of[producer] and not s["location"].startswith("AG-"):
                    bad(f"{w}: location neither the producer's GLN nor a code")
                if s["location"] != gln_of[producer]:
                    bad(f"{w}: producer has a GLN, its site should use it")
            if s["location"] in all_glns and s["location"] != gln_of.get(producer):
                bad(f"{w}: GLN of another producer")
        packed = [t for t, k in zip(times, kinds) if k == "packing"]
        last_time[key] = max(packed) if packed else times[-1]
    for area, codes in area_codes.items():
        if len(codes) > 1:
            bad(f"stages.csv: area {area!r} has several codes {sorted(codes)}")
    for key in per_lot:
        if key not in lots:
            bad(f"stages.csv: {key} is not in batches.csv")

    # ---- README
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    if unicodedata.normalize("NFC", readme) != readme:
        bad("README.md: not NFC")
    for word in ("stages.csv", "photos/", "make-photos.py", "not photographs", "thu hoạch",
                 "chế biến", "đóng gói", "kiểm nghiệm", "bảo quản", "`phone`", "`website`",
                 "`warnings`", "`allergens`", "`standards`", "`producer_role`", "`photo`",
                 "`location_name`", "`item`"):
        if word not in readme:
            bad(f"README.md: does not mention {word}")

    stage_counts = Counter(s["stage"] for s in stages)
    print(f"producers {len(producers)}, products {len(products)}, lots {len(batches)}, "
          f"ratings {len(ratings)}, stage rows {len(stages)} "
          f"({', '.join(f'{k} {stage_counts[k]}' for k in STAGES)}), "
          f"photos {len(list((DATA / 'photos').glob('*.jpg')))}")
    for p in problems:
        print("PROBLEM:", p)
    print(f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
