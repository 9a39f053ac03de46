"""Flat garment illustrations for the demo catalogue, drawn locally with Pillow.

One file per (garment, colour): a few hundred images that products share. The
drawing is deterministic, so the same files come out on every machine.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 480, 600

COLOURS: dict[str, tuple[int, int, int]] = {
    "black": (34, 34, 36),
    "white": (246, 245, 240),
    "navy": (32, 46, 84),
    "beige": (222, 203, 170),
    "khaki": (170, 156, 110),
    "olive": (101, 110, 62),
    "grey": (150, 152, 156),
    "charcoal": (70, 72, 78),
    "cream": (240, 230, 205),
    "brown": (110, 74, 48),
    "camel": (190, 140, 85),
    "burgundy": (112, 30, 48),
    "red": (200, 40, 45),
    "pink": (240, 168, 186),
    "lavender": (183, 165, 220),
    "sky": (150, 196, 232),
    "denim": (72, 104, 150),
    "mint": (168, 222, 200),
    "mustard": (214, 168, 48),
    "orange": (236, 120, 48),
    "forest": (38, 84, 62),
    "ivory": (250, 246, 232),
    "stone": (196, 190, 178),
    "rust": (170, 80, 45),
}

BACKGROUNDS = [
    (244, 240, 234),
    (236, 240, 244),
    (242, 236, 240),
    (236, 242, 236),
    (245, 242, 230),
    (238, 238, 238),
]


def _shade(colour, factor: float):
    return tuple(max(0, min(255, int(channel * factor))) for channel in colour)


def _outline(colour):
    # Dark garments get a lighter outline so their shape still reads.
    return _shade(colour, 1.6) if sum(colour) < 200 else _shade(colour, 0.62)


def _body(draw, colour, *, sleeve: str, length: int = 480, hem: int = 150):
    """Torso with short or long sleeves; returns the outline colour."""
    line = _outline(colour)
    left, right = 240 - hem + 60, 240 + hem - 60
    shoulder_l, shoulder_r = 150, 330
    if sleeve == "short":
        points = [
            (shoulder_l, 150),
            (205, 128),
            (275, 128),
            (shoulder_r, 150),
            (402, 212),
            (368, 262),
            (right, 236),
            (right, length),
            (left, length),
            (150, 236),
            (112, 262),
            (78, 212),
        ]
    else:
        points = [
            (shoulder_l, 150),
            (205, 128),
            (275, 128),
            (shoulder_r, 150),
            (398, 396),
            (360, 408),
            (right, 250),
            (right, length),
            (left, length),
            (150, 250),
            (120, 408),
            (82, 396),
        ]
    draw.polygon(points, fill=colour, outline=line, width=4)
    return line


def _tshirt(draw, colour):
    line = _body(draw, colour, sleeve="short")
    draw.chord((202, 104, 278, 160), 0, 180, fill=_shade(colour, 0.8), outline=line, width=4)


def _longsleeve(draw, colour):
    line = _body(draw, colour, sleeve="long")
    draw.chord((202, 104, 278, 160), 0, 180, fill=_shade(colour, 0.8), outline=line, width=4)


def _shirt(draw, colour):
    line = _body(draw, colour, sleeve="long")
    draw.polygon(
        [(205, 128), (240, 178), (222, 196), (196, 146)], fill=colour, outline=line, width=4
    )
    draw.polygon(
        [(275, 128), (240, 178), (258, 196), (284, 146)], fill=colour, outline=line, width=4
    )
    draw.line([(240, 178), (240, 478)], fill=line, width=3)
    for y in range(210, 470, 48):
        draw.ellipse((246, y, 256, y + 10), fill=line)
    draw.rectangle((268, 220, 310, 262), outline=line, width=3)


def _hoodie(draw, colour):
    line = _outline(colour)
    draw.ellipse((178, 70, 302, 190), fill=_shade(colour, 0.9), outline=line, width=4)
    _body(draw, colour, sleeve="long")
    draw.ellipse((200, 100, 280, 170), fill=_shade(colour, 0.7), outline=line, width=4)
    draw.line([(226, 168), (222, 250)], fill=line, width=3)
    draw.line([(254, 168), (258, 250)], fill=line, width=3)
    draw.rounded_rectangle((180, 360, 300, 440), radius=18, outline=line, width=4)
    for x in range(154, 330, 12):
        draw.line([(x, 462), (x, 478)], fill=line, width=2)


def _knit(draw, colour):
    line = _body(draw, colour, sleeve="long")
    draw.chord((202, 104, 278, 160), 0, 180, fill=_shade(colour, 0.8), outline=line, width=4)
    for x in range(156, 328, 10):
        draw.line([(x, 448), (x, 478)], fill=_shade(colour, 0.78), width=3)
    for y in range(190, 440, 26):
        for x in range(172, 312, 26):
            draw.arc((x, y, x + 14, y + 14), 200, 340, fill=_shade(colour, 0.82), width=2)


def _jacket(draw, colour):
    line = _body(draw, colour, sleeve="long", length=470)
    draw.line([(240, 170), (240, 470)], fill=line, width=4)
    draw.polygon(
        [(205, 128), (240, 230), (214, 250), (188, 150)],
        fill=_shade(colour, 0.85),
        outline=line,
        width=4,
    )
    draw.polygon(
        [(275, 128), (240, 230), (266, 250), (292, 150)],
        fill=_shade(colour, 0.85),
        outline=line,
        width=4,
    )
    draw.line([(172, 360), (214, 360)], fill=line, width=4)
    draw.line([(266, 360), (308, 360)], fill=line, width=4)


def _coat(draw, colour):
    line = _body(draw, colour, sleeve="long", length=556, hem=160)
    draw.line([(240, 200), (240, 556)], fill=line, width=4)
    draw.polygon(
        [(205, 128), (240, 240), (210, 262), (180, 150)],
        fill=_shade(colour, 0.85),
        outline=line,
        width=4,
    )
    draw.polygon(
        [(275, 128), (240, 240), (270, 262), (300, 150)],
        fill=_shade(colour, 0.85),
        outline=line,
        width=4,
    )
    draw.rectangle((156, 330, 324, 352), fill=_shade(colour, 0.8), outline=line, width=3)
    draw.rectangle((226, 326, 254, 356), outline=line, width=4)


def _pants(draw, colour, *, length: int = 540, jeans: bool = False):
    line = _outline(colour)
    draw.polygon(
        [
            (166, 110),
            (314, 110),
            (330, length),
            (252, length),
            (240, 232),
            (228, length),
            (150, length),
        ],
        fill=colour,
        outline=line,
        width=4,
    )
    draw.rectangle((166, 110, 314, 140), fill=_shade(colour, 0.85), outline=line, width=4)
    for x in (186, 240, 294):
        draw.rectangle((x - 4, 110, x + 4, 140), outline=line, width=2)
    if jeans:
        stitch = (222, 168, 72)
        draw.arc((172, 132, 226, 186), 0, 90, fill=stitch, width=3)
        draw.arc((254, 132, 308, 186), 90, 180, fill=stitch, width=3)
        draw.line([(240, 140), (240, 228)], fill=stitch, width=3)
    else:
        draw.line([(196, 150), (190, length - 10)], fill=_shade(colour, 0.8), width=2)
        draw.line([(284, 150), (290, length - 10)], fill=_shade(colour, 0.8), width=2)


def _jeans(draw, colour):
    _pants(draw, colour, jeans=True)


def _shorts(draw, colour):
    _pants(draw, colour, length=330)


def _skirt(draw, colour):
    line = _outline(colour)
    draw.polygon(
        [(178, 140), (302, 140), (356, 450), (124, 450)], fill=colour, outline=line, width=4
    )
    draw.rectangle((178, 116, 302, 144), fill=_shade(colour, 0.85), outline=line, width=4)
    for top_x, bottom_x in ((208, 180), (240, 240), (272, 300)):
        draw.line([(top_x, 146), (bottom_x, 448)], fill=_shade(colour, 0.78), width=3)


def _sneaker(draw, colour):
    line = _outline(colour)
    draw.polygon(
        [(86, 390), (100, 300), (176, 268), (250, 300), (330, 318), (392, 350), (404, 392)],
        fill=colour,
        outline=line,
        width=4,
    )
    draw.rounded_rectangle(
        (76, 386, 412, 426), radius=16, fill=(248, 248, 244), outline=(120, 120, 120), width=4
    )
    for index in range(4):
        x = 196 + index * 22
        draw.line([(x, 292 + index * 4), (x + 16, 318 + index * 4)], fill=line, width=4)
    draw.arc(
        (150, 300, 360, 420),
        200,
        320,
        fill=_shade(colour, 0.6) if sum(colour) > 200 else (240, 240, 240),
        width=8,
    )


def _boots(draw, colour):
    line = _outline(colour)
    draw.polygon(
        [(166, 140), (264, 140), (272, 360), (356, 376), (372, 426), (156, 426)],
        fill=colour,
        outline=line,
        width=4,
    )
    draw.rectangle((150, 424, 378, 450), fill=_shade(colour, 0.55), outline=line, width=3)
    draw.rectangle((166, 140, 264, 166), fill=_shade(colour, 0.8), outline=line, width=3)
    for y in range(190, 350, 30):
        draw.line([(248, y), (262, y + 10)], fill=line, width=3)


def _tote(draw, colour):
    line = _outline(colour)
    draw.arc((170, 130, 310, 300), 180, 360, fill=line, width=10)
    draw.polygon(
        [(120, 230), (360, 230), (378, 506), (102, 506)], fill=colour, outline=line, width=4
    )
    draw.line([(120, 262), (360, 262)], fill=_shade(colour, 0.8), width=3)


def _crossbody(draw, colour):
    line = _outline(colour)
    draw.line([(160, 330), (330, 90)], fill=_shade(colour, 0.7), width=8)
    draw.line([(320, 330), (150, 90)], fill=_shade(colour, 0.7), width=8)
    draw.rounded_rectangle((130, 300, 350, 470), radius=26, fill=colour, outline=line, width=4)
    draw.chord((130, 250, 350, 400), 0, 180, fill=_shade(colour, 0.88), outline=line, width=4)
    draw.rectangle((228, 372, 252, 392), fill=(212, 180, 90))


def _cap(draw, colour):
    line = _outline(colour)
    draw.pieslice((130, 190, 350, 420), 180, 360, fill=colour, outline=line, width=4)
    draw.polygon(
        [(300, 300), (420, 318), (414, 338), (300, 330)],
        fill=_shade(colour, 0.82),
        outline=line,
        width=4,
    )
    draw.ellipse((230, 184, 250, 204), fill=_shade(colour, 0.7))
    draw.line([(240, 196), (240, 300)], fill=_shade(colour, 0.8), width=3)


def _beanie(draw, colour):
    line = _outline(colour)
    draw.pieslice((140, 160, 340, 440), 180, 360, fill=colour, outline=line, width=4)
    draw.rounded_rectangle(
        (134, 290, 346, 360), radius=10, fill=_shade(colour, 0.85), outline=line, width=4
    )
    for x in range(148, 340, 12):
        draw.line([(x, 296), (x, 354)], fill=_shade(colour, 0.72), width=3)
    draw.ellipse((214, 124, 266, 176), fill=_shade(colour, 1.1), outline=line, width=3)


GARMENTS = {
    "tshirt": _tshirt,
    "longsleeve": _longsleeve,
    "shirt": _shirt,
    "hoodie": _hoodie,
    "knit": _knit,
    "jacket": _jacket,
    "coat": _coat,
    "pants": _pants,
    "jeans": _jeans,
    "shorts": _shorts,
    "skirt": _skirt,
    "sneaker": _sneaker,
    "boots": _boots,
    "tote": _tote,
    "crossbody": _crossbody,
    "cap": _cap,
    "beanie": _beanie,
}


def draw_garment(kind: str, colour_name: str) -> Image.Image:
    colour = COLOURS[colour_name]
    background = BACKGROUNDS[(list(COLOURS).index(colour_name) + len(kind)) % len(BACKGROUNDS)]
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((110, 536, 370, 572), fill=_shade(background, 0.92))  # soft floor shadow
    GARMENTS[kind](draw, colour)
    return image


def relative_path(kind: str, colour_name: str) -> str:
    return f"demo/garments/{kind}-{colour_name}.jpg"


def ensure_garment_images(media_root: Path) -> int:
    """Write every (garment, colour) image that is missing; return how many were drawn."""
    drawn = 0
    for kind in GARMENTS:
        for colour_name in COLOURS:
            path = media_root / relative_path(kind, colour_name)
            if path.exists():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            draw_garment(kind, colour_name).save(path, "JPEG", quality=84, optimize=True)
            drawn += 1
    return drawn
