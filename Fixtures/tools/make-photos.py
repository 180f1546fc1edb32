#!/usr/bin/env python3
"""Draws the product pictures of the An Giang data set: photos/<gtin>.jpg, one per product.

Each picture is a simple flat illustration made for this data set, not a photograph: a
package shape (box, bottle, jar, bag, sack, fabric, pot, ticket, basket, tray, bamboo tube,
leaf-wrapped cake) in colours that fit the product, a small motif (sugar palm, fish, leaf,
rice, honeycomb, lotus, mango, banana, mushroom, sausage...) and the product's short
Vietnamese name in DejaVu Sans. 480 x 480 px, baseline JPEG, quality 80.

Usage: make-photos.py [DATA_DIR]   (default: the an-giang folder beside this script)
Needs Pillow (python3 -m venv /tmp/pyenv && /tmp/pyenv/bin/pip install pillow).
"""
import csv
import math
import sys
import unicodedata
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
DATA = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "an-giang"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
BOLD = str(FONT_DIR / "DejaVuSans-Bold.ttf")
REGULAR = str(FONT_DIR / "DejaVuSans.ttf")

SIZE = 480
K = 2  # drawn at twice the size, then scaled down for smooth edges
W = SIZE * K

# gtin: (title, subtitle, shape, background, body, accent, motif)
SPECS = {
    "8932301001016": ("Đường thốt nốt", "Tri Tôn · hộp quà 1 kg", "box", "#F6E7C8", "#8B4A1C", "#E0A526", "palm"),
    "8932301001023": ("Nước cốt thốt nốt", "Bảy Núi · 500 ml", "bottle", "#FBEED9", "#B5651D", "#2E6B3A", "palm"),
    "8932301001030": ("Đường thốt nốt viên", "Bảy Núi · 500 g", "bag", "#F3E3C3", "#C98B3A", "#5A2E0E", "cakes"),
    "8932301001047": ("Rượu thốt nốt", "Bảy Núi · 500 ml", "bottle", "#E6EEF2", "#CFE0E6", "#7A2E1F", "palm"),
    "8931690001010": ("Mắm thái", "Châu Đốc · hộp 500 g", "box", "#FCE9D9", "#D9572B", "#F2C14E", "fish"),
    "8931690001027": ("Mắm cá linh", "Châu Đốc · hũ 500 g", "jar", "#EAF2E3", "#A0522D", "#F5D76E", "smallfish"),
    "8931690001034": ("Mắm cá lóc", "Châu Đốc · hũ 500 g", "jar", "#F4E1D2", "#7B3F22", "#E8B04B", "fish"),
    "8931690001041": ("Mắm cá rô đồng", "Núi Sam · hũ 300 g", "jar", "#E8E3F0", "#8E5A3C", "#C9A227", "fish"),
    "8930376001016": ("Khô cá tra phồng", "Châu Đốc · 500 g", "bag", "#E3EEF7", "#2F6690", "#F2D0A4", "fish"),
    "8930376001023": ("Khô cá sặc rằn", "Vĩnh Ngươn · 500 g", "bag", "#E6F4EA", "#3A7D44", "#F6D8AE", "fish"),
    "8938490001011": ("Trà khổ qua rừng", "Tịnh Biên · 100 g", "box", "#E4F1DC", "#2E7D32", "#C5E1A5", "bittermelon"),
    "8938490001028": ("Trà túi lọc khổ qua", "Thiên Cấm Sơn · 25 gói", "box", "#EDF7E7", "#558B2F", "#F1F8E9", "teabag"),
    "8933990001011": ("Gạo Jasmine", "Long Xuyên · 5 kg", "sack", "#F5F3E6", "#F0EAD2", "#2E7D32", "rice"),
    "8933990001028": ("Gạo Nàng Nhen", "Bảy Núi · 2 kg", "sack", "#EEF0E0", "#E8D9A8", "#8D6E2F", "rice"),
    "8936444001018": ("Lãnh Mỹ A", "Tân Châu · xấp 2 m", "fabric", "#EFE6F0", "#151515", "#6D5D8C", "sheen"),
    "8936444001025": ("Khăn lụa tơ tằm", "Tân Châu", "fabric", "#F8E1E7", "#C2185B", "#F8BBD0", "sheen"),
    "8933087001016": ("Rượu nếp", "Phú Tân · 500 ml", "bottle", "#F3EBDD", "#EDE6D0", "#8B0000", "rice"),
    "8933087001023": ("Bánh phồng nếp", "Phú Tân · 500 g", "bag", "#FFF4DC", "#F4D58D", "#C0392B", "crackers"),
    "8933341001011": ("Mật ong rừng tràm", "Trà Sư · 500 ml", "bottle", "#FFF3D6", "#E89B1A", "#5D4037", "honeycomb"),
    "8933807001012": ("Lạp xưởng tươi", "Núi Sập · 500 g", "bag", "#FBE3E1", "#C62828", "#FFD54F", "sausage"),
    "8933807001029": ("Lạp xưởng tôm", "Núi Sập · 500 g", "bag", "#FDE8DA", "#E65100", "#FFE082", "shrimp"),
    "8930578001012": ("Xoài sấy dẻo", "Cù lao Giêng · 200 g", "bag", "#FFF6D5", "#FFB300", "#2E7D32", "mango"),
    "8936422001016": ("Khô cá lóc", "Vĩnh Bình · 500 g", "bag", "#E8EAF6", "#3949AB", "#FFE0B2", "fish"),
    "8936422001023": ("Cá lóc một nắng", "Vĩnh Bình · 1 kg", "tray", "#E0F2F1", "#00897B", "#FFCC80", "sunfish"),
    "8932046001012": ("Khô cá linh", "An Phú · 250 g", "bag", "#E1F5FE", "#0277BD", "#FFF59D", "smallfish"),
    "8934944001019": ("Bột sen", "Mỹ Hòa Hưng · 250 g", "box", "#FCE4EC", "#EC407A", "#FFFFFF", "lotus"),
    "8934944001026": ("Trà tim sen", "Mỹ Hòa Hưng · 100 g", "box", "#E8F5E9", "#43A047", "#FFF0F5", "lotus"),
    "8936920001013": ("Đường thốt nốt cát", "Ô Lâm · 1 kg", "bag", "#F7ECD9", "#A1662F", "#F1C27D", "palm"),
    "8936920001020": ("Mắm bò hóc", "Tri Tôn · hũ 500 g", "jar", "#EFE5DC", "#6D4C41", "#BCAAA4", "smallfish"),
    "8934462001010": ("Bánh bò thốt nốt", "Nhà Bàng · hộp 10 cái", "box", "#FFF1E0", "#D7A86E", "#8D5524", "cakes"),
    "8936209001017": ("Khô cá lóc", "Châu Đốc · 500 g", "bag", "#EDE7F6", "#5E35B1", "#FFE0B2", "fish"),
    "8930776001012": ("Tung lò mò", "Châu Giang · 500 g", "bag", "#FFEBEE", "#8E2430", "#F3E5AB", "sausage"),
    "8930776001029": ("Khăn rằn", "Châu Phong", "fabric", "#ECEFF1", "#212121", "#FAFAFA", "checks"),
    "8930776001036": ("Du lịch làng Chăm", "Châu Giang", "ticket", "#E0F7FA", "#00838F", "#FFD54F", "dome"),
    "8930573001017": ("Mắm ruột cá lóc", "Chợ Mới · hũ 300 g", "jar", "#F1E9DA", "#795548", "#FFCA28", "fish"),
    "8938627001013": ("Chuối sấy dẻo", "Kiến An · 250 g", "bag", "#FFFDE7", "#FBC02D", "#6D4C41", "banana"),
    "8938627001020": ("Mứt chuối", "Kiến An · hộp 300 g", "box", "#FFF8E1", "#F57F17", "#FFF59D", "banana"),
    "8933868001013": ("Nấm bào ngư xám", "Vọng Thê · 1 kg", "basket", "#ECEFF1", "#8D6E63", "#90A4AE", "mushroom"),
    "8930010001013": ("Khô cá linh tẩm mè", "Phú Hữu · 200 g", "bag", "#FFF3E0", "#EF6C00", "#FFFDE7", "sesamefish"),
    "8939162001018": ("Lạp xưởng tươi", "Bình Mỹ · 500 g", "bag", "#F3E5F5", "#AD1457", "#FFF176", "sausage"),
    "8935965001019": ("Mai chiếu thủy", "Bình Hòa · bonsai", "pot", "#E8F5E9", "#6D4C41", "#FFFFFF", "none"),
    "8933772001017": ("Cao Mật nhân", "An Hảo · hũ 100 g", "jar", "#EFEBE9", "#3E2723", "#D7CCC8", "root"),
    "8938411001014": ("Nước thốt nốt", "Lương Phi · 330 ml", "bottle", "#E3F2FD", "#FFF3D0", "#2E7D32", "palm"),
    "8939973001016": ("Cá lóc tươi", "Vĩnh Tế · 1 kg", "tray", "#E0F2F1", "#455A64", "#B2DFDB", "fish"),
    "8939973001023": ("Chả cá lóc", "Vĩnh Tế · 500 g", "bag", "#FFF8E1", "#1565C0", "#FFE0B2", "fishcake"),
    "8930152001018": ("Bánh tét lá cẩm", "Mỹ Đức · 1 kg", "log", "#F3E5F5", "#2E7D32", "#6A1B9A", "none"),
    "8935481001012": ("Nước thốt nốt tươi", "Lê Trì · 1 lít", "tube", "#F1F8E9", "#C8A165", "#33691E", "palm"),
    "8935481001029": ("Đường thốt nốt", "Lê Trì · 500 g", "bag", "#FAEBD7", "#8D6E63", "#FFCC80", "palm"),
    "8935464001015": ("Lúa nếp", "Tân Hòa · 1 kg", "sack", "#FFFDE7", "#C9A66B", "#827717", "rice"),
    "8935464001022": ("Gạo nếp", "Phú Tân · 2 kg", "sack", "#F4F4F0", "#FFFFFF", "#F9A825", "rice"),
    "8939106001012": ("Khăn choàng thổ cẩm", "Văn Giáo", "fabric", "#FFF3E0", "#B71C1C", "#FFC107", "diamonds"),
    "8934235001018": ("Lá khổ qua rừng", "An Hảo · 1 kg", "basket", "#F1F8E9", "#A1887F", "#388E3C", "leaves"),
    "8934235001025": ("Cao khổ qua rừng", "Núi Cấm · hũ 100 g", "jar", "#E8F5E9", "#1B5E20", "#AED581", "bittermelon"),
}

