#!/usr/bin/env bash
# Runs GS1's resolver test suite (gs1/, unchanged) against a resolver, for each link given,
# in headless Chromium, and prints every check's outcome; the last line counts them.
#
#   bash scripts/gs1-resolver-suite/run.sh [--ca CERT.pem] [--offline] [--out RESULT.json] LINK...
#
# LINK is a GS1 Digital Link URI served by the resolver under test (https://…: GS1's
# tester.php refuses any other). --ca names a certificate to trust for it (a test's
# self-signed one; Chromium is then told to accept any certificate). --offline keeps the
# browser from every host but the resolver's and the harness's own. Needs php-cli,
# php-curl, chromium and python3 with jsonschema (scripts/debian-packages.txt).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ca="" offline=0 out=""
while (($#)); do
  case "$1" in
    --ca) ca="$(realpath "$2")"; shift 2 ;;
    --offline) offline=1; shift ;;
    --out) out="$2"; shift 2 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 64 ;;
    *) break ;;
  esac
done
(($#)) || { echo "usage: run.sh [--ca CERT.pem] [--offline] [--out RESULT.json] LINK..." >&2; exit 64; }
for tool in php chromium python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is not installed" >&2; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/gs1-resolver-suite.XXXXXX")"
pids=()
# The helpers are killed outright: a caller may have blocked the signals they inherit.
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work" 2>/dev/null || { sleep 1; rm -rf "$work"; }
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cp "$here"/{index.html,harness.js,router.php,validate.py} "$here"/gs1/{tester.php,GS1DigitalLinkToolkit.js,gs1-linkset-schema.json,linktypes.json} "$work/"
# The suite names the address of its PHP helper in one constant, meant to be set where it
# is deployed: here, the harness's own server.
sed "s|^const testUri = .*|const testUri = 'http://127.0.0.1:$port/tester.php';|" \
  "$here/gs1/GS1DigitalLinkResolverTestSuite.js" > "$work/GS1DigitalLinkResolverTestSuite.js"
grep -q "^const testUri = 'http://127.0.0.1:$port/tester.php';" "$work/GS1DigitalLinkResolverTestSuite.js" \
  || { echo "run.sh: the suite no longer names its helper in 'const testUri'" >&2; exit 1; }

php_options=()
if [[ -n "$ca" ]]; then php_options=(-d "curl.cainfo=$ca" -d "openssl.cafile=$ca"); fi
# Each helper runs in a process group of its own, so that stopping it stops its children.
OCOP_SUITE_RESULT="$work/result.json" setsid php "${php_options[@]}" -S "127.0.0.1:$port" \
  -t "$work" "$work/router.php" > "$work/php.log" 2>&1 &
pids+=($!)
python3 - "$port" <<'PY'
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
        break
    except OSError:
        time.sleep(0.1)
PY

query="$(python3 -c 'import sys, urllib.parse; print("&".join("dl=" + urllib.parse.quote(a, safe="") for a in sys.argv[1:]))' "$@")"
browser_options=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run
  --user-data-dir="$work/profile")
if [[ -n "$ca" ]]; then browser_options+=(--ignore-certificate-errors); fi
if ((offline)); then
  hosts="$(python3 -c 'import sys, urllib.parse; print(",".join(sorted({urllib.parse.urlsplit(a).hostname for a in sys.argv[1:]})))' "$@")"
  browser_options+=("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost, EXCLUDE ${hosts//,/, EXCLUDE }")
fi
setsid chromium "${browser_options[@]}" "http://127.0.0.1:$port/?$query" > "$work/chromium.log" 2>&1 &
pids+=($!)

for _ in $(seq 1200); do
  [[ -f "$work/result.json" ]] && break
  sleep 0.1
done
if [[ ! -f "$work/result.json" ]]; then
  echo "run.sh: the suite did not finish within 120 seconds" >&2
  tail -20 "$work/php.log" >&2
  exit 1
fi
[[ -z "$out" ]] || cp "$work/result.json" "$out"
python3 - "$work/result.json" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))
counts = {"pass": 0, "fail": 0, "warn": 0}
for run in runs:
    print(run["dl"])
    if run.get("error"):
        print("  the suite stopped: " + run["error"])
    for result in run["results"]:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
        print(f'  {result["status"]:4}  {result["id"]}: {result["msg"]}')
print(f'{counts["pass"]} passed, {counts["fail"]} failed, {counts["warn"]} warned')
PY
