#!/usr/bin/env python3
"""Which text encoding of a 64-byte Ed25519 signature gives the smallest QR code?

Builds the same signed trace link with the signature written in several encodings and
asks libqrencode (the library ocop-trace prints with) for the smallest symbol at each
error-correction level, exactly as the label module calls it: 8-bit hint, case-sensitive,
so libqrencode splits the text into numeric, alphanumeric and byte segments itself.

Run: python3 Benchmarks/scripts/signature-encoding.py   (needs Debian's libqrencode4)
"""
import base64
import ctypes
import ctypes.util
import hashlib
import sys


class QRcode(ctypes.Structure):
    _fields_ = [("version", ctypes.c_int), ("width", ctypes.c_int), ("data", ctypes.c_void_p)]


def load():
    name = ctypes.util.find_library("qrencode") or "libqrencode.so.4"
    lib = ctypes.CDLL(name)
    lib.QRcode_encodeString.restype = ctypes.POINTER(QRcode)
    lib.QRcode_encodeString.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.QRcode_free.argtypes = [ctypes.POINTER(QRcode)]
    return lib


QR_MODE_8 = 2
LEVELS = {"L": 0, "M": 1, "Q": 2, "H": 3}


def version(lib, text, level):
    code = lib.QRcode_encodeString(text.encode(), 0, LEVELS[level], QR_MODE_8, 1)
    if not code:
        return None
    result = code.contents.version
    lib.QRcode_free(code)
    return result


def base45(data):
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        out += [alphabet[n % 45], alphabet[n // 45 % 45], alphabet[n // 2025]]
    if len(data) % 2:
        out += [alphabet[data[-1] % 45], alphabet[data[-1] // 45]]
    return "".join(out)


def percent_encode(text):
    unreserved = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    return "".join(c if c in unreserved else "%%%02X" % ord(c) for c in text)


def main():
    lib = load()
    signature = hashlib.sha512(b"a stand-in for a 64-byte Ed25519 signature").digest()
    kid = "GR2Q7GF5"
    kid_number = str(int.from_bytes(base64.b32decode(kid), "big")).rjust(13, "0")
    encodings = {
        "decimal kid+sig, chosen": None,
        "base32 (A-Z 2-7)": base64.b32encode(signature).decode().rstrip("="),
        "base64url": base64.urlsafe_b64encode(signature).decode().rstrip("="),
        "hex, upper case": signature.hex().upper(),
        "hex, lower case": signature.hex(),
        "base45, percent-encoded": percent_encode(base45(signature)),
        "decimal signature only": str(int.from_bytes(signature, "big")),
        # GS1's own place for a signature: AI (8030) DIGSIG, Z..90, a DigSig in base64url.
        # A DigSig holds at least the signature (with its key's certificate reference, a
        # date and more in ISO/IEC 20248); 64 bytes alone is the smallest it can be.
        "AI 8030, 64 bytes (least)": "8030=" + base64.urlsafe_b64encode(signature).decode().rstrip("="),
    }
    bases = {
        "lower-case host": "https://truyxuat.angiang.example",
        "upper-case host": "HTTPS://TRUYXUAT.ANGIANG.EXAMPLE",
    }
    path = "/01/08936059000017/10/DTN-2611-01/21/1001?17=271101&s="
    print("%-26s %5s  %s" % ("signature encoding", "chars", "  ".join("%-15s" % b for b in bases)))
    print("%-26s %5s  %s" % ("", "", "  ".join("%-15s" % "ECC L  M  Q  H" for _ in bases)))
    for name, text in encodings.items():
        # The chosen form: 168 digits, the kid's 40 bits then the signature, fixed width.
        value = kid_number + str(int.from_bytes(signature, "big")).rjust(155, "0") if text is None else kid + "." + text
        link_path = path
        if text is not None and text.startswith("8030="):
            value = text
            link_path = path[: -len("s=")]
        cells = []
        for base in bases.values():
            versions = [version(lib, base + link_path + value, level) for level in "LMQH"]
            cells.append("    " + " ".join("%2s" % (v if v else "-") for v in versions) + "    ")
        print("%-26s %5d  %s" % (name, len(value), "  ".join(cells)))
    unsigned = bases["upper-case host"] + path[:-3]
    print("unsigned link, upper-case host: version %s at ECC M" % version(lib, unsigned, "M"))
    an_giang(lib, signature, kid_number)


def an_giang(lib, signature, kid_number):
    """The QR versions of the An Giang data set's links, one a lot (serial 1, expiry in
    AI 17, upper-case host as ocop prints), unsigned, signed in ocop's decimal parameter,
    and with the least a GS1 DigSig in AI (8030) can hold."""
    import collections
    import csv
    import os

    root = os.path.join(os.path.dirname(__file__), "..", "..", "Fixtures", "an-giang", "batches.csv")
    links = []
    with open(root, encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            gtin = row["gtin"].rjust(14, "0")
            expiry = row["expiry_date"]
            yymmdd = expiry[2:4] + expiry[5:7] + expiry[8:10]
            links.append("HTTPS://TRUYXUAT.ANGIANG.EXAMPLE/01/%s/10/%s/21/1?17=%s" % (gtin, percent_encode(row["lot"]), yymmdd))
    forms = {
        "unsigned": lambda link: link,
        "ocop, s= decimal (168)": lambda link: link + "&s=" + kid_number + str(int.from_bytes(signature, "big")).rjust(155, "0"),
        "AI 8030, 64 bytes (86)": lambda link: link + "&8030=" + base64.urlsafe_b64encode(signature).decode().rstrip("="),
    }
    print()
    print("An Giang data set: %d lots, serial 1, QR version (how many links) at each level" % len(links))
    print("%-24s  %-22s  %-22s  %-22s" % ("form", "ECC L", "ECC M", "ECC Q"))
    for name, make in forms.items():
        cells = []
        for level in "LMQ":
            counts = collections.Counter(version(lib, make(link), level) for link in links)
            cells.append(", ".join("v%d: %d" % (v, n) for v, n in sorted(counts.items())))
        print("%-24s  %-22s  %-22s  %-22s" % (name, cells[0], cells[1], cells[2]))


if __name__ == "__main__":
    sys.exit(main())