INK = "#2B2118"


def rgb(c):
    c = c.lstrip("#")
    return tuple(int(c[i:i + 2], 16) for i in (0, 2, 4))


def shade(c, f):
    """Darker (f < 1) or lighter (f > 1) version of a colour."""
    r, g, b = rgb(c)
    if f < 1:
        return (int(r * f), int(g * f), int(b * f))
    return tuple(int(v + (255 - v) * (f - 1)) for v in (r, g, b))


def luminance(c):
    r, g, b = rgb(c) if isinstance(c, str) else c
    return 0.299 * r + 0.587 * g + 0.114 * b


def P(*xy):
    return [v * K for v in xy]


# ------------------------------------------------------------------ motifs
# Each motif is drawn centred on (cx, cy), in a square of side s (final-pixel units).

def leaf_shape(cx, cy, length, width, angle):
    pts = []
    for i in range(0, 41):
        t = i / 40
        x = (t - 0.5) * length
        y = math.sin(math.pi * t) * width / 2
        pts.append((x, y))
    for i in range(40, -1, -1):
        t = i / 40
        x = (t - 0.5) * length
        y = -math.sin(math.pi * t) * width / 2
        pts.append((x, y))
    a = math.radians(angle)
    return [((cx + x * math.cos(a) - y * math.sin(a)) * K,
             (cy + x * math.sin(a) + y * math.cos(a)) * K) for x, y in pts]


