#!/usr/bin/env bash
# ocop-trace quick start: installs what a fresh Debian 12 machine with the Swift toolchain
# lacks, builds, then runs the demo (`demo`) or the whole test suite (`test`).
#
#   bash scripts/quickstart.sh demo    # set up, build, run the An Giang demo
#   bash scripts/quickstart.sh test    # set up, build, run every test
#   bash scripts/quickstart.sh setup   # only install the Debian packages
set -euo pipefail
cd "$(dirname "$0")/.."

install_debian_packages() {
  local wanted=() missing=() package
  while read -r package; do
    [[ -z $package || $package == \#* ]] && continue
    wanted+=("$package")
  done < scripts/debian-packages.txt
  for package in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0
  echo "Installing Debian packages: ${missing[*]}" >&2
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "Run as root, or install sudo, to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

command -v swift >/dev/null || { echo "The Swift toolchain (swift) is not on PATH." >&2; exit 1; }

case "${1:-}" in
  setup)
    install_debian_packages
    ;;
  demo)
    install_debian_packages
    swift build --product ocop
    OCOP="$(swift build --show-bin-path)/ocop" bash scripts/demo.sh
    ;;
  test)
    install_debian_packages
    swift build --build-tests
    # Everything the suite writes goes under artefacts/test-run, which is then searched for
    # any issuer's private key: none may appear outside its own key file.
    run=artefacts/test-run
    rm -rf "$run"
    mkdir -p "$run/tmp"
    # The tests that serve over a real socket run on their own, after the rest: many other
    # tests block a thread while a child process runs, and the server in the test process
    # answers on the same few threads.
    live="HostileRequestTests|overARealSocket|ResolverBrowserTests|GS1ResolverSuiteTests"
    status=0
    TMPDIR="$PWD/$run/tmp" swift test --skip-build --skip "$live" 2>&1 \
      | tee "$run/swift-test.log" || status=$?
    ((status == 0)) || exit "$status"
    TMPDIR="$PWD/$run/tmp" swift test --skip-build --filter "$live" 2>&1 \
      | tee -a "$run/swift-test.log" || status=$?
    ((status == 0)) || exit "$status"
    python3 scripts/check-key-leaks.py "$run"
    ;;
  *)
    echo "usage: bash scripts/quickstart.sh demo|test|setup" >&2
    exit 64
    ;;
esac
