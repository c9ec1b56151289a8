"""Product pictures drawn as SVG: a simple silhouette per kind of gadget, in the variant's colour.

The demo catalog uses these instead of photographs, so a fresh shop has pictures without
downloading anything. Every function here is pure: the same arguments give the same bytes.
"""

from collections.abc import Callable
from typing import Literal
from xml.sax.saxutils import escape

DeviceKind = Literal[
    "phone",
    "foldable",
    "tablet",
    "watch",
    "band",
    "earbuds",
    "headphones",
    "speaker",
    "charger",
    "car_charger",
    "power_bank",
    "cable",
    "wireless_charger",
]

SIZE = 800
FONT = "Inter, 'Helvetica Neue', Arial, sans-serif"
INK = "#1d1f23"
GLASS = "#14161a"


def shade(hex_colour: str, factor: float) -> str:
    """Return `hex_colour` lightened (factor > 1) or darkened (factor < 1), clamped to the RGB range."""
    rgb = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    if factor >= 1:
        rgb = [round(c + (255 - c) * (factor - 1)) for c in rgb]
    else:
        rgb = [round(c * factor) for c in rgb]
    return "#" + "".join(f"{max(0, min(255, c)):02x}" for c in rgb)


def contrast_ink(hex_colour: str) -> str:
    """Return a text colour that reads on `hex_colour`: dark on light bodies, light on dark ones."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return INK if luminance > 150 else "#f4f5f7"


def _text(x: float, y: float, content: str, *, size: int, fill: str, weight: int = 600, spacing: float = 0) -> str:
    return (
        f'<text x="{x}" y="{y}" font-family="{FONT}" font-size="{size}" font-weight="{weight}" fill="{fill}" '
        f'text-anchor="middle" letter-spacing="{spacing}">{escape(content)}</text>'
    )


def _body(x: int, y: int, width: int, height: int, *, rx: int, colour: str, edge: float = 0.7) -> str:
    """Return the main shell of a gadget: a rounded rectangle in the colour gradient with a darker edge."""
    return (
        f'<rect x="{x}" y="{y}" width="{width}" height="{height}" rx="{rx}" fill="url(#body)" '
        f'stroke="{shade(colour, edge)}" stroke-width="3"/>'
    )


def _lens(cx: float, cy: float, r: float) -> str:
    return (
        f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="#2a2d33" stroke="#0c0d0f" stroke-width="4"/>'
        f'<circle cx="{cx}" cy="{cy}" r="{r * 0.55}" fill="#0b1a2b"/>'
        f'<circle cx="{cx - r * 0.25}" cy="{cy - r * 0.25}" r="{r * 0.14}" fill="#ffffff" opacity="0.55"/>'
    )


def _phone(colour: str, brand: str, badge: str) -> list[str]:
    body = [
        _body(270, 90, 260, 540, rx=40, colour=colour, edge=0.7),
        f'<rect x="530" y="230" width="6" height="70" rx="3" fill="{shade(colour, 0.6)}"/>',
        _text(400, 585, brand, size=26, fill=contrast_ink(colour), spacing=2),
    ]
    if badge == "round":  # flagships with a large circular camera island
        body.append(
            f'<circle cx="400" cy="230" r="92" fill="{shade(colour, 0.8)}" stroke="{shade(colour, 0.6)}" stroke-width="3"/>'
        )
        body += [_lens(365, 195, 28), _lens(435, 195, 28), _lens(365, 265, 28), _lens(435, 265, 24)]
    else:
        body.append(
            f'<rect x="295" y="118" width="120" height="170" rx="26" fill="{shade(colour, 0.82)}" '
            f'stroke="{shade(colour, 0.6)}" stroke-width="3"/>'
        )
        body += [
            _lens(335, 160, 24),
            _lens(335, 235, 24),
            _lens(385, 160, 14),
            '<circle cx="385" cy="205" r="7" fill="#fff6d8"/>',
        ]
    return body


def _foldable(colour: str, brand: str, badge: str) -> list[str]:
    return [
        *_phone(colour, brand, badge),
        f'<line x1="272" y1="360" x2="528" y2="360" stroke="{shade(colour, 0.65)}" stroke-width="3"/>',
    ]


def _tablet(colour: str, brand: str, badge: str) -> list[str]:
    return [
        _body(110, 190, 580, 400, rx=30, colour=colour, edge=0.7),
        f'<rect x="135" y="215" width="90" height="90" rx="22" fill="{shade(colour, 0.82)}"/>',
        _lens(165, 245, 16),
        _lens(198, 278, 10),
        _text(400, 405, brand, size=34, fill=contrast_ink(colour), spacing=3),
    ]


def _watch(colour: str, brand: str, badge: str) -> list[str]:
    return [
        f'<rect x="330" y="60" width="140" height="220" rx="26" fill="{shade(colour, 0.9)}"/>',
        f'<rect x="330" y="520" width="140" height="230" rx="26" fill="{shade(colour, 0.9)}"/>',
        *(f'<circle cx="400" cy="{y}" r="7" fill="{shade(colour, 0.6)}"/>' for y in (590, 630, 670)),
        f'<rect x="548" y="370" width="26" height="60" rx="8" fill="{shade(colour, 0.65)}"/>',
        f'<circle cx="400" cy="400" r="160" fill="url(#body)" stroke="{shade(colour, 0.55)}" stroke-width="8"/>',
        f'<circle cx="400" cy="400" r="132" fill="{GLASS}"/>',
        _text(400, 395, "10:08", size=58, fill="#f4f5f7", weight=300),
        _text(400, 445, brand.upper(), size=18, fill="#9aa0a8", spacing=3),
    ]


def _band(colour: str, brand: str, badge: str) -> list[str]:
    return [
        '<rect x="345" y="50" width="110" height="700" rx="55" fill="url(#body)"/>',
        *(f'<circle cx="400" cy="{y}" r="6" fill="{shade(colour, 0.6)}"/>' for y in (620, 655, 690)),
        f'<rect x="325" y="235" width="150" height="330" rx="75" fill="{shade(colour, 0.55)}"/>',
        f'<rect x="340" y="250" width="120" height="300" rx="60" fill="{GLASS}"/>',
        _text(400, 390, "10:08", size=36, fill="#f4f5f7", weight=300),
        _text(400, 430, "8 432 steps", size=15, fill="#7bd88f", weight=500),
        _text(400, 470, brand.upper(), size=13, fill="#9aa0a8", spacing=2),
    ]


def _bud(cx: float, colour: str, flip: bool) -> str:
    stem_x = cx + (18 if flip else -42)
    return (
        f'<rect x="{stem_x}" y="225" width="24" height="120" rx="12" fill="{shade(colour, 0.95)}" '
        f'stroke="{shade(colour, 0.7)}" stroke-width="2"/>'
        f'<circle cx="{cx}" cy="215" r="46" fill="url(#body)" stroke="{shade(colour, 0.7)}" stroke-width="2"/>'
        f'<circle cx="{cx}" cy="215" r="18" fill="{shade(colour, 0.6)}"/>'
    )


def _earbuds(colour: str, brand: str, badge: str) -> list[str]:
    return [
        _bud(320, colour, flip=False),
        _bud(480, colour, flip=True),
        _body(230, 380, 340, 250, rx=115, colour=colour, edge=0.7),
        f'<line x1="236" y1="450" x2="564" y2="450" stroke="{shade(colour, 0.7)}" stroke-width="3"/>',
        '<circle cx="400" cy="480" r="6" fill="#6fe08a"/>',
        _text(400, 560, brand, size=26, fill=contrast_ink(colour), spacing=2),
    ]


def _headphones(colour: str, brand: str, badge: str) -> list[str]:
    return [
        f'<path d="M230 470 C230 170 570 170 570 470" fill="none" stroke="{shade(colour, 0.8)}" '
        'stroke-width="34" stroke-linecap="round"/>',
        f'<path d="M240 450 C240 205 560 205 560 450" fill="none" stroke="{shade(colour, 1.2)}" stroke-width="8"/>',
        _body(160, 400, 140, 230, rx=60, colour=colour, edge=0.6),
        _body(500, 400, 140, 230, rx=60, colour=colour, edge=0.6),
        f'<rect x="280" y="420" width="30" height="190" rx="15" fill="{shade(colour, 0.5)}"/>',
        f'<rect x="490" y="420" width="30" height="190" rx="15" fill="{shade(colour, 0.5)}"/>',
        _text(570, 525, brand, size=20, fill=contrast_ink(colour), spacing=1),
    ]


def _speaker(colour: str, brand: str, badge: str) -> list[str]:
    return [
        _body(150, 250, 500, 300, rx=70, colour=colour, edge=0.65),
        '<rect x="185" y="285" width="430" height="230" rx="50" fill="url(#grille)"/>',
        f'<rect x="320" y="530" width="160" height="10" rx="5" fill="{shade(colour, 0.6)}"/>',
        _text(400, 412, brand, size=30, fill=contrast_ink(shade(colour, 0.75)), spacing=3),
    ]


def _charger(colour: str, brand: str, badge: str) -> list[str]:
    ink = contrast_ink(colour)
    return [
        '<rect x="352" y="110" width="22" height="120" rx="11" fill="#c0c4c9"/>',
        '<rect x="426" y="110" width="22" height="120" rx="11" fill="#c0c4c9"/>',
        _body(250, 210, 300, 380, rx=46, colour=colour, edge=0.75),
        _text(400, 390, badge, size=64, fill=ink, weight=700),
        _text(400, 440, brand, size=24, fill=ink, spacing=2),
        '<rect x="345" y="520" width="110" height="26" rx="13" fill="#2a2d33"/>',
    ]


def _car_charger(colour: str, brand: str, badge: str) -> list[str]:
    ink = contrast_ink(colour)
    return [
        f'<rect x="320" y="160" width="160" height="90" rx="30" fill="{shade(colour, 0.85)}" '
        f'stroke="{shade(colour, 0.6)}" stroke-width="3"/>',
        _body(345, 240, 110, 380, rx=40, colour=colour, edge=0.7),
        '<rect x="385" y="620" width="30" height="50" rx="8" fill="#c0c4c9"/>',
        '<rect x="372" y="185" width="56" height="18" rx="9" fill="#2a2d33"/>',
        _text(400, 420, badge, size=34, fill=ink, weight=700),
        _text(400, 460, brand, size=16, fill=ink, spacing=1),
    ]


def _power_bank(colour: str, brand: str, badge: str) -> list[str]:
    ink = contrast_ink(colour)
    return [
        _body(230, 150, 340, 520, rx=44, colour=colour, edge=0.7),
        '<rect x="300" y="140" width="70" height="16" rx="8" fill="#2a2d33"/>',
        '<rect x="420" y="140" width="70" height="16" rx="8" fill="#2a2d33"/>',
        *(f'<circle cx="{x}" cy="600" r="8" fill="#6fe08a"/>' for x in (370, 393, 416)),
        '<circle cx="439" cy="600" r="8" fill="#3a3d42"/>',
        _text(400, 400, badge, size=44, fill=ink, weight=700),
        _text(400, 450, brand, size=24, fill=ink, spacing=2),
    ]


def _cable(colour: str, brand: str, badge: str) -> list[str]:
    return [
        f'<path d="M190 240 C420 110 640 260 520 400 C400 540 180 420 290 560" fill="none" stroke="{shade(colour, 0.7)}" '
        'stroke-width="26" stroke-linecap="round"/>',
        '<path d="M190 240 C420 110 640 260 520 400 C400 540 180 420 290 560" fill="none" stroke="url(#body)" '
        'stroke-width="20" stroke-linecap="round"/>',
        f'<rect x="120" y="200" width="90" height="70" rx="18" fill="{shade(colour, 0.85)}" transform="rotate(-25 165 235)"/>',
        '<rect x="80" y="215" width="50" height="30" rx="8" fill="#c0c4c9" transform="rotate(-25 165 235)"/>',
        f'<rect x="250" y="545" width="80" height="80" rx="18" fill="{shade(colour, 0.85)}"/>',
        '<rect x="265" y="620" width="50" height="45" rx="8" fill="#c0c4c9"/>',
        _text(520, 640, badge, size=40, fill=INK, weight=700),
        _text(520, 690, brand, size=22, fill="#5b6068", spacing=2),
    ]


def _wireless_charger(colour: str, brand: str, badge: str) -> list[str]:
    ink = contrast_ink(colour)
    if badge == "stand":
        return [
            f'<path d="M250 660 L300 160 L520 160 L550 660 Z" fill="url(#body)" stroke="{shade(colour, 0.7)}" stroke-width="3"/>',
            f'<rect x="210" y="640" width="380" height="50" rx="20" fill="{shade(colour, 0.8)}"/>',
            f'<circle cx="410" cy="360" r="70" fill="none" stroke="{shade(colour, 0.7)}" stroke-width="6"/>',
            _text(405, 560, brand, size=24, fill=ink, spacing=2),
        ]
    return [
        f'<ellipse cx="400" cy="450" rx="260" ry="120" fill="{shade(colour, 0.75)}"/>',
        f'<ellipse cx="400" cy="420" rx="260" ry="120" fill="url(#body)" stroke="{shade(colour, 0.7)}" stroke-width="3"/>',
        f'<ellipse cx="400" cy="420" rx="120" ry="52" fill="none" stroke="{shade(colour, 0.7)}" stroke-width="5"/>',
        '<circle cx="400" cy="510" r="6" fill="#6fe08a"/>',
        _text(400, 430, brand, size=24, fill=ink, spacing=2),
    ]


DRAWERS: dict[str, Callable[[str, str, str], list[str]]] = {
    "phone": _phone,
    "foldable": _foldable,
    "tablet": _tablet,
    "watch": _watch,
    "band": _band,
    "earbuds": _earbuds,
    "headphones": _headphones,
    "speaker": _speaker,
    "charger": _charger,
    "car_charger": _car_charger,
    "power_bank": _power_bank,
    "cable": _cable,
    "wireless_charger": _wireless_charger,
}


def product_svg(*, kind: DeviceKind, colour: str, brand: str, title: str, badge: str = "") -> str:
    """Return an SVG picture of a `kind` gadget in `colour` (#rrggbb) with the brand on it.

    `badge` is kind-specific: a wattage or capacity printed on chargers and power banks,
    "round" for a phone's circular camera island, "stand" for a wireless charging stand.
    """
    defs = (
        "<defs>"
        '<radialGradient id="backdrop" cx="50%" cy="40%" r="75%"><stop offset="0" stop-color="#ffffff"/>'
        '<stop offset="1" stop-color="#e6e8ec"/></radialGradient>'
        f'<linearGradient id="body" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="{shade(colour, 1.18)}"/>'
        f'<stop offset="0.55" stop-color="{colour}"/><stop offset="1" stop-color="{shade(colour, 0.82)}"/></linearGradient>'
        f'<pattern id="grille" width="16" height="16" patternUnits="userSpaceOnUse"><rect width="16" height="16" '
        f'fill="{shade(colour, 0.75)}"/><circle cx="8" cy="8" r="3" fill="{shade(colour, 0.5)}"/></pattern>'
        "</defs>"
    )
    shapes = "".join(DRAWERS[kind](colour, brand, badge))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" height="{SIZE}" role="img">'
        f"<title>{escape(title)}</title>{defs}"
        f'<rect width="{SIZE}" height="{SIZE}" fill="url(#backdrop)"/>'
        f'<ellipse cx="400" cy="735" rx="230" ry="22" fill="#000000" opacity="0.08"/>'
        f"{shapes}</svg>\n"
    )