def fish(d, cx, cy, s, color, eye="#FFFFFF", flip=False):
    f = -1 if flip else 1
    d.ellipse(P(cx - s * 0.42, cy - s * 0.17, cx + s * 0.3, cy + s * 0.17), fill=color)
    tail = [(cx + f * s * 0.25, cy), (cx + f * s * 0.5, cy - s * 0.17), (cx + f * s * 0.5, cy + s * 0.17)]
    d.polygon([(x * K, y * K) for x, y in tail], fill=color)
    ex = cx - f * s * 0.25
    d.ellipse(P(ex - s * 0.04, cy - s * 0.06, ex + s * 0.04, cy + s * 0.02), fill=eye)


def palm(d, cx, cy, s, color, trunk):
    d.rectangle(P(cx - s * 0.035, cy - s * 0.1, cx + s * 0.035, cy + s * 0.48), fill=trunk)
    for ang in range(200, 345, 18):
        a = math.radians(ang)
        x2, y2 = cx + math.cos(a) * s * 0.42, cy - 0.1 * s + math.sin(a) * s * 0.36
        d.polygon(leaf_shape((cx + x2) / 2, (cy - 0.1 * s + y2) / 2, s * 0.44, s * 0.09, ang),
                  fill=color)
    for ang in (25, 160):
        a = math.radians(ang)
        x2, y2 = cx + math.cos(a) * s * 0.34, cy - 0.1 * s + math.sin(a) * s * 0.2
        d.polygon(leaf_shape((cx + x2) / 2, (cy - 0.1 * s + y2) / 2, s * 0.36, s * 0.08, ang),
                  fill=color)
    # fruit cluster
    for dx in (-0.06, 0.0, 0.06):
        d.ellipse(P(cx + dx * s - s * 0.035, cy - s * 0.06, cx + dx * s + s * 0.035, cy + s * 0.01),
                  fill=trunk)


def rice(d, cx, cy, s, color, grain):
    pts = [(cx + math.sin(t / 10) * s * 0.12, cy + s * 0.45 - t * s * 0.028) for t in range(0, 31)]
    d.line([(x * K, y * K) for x, y in pts], fill=color, width=int(s * 0.03 * K))
    for i, (x, y) in enumerate(pts[8:30:3]):
        side = 1 if i % 2 else -1
        gx = x + side * s * 0.07
        d.polygon(leaf_shape(gx, y, s * 0.14, s * 0.06, 90 + side * 50), fill=grain)
    d.polygon(leaf_shape(cx - s * 0.12, cy + s * 0.3, s * 0.45, s * 0.07, -70), fill=color)


def lotus(d, cx, cy, s, petal, center):
    for ang, ln in ((-90, 0.5), (-125, 0.44), (-55, 0.44), (-160, 0.36), (-20, 0.36)):
        a = math.radians(ang)
        px, py = cx + math.cos(a) * s * ln * 0.45, cy + s * 0.1 + math.sin(a) * s * ln * 0.45
        d.polygon(leaf_shape(px, py, s * ln, s * 0.2, ang), fill=petal, outline=shade(petal, 0.75))
    d.ellipse(P(cx - s * 0.4, cy + s * 0.18, cx + s * 0.4, cy + s * 0.3), fill=center)


