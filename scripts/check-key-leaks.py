#!/usr/bin/env python3
"""Searches everything under the given folders for any issuer private key found there.

Every ocop-trace issuer key file under the folders (JSON, "format": "ocop-trace issuer
key") is read; then every other file is searched for each key's 32 secret bytes, in raw
form, standard and URL-safe base64 (with and without padding) and hexadecimal (either
case). Exit 0 when no file holds a key outside its own key file, 1 (listing the files) when
one does, 2 when there was no key to look for.

    python3 scripts/check-key-leaks.py artefacts/test-run
"""
import base64
import json
import os
import sys


def key_files(roots):
    for root in roots:
        for folder, _, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                if not os.path.isfile(path) or os.path.getsize(path) > 4096:
                    continue
                try:
                    with open(path, "rb") as handle:
                        document = json.loads(handle.read())
                except (ValueError, OSError):
                    continue
                if isinstance(document, dict) and document.get("format") == "ocop-trace issuer key":
                    secret = base64.b64decode(document["privateKey"])
                    if len(secret) == 32:
                        yield path, secret


def forms(secret):
    standard = base64.b64encode(secret)
    url = base64.urlsafe_b64encode(secret)
    return {
        secret,
        standard,
        standard.rstrip(b"="),
        url,
        url.rstrip(b"="),
        secret.hex().encode(),
        secret.hex().upper().encode(),
    }


def main(roots):
    keys = {}
    for path, secret in key_files(roots):
        keys.setdefault(secret, set()).add(os.path.realpath(path))
    if not keys:
        print("no issuer key files found under " + ", ".join(roots), file=sys.stderr)
        return 2
    needles = [(needle, secret) for secret in keys for needle in forms(secret)]
    key_paths = set().union(*keys.values())
    leaks, files, size = [], 0, 0
    for root in roots:
        for folder, _, names in os.walk(root):
            for name in names:
                path = os.path.realpath(os.path.join(folder, name))
                if path in key_paths or not os.path.isfile(path):
                    continue
                with open(path, "rb") as handle:
                    data = handle.read()
                files += 1
                size += len(data)
                for needle, secret in needles:
                    if needle in data:
                        leaks.append((path, sorted(keys[secret])[0]))
                        break
    print(
        f"searched {files} files ({size / 1e6:.1f} MB) for {len(keys)} private keys "
        f"(raw, base64, base64url, hex): {len(leaks)} leaks"
    )
    for path, key in leaks:
        print(f"  LEAK: {path} holds the private key of {key}")
    return 1 if leaks else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(64)
    sys.exit(main(sys.argv[1:]))
