#!/usr/bin/env python3
"""What a thermal label printer would print from a ZPL or TSPL stream.

Reads the stream, unpacks each label's graphic (ZPL ^GFA in plain or compressed ASCII
hex; TSPL BITMAP in mode 0) into a PGM image (0 black, 255 white), and lists the QR
codes the printer itself would draw (ZPL ^BQ with its ^FD; TSPL QRCODE).

    unpack.py zpl|tspl STREAM OUTDIR

prints one JSON object a line for each label:
    {"label": 1, "width": 480, "height": 320, "image": "OUTDIR/label-1.pgm",
     "printerQR": [{"x": 32, "y": 32, "module": 5, "ecc": "M", "data": "https://..."}]}
and exits 1, naming the problem, on a stream it cannot read.

Written from the printer languages' manuals, independently of ocop's own reader, so the
tests check ocop's streams against a second reading.
"""
import json
import os
import re
import sys


def fail(message):
    print("unpack.py: " + message, file=sys.stderr)
    sys.exit(1)


def zpl_counts(char):
    """Zebra's repeat characters: G..Y are 1..19, g..z are 20..400 in steps of 20."""
    if "G" <= char <= "Y":
        return ord(char) - ord("G") + 1
    if "g" <= char <= "z":
        return (ord(char) - ord("g") + 1) * 20
    return None


def unpack_zpl_hex(data, per_row, rows):
    """ASCII hex, compressed or not, to rows of bytes (bit 1 = a printed dot)."""
    width = per_row * 2
    lines = []
    line = ""
    previous = "0" * width
    repeat = 0
    for char in data:
        if char in " \r\n":
            continue
        count = zpl_counts(char)
        if count is not None:
            repeat += count
        elif char in "0123456789ABCDEFabcdef":
            line += char.upper() * max(1, repeat)
            repeat = 0
            if len(line) > width:
                fail("a ^GF row runs past %d hex digits" % width)
            if len(line) == width:
                lines.append(line)
                previous, line = line, ""
        elif char in ",!":
            line += ("0" if char == "," else "F") * (width - len(line))
            lines.append(line)
            previous, line = line, ""
        elif char == ":":
            if line:
                fail("':' inside a ^GF row")
            lines.append(previous)
        else:
            fail("unexpected %r in a ^GF graphic" % char)
    if line:
        # Uncompressed data may run on without row breaks: cut it into rows.
        fail("a ^GF graphic ends inside a row")
    if len(lines) != rows:
        fail("a ^GF graphic holds %d rows, not %d" % (len(lines), rows))
    return [bytes.fromhex(row) for row in lines]


def zpl_labels(text):
    labels = []
    for body in text.split("^XA")[1:]:
        body = body.split("^XZ")[0]
        label = {"width": None, "height": None, "rows": None, "per_row": None, "printerQR": []}
        origin = (0, 0)
        module = None
        escape = None
        for command in body.split("^")[1:]:
            name, arguments = command[:2], command[2:].strip()
            if name == "PW":
                label["width"] = int(arguments)
            elif name == "LL":
                label["height"] = int(arguments)
            elif name == "FO":
                x, y = (arguments.split(",") + ["0"])[:2]
                origin = (int(x or 0), int(y or 0))
            elif name == "GF":
                kind, total, _, per_row, data = arguments.split(",", 4)
                if kind != "A":
                    fail("only ^GFA (ASCII hex) graphics are read")
                total, per_row = int(total), int(per_row)
                rows = unpack_zpl_hex(data, per_row, total // per_row)
                label["rows"], label["per_row"], label["origin"] = rows, per_row, origin
            elif name == "BQ":
                fields = arguments.split(",")
                module = int(fields[2])
            elif name == "FH":
                escape = arguments[:1] or "_"
            elif name == "FD" and module is not None:
                data = arguments
                if escape:
                    data = re.sub(
                        re.escape(escape) + "([0-9A-Fa-f]{2})",
                        lambda m: chr(int(m.group(1), 16)),
                        data,
                    )
                ecc, mode, content = data[0], data[1], data[3:]
                if data[2] != "," or mode != "A":
                    fail("a QR ^FD must start with its error correction and A,")
                label["printerQR"].append(
                    {"x": origin[0], "y": origin[1], "module": module, "ecc": ecc, "data": content}
                )
                module, escape = None, None
        if label["rows"] is None:
            fail("a ZPL label without a ^GF graphic")
        # Printed dots are 1 in ZPL.
        label["image"] = [[0 if row[x // 8] & (0x80 >> (x % 8)) else 255 for x in range(label["width"])] for row in label["rows"]]
        labels.append(label)
    return labels


def tspl_labels(stream):
    labels = []
    index = 0
    current = None
    while index < len(stream):
        if stream.startswith(b"BITMAP ", index):
            head_end = index
            commas = 0
            while commas < 5:
                if stream[head_end] == ord(","):
                    commas += 1
                head_end += 1
            x, y, per_row, height, mode = [int(v) for v in stream[index + 7 : head_end - 1].split(b",")]
            if mode != 0 or (x, y) != (0, 0):
                fail("only BITMAP 0,0,...,0 is read")
            data = stream[head_end : head_end + per_row * height]
            if len(data) != per_row * height:
                fail("a BITMAP ends early")
            # TSPL's bitmap: 0 a printed dot.
            current["image"] = [
                [0 if not data[r * per_row + x // 8] & (0x80 >> (x % 8)) else 255 for x in range(per_row * 8)]
                for r in range(height)
            ]
            current["width"], current["height"] = per_row * 8, height
            index = head_end + per_row * height
            continue
        end = stream.find(b"\n", index)
        end = len(stream) if end < 0 else end
        line = stream[index:end].decode("utf-8").strip()
        index = end + 1
        if line == "CLS":
            current = {"printerQR": []}
        elif line.startswith("QRCODE "):
            fields = line[7:].split(",", 8)
            content = fields[8]
            if not (content.startswith('"') and content.endswith('"')):
                fail("QRCODE content must be quoted")
            current["printerQR"].append(
                {
                    "x": int(fields[0]),
                    "y": int(fields[1]),
                    "module": int(fields[3]),
                    "ecc": fields[2],
                    "data": content[1:-1].replace('\\["]', '"'),
                }
            )
        elif line.startswith("PRINT"):
            if current is None or "image" not in current:
                fail("PRINT without a BITMAP")
            labels.append(current)
            current = None
    return labels


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("zpl", "tspl"):
        fail("usage: unpack.py zpl|tspl STREAM OUTDIR")
    language, path, out = sys.argv[1:]
    with open(path, "rb") as handle:
        stream = handle.read()
    labels = zpl_labels(stream.decode("utf-8")) if language == "zpl" else tspl_labels(stream)
    if not labels:
        fail("no label in " + path)
    os.makedirs(out, exist_ok=True)
    for number, label in enumerate(labels, 1):
        image = os.path.join(out, "label-%d.pgm" % number)
        height, width = len(label["image"]), len(label["image"][0])
        with open(image, "wb") as handle:
            handle.write(b"P5\n%d %d\n255\n" % (width, height))
            handle.write(bytes(value for row in label["image"] for value in row))
        print(
            json.dumps(
                {"label": number, "width": width, "height": height, "image": image, "printerQR": label["printerQR"]}
            )
        )


main()