def honeycomb(d, cx, cy, s, color, line):
    r = s * 0.12
    for q, rr in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (1, -1), (-1, 1)):
        x = cx + r * 1.75 * (q + rr / 2)
        y = cy + r * 1.5 * rr
        hexa = [((x + r * math.cos(math.radians(60 * i + 30))) * K,
                 (y + r * math.sin(math.radians(60 * i + 30))) * K) for i in range(6)]
        d.polygon(hexa, fill=color, outline=line, width=3 * K)
    # a bee
    bx, by = cx + s * 0.3, cy - s * 0.3
    d.ellipse(P(bx - s * 0.09, by - s * 0.06, bx + s * 0.09, by + s * 0.06), fill="#F9C80E", outline=line, width=2 * K)
    d.line(P(bx - s * 0.02, by - s * 0.06, bx - s * 0.02, by + s * 0.06), fill=line, width=3 * K)
    d.line(P(bx + s * 0.03, by - s * 0.06, bx + s * 0.03, by + s * 0.06), fill=line, width=3 * K)
    d.ellipse(P(bx - s * 0.06, by - s * 0.15, bx + s * 0.02, by - s * 0.05), fill="#FFFFFF")


def draw_motif(d, name, cx, cy, s, body, accent):
    dark = shade(body, 0.45) if luminance(body) > 90 else shade(body, 1.6)
    if name == "palm":
        palm(d, cx, cy, s, "#3E7B35", "#6B4226")
    elif name == "fish":
        fish(d, cx, cy, s, shade(body, 0.8) if luminance(body) > 140 else "#5B6F7A")
    elif name == "smallfish":
        for i, (dx, dy) in enumerate(((-0.18, -0.18), (0.16, 0.0), (-0.12, 0.2))):
            fish(d, cx + dx * s, cy + dy * s, s * 0.5, "#7D8C95", flip=i == 1)
    elif name == "sunfish":
        d.ellipse(P(cx + s * 0.15, cy - s * 0.5, cx + s * 0.45, cy - s * 0.2), fill="#FFB300")
        fish(d, cx - s * 0.05, cy + s * 0.1, s, "#B07A4A")
    elif name == "sesamefish":
        fish(d, cx, cy, s, "#C77B30")
        for i in range(14):
            x = cx - s * 0.35 + (i * 37 % 60) / 100 * s
            y = cy - s * 0.1 + (i * 23 % 22) / 100 * s
            d.ellipse(P(x - 3, y - 1.6, x + 3, y + 1.6), fill="#FFF8E1")
    elif name == "fishcake":
        for dx in (-0.2, 0.18):
            d.ellipse(P(cx + dx * s - s * 0.2, cy - s * 0.08, cx + dx * s + s * 0.2, cy + s * 0.28),
                      fill="#E8C48A", outline="#B98B4E", width=3 * K)
        fish(d, cx, cy - s * 0.25, s * 0.55, "#5B6F7A")
    elif name == "bittermelon":
        d.polygon(leaf_shape(cx + s * 0.15, cy - s * 0.2, s * 0.4, s * 0.22, -30), fill="#66BB6A")
        d.polygon(leaf_shape(cx, cy + s * 0.08, s * 0.62, s * 0.24, 25), fill="#2E7D32")
        for i in range(7):
            t = i / 6 - 0.5
            x = cx + t * s * 0.5 * math.cos(math.radians(25))
            y = cy + s * 0.08 + t * s * 0.5 * math.sin(math.radians(25))
            d.ellipse(P(x - 5, y - 5, x + 5, y + 5), fill="#A5D6A7")
    elif name == "teabag":
        d.line(P(cx, cy - s * 0.45, cx, cy - s * 0.2), fill=INK, width=2 * K)
        d.rectangle(P(cx - s * 0.09, cy - s * 0.52, cx + s * 0.09, cy - s * 0.42), fill="#E53935")
        d.rounded_rectangle(P(cx - s * 0.25, cy - s * 0.2, cx + s * 0.25, cy + s * 0.3), radius=10 * K,
                            fill="#F5F0E1", outline="#A1887F", width=3 * K)
        d.polygon(leaf_shape(cx, cy + s * 0.05, s * 0.32, s * 0.14, -35), fill="#2E7D32")
    elif name == "rice":
        rice(d, cx, cy, s, "#558B2F", "#E6B422")
    elif name == "lotus":
        lotus(d, cx, cy, s, "#F48FB1", "#66BB6A")
    elif name == "honeycomb":
        honeycomb(d, cx, cy, s, "#FFC107", "#6D4C41")
    elif name == "cakes":
        for dx, dy in ((-0.2, -0.12), (0.2, -0.12), (0, 0.2)):
            x, y = cx + dx * s, cy + dy * s
            d.ellipse(P(x - s * 0.17, y - s * 0.17, x + s * 0.17, y + s * 0.17), fill="#C68642",
                      outline="#7B4A1E", width=3 * K)
            d.ellipse(P(x - s * 0.08, y - s * 0.08, x + s * 0.08, y + s * 0.08), fill="#D9A066")
    elif name == "crackers":
        for dx, dy in ((-0.15, -0.1), (0.15, 0.05)):
            x, y = cx + dx * s, cy + dy * s
            d.ellipse(P(x - s * 0.24, y - s * 0.24, x + s * 0.24, y + s * 0.24), fill="#FFF3D0",
                      outline="#E0B458", width=3 * K)
            for i in range(10):
                px = x + math.cos(i * 2.3) * s * 0.14
                py = y + math.sin(i * 2.3) * s * 0.14
                d.ellipse(P(px - 2.5, py - 1.5, px + 2.5, py + 1.5), fill="#3E2723")
    elif name == "sausage":
        for i in range(3):
            x = cx - s * 0.3 + i * s * 0.3
            d.rounded_rectangle(P(x - s * 0.13, cy - s * 0.3, x + s * 0.13, cy + s * 0.3),
                                radius=int(s * 0.13 * K), fill="#A52A2A", outline="#6B1414", width=2 * K)
            for j in range(4):
                y = cy - s * 0.18 + j * s * 0.12
                d.ellipse(P(x - 4, y - 3, x + 4, y + 3), fill="#F5DEB3")
        d.line(P(cx - s * 0.45, cy - s * 0.3, cx + s * 0.45, cy - s * 0.3), fill="#8D6E63", width=3 * K)
    elif name == "shrimp":
        d.rounded_rectangle(P(cx - s * 0.4, cy + s * 0.02, cx + s * 0.4, cy + s * 0.26),
                            radius=int(s * 0.12 * K), fill="#B23A2E", outline="#6B1414", width=2 * K)
        d.arc(P(cx - s * 0.25, cy - s * 0.42, cx + s * 0.25, cy + s * 0.08), 180, 360,
              fill="#FF8A65", width=int(s * 0.12 * K))
        d.ellipse(P(cx + s * 0.18, cy - s * 0.22, cx + s * 0.24, cy - s * 0.16), fill=INK)
    elif name == "mango":
        # a kidney-shaped fruit: a slanted egg with one flatter side, and dried slices
        pts = []
        for i in range(60):
            t = 2 * math.pi * i / 60
            x = math.cos(t) * 0.36 * (1 + 0.18 * math.sin(t))
            y = math.sin(t) * 0.24 - 0.06 * math.cos(2 * t)
            a = math.radians(-35)
            pts.append(((cx - s * 0.06 + s * (x * math.cos(a) - y * math.sin(a))) * K,
                        (cy - s * 0.08 + s * (x * math.sin(a) + y * math.cos(a))) * K))
        d.polygon(pts, fill="#FFA000")
        d.polygon(leaf_shape(cx + s * 0.22, cy - s * 0.36, s * 0.3, s * 0.11, -15), fill="#2E7D32")
        for dx in (-0.22, 0.0, 0.22):
            d.chord(P(cx + dx * s - s * 0.1, cy + s * 0.12, cx + dx * s + s * 0.1, cy + s * 0.42), 180, 360,
                    fill="#FFC94D", outline="#E08E00", width=2 * K)
    elif name == "banana":
        for i in range(3):
            off = i * s * 0.1
            d.chord(P(cx - s * 0.42, cy - s * 0.45 + off, cx + s * 0.42, cy + s * 0.2 + off), 20, 160,
                    fill="#FFD54F", outline="#8D6E00", width=2 * K)
        d.rectangle(P(cx + s * 0.33, cy - s * 0.05, cx + s * 0.42, cy + s * 0.05), fill="#6D4C41")
    elif name == "mushroom":
        pass  # drawn by the basket
    elif name == "dome":
        d.rectangle(P(cx - s * 0.28, cy, cx + s * 0.28, cy + s * 0.35), fill="#FFFFFF")
        d.chord(P(cx - s * 0.22, cy - s * 0.3, cx + s * 0.22, cy + s * 0.12), 180, 360, fill=accent)
        d.rectangle(P(cx - s * 0.4, cy - s * 0.1, cx - s * 0.34, cy + s * 0.35), fill="#FFFFFF")
        d.rectangle(P(cx + s * 0.34, cy - s * 0.1, cx + s * 0.4, cy + s * 0.35), fill="#FFFFFF")
        d.rounded_rectangle(P(cx - s * 0.07, cy + s * 0.15, cx + s * 0.07, cy + s * 0.35),
                            radius=int(s * 0.07 * K), fill=body)
        d.ellipse(P(cx - s * 0.04, cy - s * 0.44, cx + s * 0.04, cy - s * 0.36), fill=accent)
    elif name == "root":
        col = "#A1887F"
        d.line(P(cx, cy - s * 0.4, cx, cy + s * 0.35), fill=col, width=int(s * 0.06 * K))
        for y0, dx in ((-0.1, -0.3), (0.05, 0.28), (0.2, -0.22), (0.28, 0.2)):
            d.line(P(cx, cy + y0 * s, cx + dx * s, cy + (y0 + 0.2) * s), fill=col, width=int(s * 0.035 * K))
        d.polygon(leaf_shape(cx - s * 0.12, cy - s * 0.42, s * 0.26, s * 0.1, -30), fill="#7CB342")
        d.polygon(leaf_shape(cx + s * 0.12, cy - s * 0.42, s * 0.26, s * 0.1, 30), fill="#7CB342")
    elif name == "leaves":
        pass  # drawn by the basket


