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
        cells = []
        for base in bases.values():
            versions = [version(lib, base + path + value, level) for level in "LMQH"]
            cells.append("    " + " ".join("%2s" % (v if v else "-") for v in versions) + "    ")
        print("%-26s %5d  %s" % (name, len(value), "  ".join(cells)))
    unsigned = bases["upper-case host"] + path[:-3]
    print("unsigned link, upper-case host: version %s at ECC M" % version(lib, unsigned, "M"))


if __name__ == "__main__":
    sys.exit(main())