# ------------------------------------------------------------------ shapes
# Each returns the label area (x0, y0, x1, y1) where the motif goes, or None.

def shape_box(d, body, accent):
    d.rounded_rectangle(P(120, 95, 360, 330), radius=14 * K, fill=body)
    d.polygon([(120 * K, 95 * K), (360 * K, 95 * K), (330 * K, 70 * K), (150 * K, 70 * K)], fill=shade(body, 0.8))
    d.rectangle(P(120, 95, 360, 118), fill=accent)
    d.rounded_rectangle(P(148, 138, 332, 308), radius=12 * K, fill=shade(body, 1.75) if luminance(body) < 200 else "#FFFFFF")
    return (148, 138, 332, 308)


def shape_bottle(d, body, accent):
    d.rounded_rectangle(P(212, 40, 268, 62), radius=5 * K, fill=accent)
    d.rectangle(P(220, 60, 260, 110), fill=shade(body, 0.92))
    d.polygon([(220 * K, 108 * K), (260 * K, 108 * K), (310 * K, 150 * K), (170 * K, 150 * K)], fill=shade(body, 0.92))
    d.rounded_rectangle(P(170, 140, 310, 338), radius=22 * K, fill=body)
    d.rectangle(P(180, 150, 192, 320), fill=shade(body, 1.35))
    d.rounded_rectangle(P(182, 190, 298, 305), radius=8 * K, fill="#FFFDF6", outline=accent, width=3 * K)
    return (182, 190, 298, 305)


def shape_jar(d, body, accent):
    d.rounded_rectangle(P(150, 92, 330, 130), radius=10 * K, fill=accent)
    d.rounded_rectangle(P(140, 122, 340, 336), radius=34 * K, fill=body)
    d.rectangle(P(155, 140, 167, 318), fill=shade(body, 1.3))
    d.rounded_rectangle(P(168, 175, 312, 305), radius=10 * K, fill="#FFFBF2", outline=shade(accent, 0.8), width=3 * K)
    return (168, 175, 312, 305)


def shape_bag(d, body, accent):
    d.polygon([(135 * K, 95 * K), (345 * K, 95 * K), (358 * K, 336 * K), (122 * K, 336 * K)], fill=body)
    d.rectangle(P(135, 82, 345, 100), fill=shade(body, 0.8))
    d.line(P(140, 112, 340, 112), fill=shade(body, 0.7), width=2 * K)
    d.ellipse(P(235, 86, 245, 96), fill="#FFFFFF")
    d.rounded_rectangle(P(160, 140, 320, 300), radius=80 * K, fill=accent if luminance(accent) > 150 else "#FFFDF6")
    return (160, 140, 320, 300)


def shape_sack(d, body, accent):
    d.polygon([(150 * K, 120 * K), (330 * K, 120 * K), (352 * K, 336 * K), (128 * K, 336 * K)], fill=body,
              outline=shade(body, 0.75))
    d.polygon([(170 * K, 70 * K), (310 * K, 70 * K), (290 * K, 122 * K), (190 * K, 122 * K)], fill=shade(body, 0.9),
              outline=shade(body, 0.75))
    d.rectangle(P(180, 112, 300, 126), fill=accent)
    d.rectangle(P(128, 290, 352, 310), fill=accent)
    d.rounded_rectangle(P(170, 148, 310, 282), radius=12 * K, fill="#FFFFFF", outline=accent, width=3 * K)
    return (170, 148, 310, 282)


def shape_fabric(d, body, accent, motif):
    for i, off in enumerate((36, 18, 0)):
        x0, y0 = 95 + off, 95 + (36 - off) + 22
        c = shade(body, 0.8 + 0.1 * i) if luminance(body) > 60 else shade(body, 1.2 + 0.15 * i)
        d.rounded_rectangle(P(x0, y0, x0 + 250, y0 + 160), radius=10 * K, fill=c)
    x0, y0, x1, y1 = 95, 153, 345, 313
    d.rounded_rectangle(P(x0, y0, x1, y1), radius=10 * K, fill=body)
    if motif == "checks":
        for i in range(x0, x1, 25):
            d.rectangle(P(i, y0, i + 10, y1), fill=accent)
        for j in range(y0, y1, 25):
            d.rectangle(P(x0, j, x1, j + 10), fill=accent)
        for i in range(x0, x1, 25):
            for j in range(y0, y1, 25):
                d.rectangle(P(i, j, i + 10, j + 10), fill=body)
    elif motif == "diamonds":
        for j in range(y0 + 20, y1 - 10, 40):
            d.rectangle(P(x0, j - 3, x1, j + 3), fill="#1B1B1B")
            for i in range(x0 + 20, x1 - 10, 40):
                dia = [(i * K, (j - 14) * K), ((i + 14) * K, j * K), (i * K, (j + 14) * K), ((i - 14) * K, j * K)]
                d.polygon(dia, fill=accent, outline="#1B1B1B")
    else:  # silk sheen: soft curved highlights, kept inside the cloth
        from PIL import ImageChops
        sheen = Image.new("L", (W, W), 0)
        sd = ImageDraw.Draw(sheen)
        for k in range(4):
            sd.arc(P(x0 - 40 + 45 * k, y0 + 20 + 12 * k, x1 + 160 - 45 * k, y1 + 200), 185, 275,
                   fill=255, width=(5 - k) * K)
        cloth = Image.new("L", (W, W), 0)
        ImageDraw.Draw(cloth).rounded_rectangle(P(x0 + 4, y0 + 4, x1 - 4, y1 - 4), radius=8 * K, fill=255)
        d._image.paste(rgb(accent), mask=ImageChops.multiply(sheen, cloth))
    # fringe
    for i in range(x0 + 6, x1, 12):
        d.line(P(i, y1, i, y1 + 14), fill=shade(body, 0.7) if luminance(body) > 60 else accent, width=2 * K)
    return None


def shape_pot(d, body, accent):
    d.polygon([(150 * K, 280 * K), (330 * K, 280 * K), (305 * K, 336 * K), (175 * K, 336 * K)], fill=body)
    d.rectangle(P(140, 270, 340, 286), fill=shade(body, 0.8))
    trunk = "#5D4037"
    d.line(P(240, 272, 225, 230, 258, 190, 230, 150), fill=trunk, width=14 * K, joint="curve")
    d.line(P(240, 205, 290, 175), fill=trunk, width=8 * K)
    d.line(P(232, 170, 185, 150), fill=trunk, width=7 * K)
    for cx, cy, r in ((230, 115, 52), (300, 160, 40), (175, 140, 38), (265, 95, 34)):
        d.ellipse(P(cx - r, cy - r * 0.7, cx + r, cy + r * 0.7), fill="#2E7D32")
        d.ellipse(P(cx - r * 0.6, cy - r * 0.55, cx + r * 0.4, cy + r * 0.2), fill="#43A047")
    for i in range(26):
        x = 150 + (i * 53 % 180)
        y = 80 + (i * 37 % 110)
        d.ellipse(P(x - 3, y - 3, x + 3, y + 3), fill=accent)
    return None


def shape_ticket(d, body, accent):
    d.rounded_rectangle(P(85, 120, 395, 320), radius=16 * K, fill=body)
    for y in range(132, 310, 14):
        d.line(P(315, y, 315, y + 7), fill="#FFFFFF", width=2 * K)
    d.rectangle(P(327, 140, 383, 300), fill=shade(body, 0.8))
    d.polygon([(335 * K, 220 * K), (375 * K, 200 * K), (375 * K, 240 * K)], fill=accent)
    return (110, 135, 300, 305)


def shape_basket(d, body, accent, motif):
    if motif == "mushroom":
        for cx, cy, r in ((190, 150, 52), (285, 140, 58), (240, 115, 46)):
            d.pieslice(P(cx - r, cy - r * 0.7, cx + r, cy + r * 0.7), 180, 360, fill=accent)
            d.chord(P(cx - r, cy - r * 0.25, cx + r, cy + r * 0.25), 0, 180, fill=shade(accent, 1.4))
            for k in range(-3, 4):
                d.line(P(cx, cy, cx + k * r * 0.25, cy + r * 0.2), fill=shade(accent, 0.8), width=1 * K)
    else:
        for i, (ang, cx) in enumerate(((-60, 190), (-100, 240), (-125, 290), (-80, 215), (-110, 265))):
            d.polygon(leaf_shape(cx, 135 + (i % 2) * 20, 150, 52, ang), fill=accent if i % 2 else shade(accent, 1.3))
    d.polygon([(110 * K, 175 * K), (370 * K, 175 * K), (330 * K, 330 * K), (150 * K, 330 * K)], fill=body)
    for y in range(190, 330, 18):
        d.line(P(112 + (y - 175) * 0.25, y, 368 - (y - 175) * 0.25, y), fill=shade(body, 0.7), width=2 * K)
    for x in range(130, 360, 22):
        d.line(P(x, 178, 240 + (x - 240) * 0.7, 328), fill=shade(body, 0.75), width=2 * K)
    d.rounded_rectangle(P(100, 165, 380, 185), radius=9 * K, fill=shade(body, 0.85))
    return None


def shape_tray(d, body, accent, motif):
    d.rounded_rectangle(P(85, 235, 395, 320), radius=18 * K, fill=body)
    d.rounded_rectangle(P(100, 228, 380, 258), radius=12 * K, fill=accent)
    if motif == "sunfish":
        d.ellipse(P(300, 60, 370, 130), fill="#FFB300")
        for a in range(0, 360, 30):
            r = math.radians(a)
            d.line(P(335 + 42 * math.cos(r), 95 + 42 * math.sin(r), 335 + 55 * math.cos(r), 95 + 55 * math.sin(r)),
                   fill="#FFB300", width=4 * K)
        fish(d, 225, 200, 240, "#B07A4A")
    else:
        fish(d, 220, 175, 230, "#546E7A")
        fish(d, 260, 215, 210, "#607D8B", flip=True)
    return None


def shape_tube(d, body, accent):
    for x0 in (150, 260):
        d.rounded_rectangle(P(x0, 70, x0 + 70, 335), radius=10 * K, fill=body, outline=shade(body, 0.7), width=2 * K)
        for y in (140, 220, 295):
            d.rectangle(P(x0, y, x0 + 70, y + 6), fill=shade(body, 0.7))
        d.ellipse(P(x0 + 4, 64, x0 + 66, 82), fill="#FFF8E1", outline=shade(body, 0.7), width=2 * K)
    palm(d, 240, 170, 150, "#3E7B35", "#6B4226")
    return None


def shape_log(d, body, accent):
    d.rounded_rectangle(P(70, 150, 410, 300), radius=70 * K, fill=body)
    d.ellipse(P(330, 150, 410, 300), fill=shade(body, 1.25))
    d.ellipse(P(342, 168, 398, 282), fill="#FFFFFF")
    d.ellipse(P(352, 182, 388, 268), fill=accent)
    d.ellipse(P(362, 205, 378, 245), fill="#E6C34A")
    for x in (130, 190, 250, 305):
        d.rectangle(P(x, 146, x + 8, 304), fill="#D7C48A")
    for i in range(6):
        d.line(P(90, 175 + i * 20, 320, 172 + i * 20), fill=shade(body, 0.8), width=2 * K)
    return None


def draw_text(d, title, subtitle):
    y_top = 356
    max_w = (SIZE - 40) * K
    size = 34
    while True:
        font = ImageFont.truetype(BOLD, size * K)
        if d.textlength(title, font=font) <= max_w or size <= 22:
            break
        size -= 1
    lines = [title]
    if d.textlength(title, font=font) > max_w:
        words = title.split()
        best = None
        for i in range(1, len(words)):
            a, b = " ".join(words[:i]), " ".join(words[i:])
            wmax = max(d.textlength(a, font=font), d.textlength(b, font=font))
            if best is None or wmax < best[0]:
                best = (wmax, [a, b])
        lines = best[1]
    y = y_top * K
    for line in lines:
        w = d.textlength(line, font=font)
        d.text(((W - w) / 2, y), line, font=font, fill=INK)
        y += int(size * 1.25 * K)
    sub = ImageFont.truetype(REGULAR, 20 * K)
    w = d.textlength(subtitle, font=sub)
    d.text(((W - w) / 2, y + 6 * K), subtitle, font=sub, fill=shade(INK, 1.5))


def draw(spec):
    title, subtitle, shape, bg, body, accent, motif = spec
    img = Image.new("RGB", (W, W), bg)
    d = ImageDraw.Draw(img)
    d.ellipse(P(70, 40, 410, 360), fill=shade(bg, 1.5))
    d.ellipse(P(110, 326, 370, 350), fill=shade(bg, 0.88))
    fn = {
        "box": shape_box, "bottle": shape_bottle, "jar": shape_jar, "bag": shape_bag,
        "sack": shape_sack, "pot": shape_pot, "ticket": shape_ticket, "tube": shape_tube,
        "log": shape_log,
    }.get(shape)
    if fn:
        label = fn(d, body, accent)
    else:
        label = {"fabric": shape_fabric, "basket": shape_basket, "tray": shape_tray}[shape](d, body, accent, motif)
    if label and motif != "none":
        x0, y0, x1, y1 = label
        s = min(x1 - x0, y1 - y0) * 0.8
        draw_motif(d, motif, (x0 + x1) / 2, (y0 + y1) / 2, s, body, accent)
    draw_text(d, title, subtitle)
    return img.resize((SIZE, SIZE), Image.LANCZOS)


def main():
    with open(DATA / "products.csv", newline="", encoding="utf-8") as f:
        products = list(csv.DictReader(f))
    out_dir = DATA / "photos"
    out_dir.mkdir(exist_ok=True)
    for p in products:
        spec = SPECS[p["gtin"]]
        assert all(unicodedata.normalize("NFC", t) == t for t in spec[:2])
        path = DATA / p["photo"]
        assert path == out_dir / f"{p['gtin']}.jpg"
        draw(spec).save(path, "JPEG", quality=80, optimize=True, progressive=False)
        size = path.stat().st_size
        assert size < 40 * 1024, (path, size)
    print(f"{len(products)} pictures in {out_dir}")


if __name__ == "__main__":
    main()
