"""The demo catalog: about 200 believable gadgets with variants, prices, stock and drawn pictures.

`demo_catalog_plan()` builds the whole catalog as plain data from a fixed random seed, so every
call returns the same plan. `demo_catalog_seed()` writes that plan: rows are matched by slug,
SKU and image name, only differences are written, so a second run changes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar, get_type_hints

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from allbuy.catalog.images import DeviceKind, product_svg
from allbuy.catalog.models import Brand, Category, Product, ProductImage, Variant
from allbuy.catalog.services import catalog_revision_bump, product_reindex

SEED = 2015
IMAGE_DIR = "products/demo"
CURRENCY = "EUR"
MAX_IMAGES = 3

# ---------------------------------------------------------------------------------------------
# Brands, categories and colours
# ---------------------------------------------------------------------------------------------

BRANDS: tuple[tuple[str, str], ...] = (
    ("Xiaomi", "Flagship phones, tablets and wearables with Leica-tuned cameras and HyperCharge fast charging."),
    ("Redmi", "Xiaomi's value line: big batteries and bright displays at sensible prices."),
    ("POCO", "Performance-first phones from Xiaomi, built for gaming and fast charging."),
    ("Huawei", "Phones, tablets, watches and audio with long battery life and XMAGE cameras."),
    ("Anker", "Chargers, power banks and cables, plus Soundcore audio."),
    ("Baseus", "Everyday charging accessories: GaN chargers, power banks and braided cables."),
    ("Ugreen", "Nexode GaN chargers, cables and power banks for laptops and phones."),
)

# (name, slug, parent slug, position, description)
CATEGORIES: tuple[tuple[str, str, str | None, int, str], ...] = (
    ("Phones", "phones", None, 1, "Smartphones from Xiaomi, Redmi, POCO and Huawei, unlocked and dual-SIM."),
    ("Xiaomi phones", "xiaomi-phones", "phones", 1, "Xiaomi's numbered and T-series flagships, with Leica cameras."),
    ("Redmi phones", "redmi-phones", "phones", 2, "Redmi Note and Redmi phones: large batteries, great value."),
    ("POCO phones", "poco-phones", "phones", 3, "POCO F, X, M and C phones, tuned for speed."),
    ("Huawei phones", "huawei-phones", "phones", 4, "Huawei Pura, Mate and nova phones with EMUI and AppGallery."),
    ("Tablets", "tablets", None, 2, "Tablets for reading, streaming, drawing and work."),
    ("Xiaomi and Redmi tablets", "xiaomi-tablets", "tablets", 1, "Xiaomi Pad and Redmi Pad tablets with high refresh rates."),
    ("Huawei tablets", "huawei-tablets", "tablets", 2, "Huawei MatePad tablets with M-Pencil support."),
    ("Wearables", "wearables", None, 3, "Smartwatches and fitness bands that track sleep, heart rate and workouts."),
    ("Smartwatches", "smartwatches", "wearables", 1, "Round and square smartwatches with GPS and multi-day batteries."),
    ("Fitness bands", "fitness-bands", "wearables", 2, "Light bands for steps, sleep and notifications."),
    ("Audio", "audio", None, 4, "Earbuds, headphones and portable speakers."),
    ("Earbuds", "earbuds", "audio", 1, "True wireless earbuds, many with active noise cancellation."),
    ("Headphones", "headphones", "audio", 2, "Over-ear headphones for travel and long listening sessions."),
    ("Speakers", "speakers", "audio", 3, "Portable Bluetooth speakers, most of them waterproof."),
    ("Accessories", "accessories", None, 5, "Chargers, power banks and cables that keep everything running."),
    ("Chargers", "chargers", "accessories", 1, "Wall and car chargers, from compact 20 W plugs to 140 W GaN bricks."),
    ("Power banks", "power-banks", "accessories", 2, "Portable batteries from pocket 5000 mAh packs to laptop-class 25000 mAh."),
    ("Cables", "cables", "accessories", 3, "USB-C and USB-A cables rated for fast charging."),
    ("Wireless chargers", "wireless-chargers", "accessories", 4, "Qi pads and stands for phones and earbuds."),
)

# colour name -> (#rrggbb drawn in pictures, code used in SKUs)
PALETTE: dict[str, tuple[str, str]] = {
    "Black": ("#1e1f22", "BLK"),
    "White": ("#f3f3f1", "WHT"),
    "Gray": ("#7d8086", "GRA"),
    "Silver": ("#c6c9cd", "SLV"),
    "Blue": ("#2f5fa8", "BLU"),
    "Green": ("#4e8a5a", "GRN"),
    "Yellow": ("#f2c230", "YLW"),
    "Pink": ("#f0b5c4", "PNK"),
    "Purple": ("#7c5fb0", "PRP"),
    "Brown": ("#7a5236", "BRN"),
    "Ivory": ("#efe8d8", "IVY"),
    "Titan Blue": ("#3b587a", "TBL"),
    "Titan Gray": ("#8b8e93", "TGR"),
    "Jade Green": ("#5f8f7a", "JGN"),
    "Lime Green": ("#a6c954", "LGN"),
    "Alpine Blue": ("#7ea4c9", "ABL"),
    "Midnight Black": ("#1c1d21", "MBK"),
    "Aurora Purple": ("#8e7cc3", "APU"),
    "Ocean Teal": ("#2e7d85", "OTE"),
    "Forest Green": ("#3d6b4a", "FGN"),
    "Glacier White": ("#eceff3", "GWH"),
    "Ice Blue": ("#a9cbe6", "IBL"),
    "Lavender Purple": ("#b5a3d6", "LPU"),
    "Mint Green": ("#a7d8bf", "MGN"),
    "Sky Blue": ("#86b8e3", "SBL"),
    "Emerald Green": ("#1f6b53", "EGN"),
    "Rose Red": ("#b8465a", "RRD"),
    "Nebula Gray": ("#6e7178", "NGR"),
    "Sand Gold": ("#d6c197", "SGD"),
    "Graphite Gray": ("#4d5056", "GGR"),
    "Matte Gray": ("#5f6166", "MGR"),
    "Frost Silver": ("#d4d7db", "FSL"),
    "Champagne Gold": ("#d9c08f", "CGD"),
    "Misty Blue": ("#8fa9c4", "MBL"),
    "Dark Gray": ("#3e4045", "DGR"),
}

PHONE_COLOURS: dict[str, tuple[str, ...]] = {
    "Xiaomi": ("Black", "White", "Titan Blue", "Titan Gray", "Jade Green", "Lime Green", "Alpine Blue"),
    "Redmi": ("Midnight Black", "Aurora Purple", "Ocean Teal", "Forest Green", "Glacier White", "Ice Blue", "Mint Green"),
    "POCO": ("Black", "Yellow", "Gray", "Green", "Blue", "White", "Silver"),
    "Huawei": ("Black", "White", "Green", "Emerald Green", "Rose Red", "Nebula Gray", "Sand Gold"),
}
TABLET_COLOURS: dict[str, tuple[str, ...]] = {
    "Xiaomi": ("Graphite Gray", "Mint Green", "Sky Blue", "Lavender Purple"),
    "Redmi": ("Graphite Gray", "Mint Green", "Lavender Purple", "Ocean Teal"),
    "Huawei": ("Matte Gray", "Frost Silver", "Green", "White"),
}
WATCH_COLOURS = ("Black", "Silver", "Blue", "Brown", "Green", "Ivory")
BAND_COLOURS = ("Black", "Pink", "Mint Green", "Champagne Gold", "Blue", "Ivory")
AUDIO_COLOURS = ("White", "Black", "Blue", "Green", "Purple", "Pink")
SPEAKER_COLOURS = ("Black", "Blue", "Green", "Gray")

FEATURED = frozenset(
    {
        "Xiaomi 14T Pro",
        "Xiaomi 15 Ultra",
        "Redmi Note 13 Pro+ 5G",
        "POCO X6 Pro",
        "POCO F6",
        "Huawei Pura 70",
        "Xiaomi Pad 6",
        "Huawei Watch GT 4",
        "Xiaomi Smart Band 8",
        "Redmi Buds 5 Pro",
        "Huawei FreeBuds Pro 3",
        "Ugreen Nexode 65W Charger",
    }
)

# ---------------------------------------------------------------------------------------------
# Product tables
# ---------------------------------------------------------------------------------------------


# Each table is text, one product a line, cells separated by "|" and read as the row type's field
# types ("-" is an empty cell, yes/no a flag); the first line names the columns and is checked.

RowT = TypeVar("RowT", bound=tuple[Any, ...])


def _cell(kind: type, text: str) -> Any:
    if kind is bool:
        return {"yes": True, "no": False}[text]
    if kind is str:
        return "" if text == "-" else text
    return kind(text)


def _table(row_type: type[RowT], text: str) -> tuple[RowT, ...]:
    header, *lines = text.strip().splitlines()
    fields = get_type_hints(row_type)
    if [c.strip() for c in header.split("|")] != list(fields):
        raise ValueError(f"The {row_type.__name__} table's header does not match its fields.")
    rows = []
    for line in lines:
        cells = [c.strip() for c in line.split("|")]
        rows.append(row_type(*(_cell(kind, cell) for kind, cell in zip(fields.values(), cells, strict=True))))
    return tuple(rows)


class PhoneRow(NamedTuple):
    name: str
    year: int
    inches: float
    panel: str
    hz: int
    chipset: str
    options: str  # "8/256 12/512": RAM/storage in GB, each a variant
    battery: int
    wired: float
    wireless: int
    camera: int
    grams: int
    ip: str
    price: int


PHONES = _table(
    PhoneRow,
    """
name | year | inches | panel | hz | chipset | options | battery | wired | wireless | camera | grams | ip | price
Xiaomi 15 Ultra | 2025 | 6.73 | LTPO AMOLED | 120 | Snapdragon 8 Elite | 16/512 16/1024 | 5410 | 90 | 80 | 50 | 226 | IP68 | 1499
Xiaomi 15 | 2025 | 6.36 | LTPO AMOLED | 120 | Snapdragon 8 Elite | 12/256 12/512 | 5240 | 90 | 50 | 50 | 191 | IP68 | 999
Xiaomi 15T Pro | 2025 | 6.83 | AMOLED | 144 | Dimensity 9400+ | 12/256 12/512 12/1024 | 5500 | 90 | 50 | 50 | 210 | IP68 | 799
Xiaomi 15T | 2025 | 6.83 | AMOLED | 120 | Dimensity 8400-Ultra | 12/256 12/512 | 5500 | 67 | 0 | 50 | 194 | IP68 | 649
Xiaomi 14 Ultra | 2024 | 6.73 | LTPO AMOLED | 120 | Snapdragon 8 Gen 3 | 16/512 | 5000 | 90 | 80 | 50 | 220 | IP68 | 1499
Xiaomi 14 | 2024 | 6.36 | LTPO AMOLED | 120 | Snapdragon 8 Gen 3 | 12/256 12/512 | 4610 | 90 | 50 | 50 | 193 | IP68 | 899
Xiaomi 14T Pro | 2024 | 6.67 | AMOLED | 144 | Dimensity 9300+ | 12/256 12/512 12/1024 | 5000 | 120 | 50 | 50 | 209 | IP68 | 799
Xiaomi 14T | 2024 | 6.67 | AMOLED | 144 | Dimensity 8300-Ultra | 12/256 12/512 | 5000 | 67 | 0 | 50 | 195 | IP68 | 649
Xiaomi 13T Pro | 2023 | 6.67 | AMOLED | 144 | Dimensity 9200+ | 12/256 12/512 16/1024 | 5000 | 120 | 0 | 50 | 200 | IP68 | 799
Xiaomi 13T | 2023 | 6.67 | AMOLED | 144 | Dimensity 8200-Ultra | 8/256 12/256 | 5000 | 67 | 0 | 50 | 197 | IP68 | 649
Xiaomi 13 Pro | 2023 | 6.73 | LTPO AMOLED | 120 | Snapdragon 8 Gen 2 | 12/256 | 4820 | 120 | 50 | 50 | 229 | IP68 | 1299
Xiaomi 13 | 2023 | 6.36 | AMOLED | 120 | Snapdragon 8 Gen 2 | 8/256 | 4500 | 67 | 50 | 50 | 185 | IP68 | 999
Xiaomi 13 Lite | 2023 | 6.55 | AMOLED | 120 | Snapdragon 7 Gen 1 | 8/128 8/256 | 4500 | 67 | 0 | 50 | 171 | - | 499
Xiaomi 12T Pro | 2022 | 6.67 | AMOLED | 120 | Snapdragon 8+ Gen 1 | 8/256 12/256 | 5000 | 120 | 0 | 200 | 205 | - | 749
Xiaomi 12T | 2022 | 6.67 | AMOLED | 120 | Dimensity 8100-Ultra | 8/128 8/256 | 5000 | 120 | 0 | 108 | 202 | - | 599
Xiaomi 12 Pro | 2022 | 6.73 | LTPO AMOLED | 120 | Snapdragon 8 Gen 1 | 12/256 | 4600 | 120 | 50 | 50 | 205 | - | 1099
Xiaomi 12 | 2022 | 6.28 | AMOLED | 120 | Snapdragon 8 Gen 1 | 8/128 8/256 | 4500 | 67 | 50 | 50 | 180 | - | 799
Xiaomi 12 Lite | 2022 | 6.55 | AMOLED | 120 | Snapdragon 778G | 8/128 8/256 | 4300 | 67 | 0 | 108 | 173 | - | 399
Xiaomi 11T Pro | 2021 | 6.67 | AMOLED | 120 | Snapdragon 888 | 8/256 12/256 | 5000 | 120 | 0 | 108 | 204 | - | 649
Xiaomi Mix Flip | 2024 | 6.86 | LTPO AMOLED | 120 | Snapdragon 8 Gen 3 | 12/512 | 4780 | 67 | 0 | 50 | 192 | - | 1299
Redmi Note 14 Pro+ 5G | 2025 | 6.67 | AMOLED | 120 | Snapdragon 7s Gen 3 | 8/256 12/512 | 5110 | 120 | 0 | 200 | 205 | IP68 | 449
Redmi Note 14 Pro 5G | 2025 | 6.67 | AMOLED | 120 | Dimensity 7300-Ultra | 8/256 12/512 | 5110 | 45 | 0 | 200 | 190 | IP68 | 369
Redmi Note 14 Pro | 2025 | 6.67 | AMOLED | 120 | Helio G100-Ultra | 8/256 | 5500 | 45 | 0 | 200 | 190 | IP64 | 299
Redmi Note 14 | 2025 | 6.67 | AMOLED | 120 | Helio G99-Ultra | 6/128 8/256 | 5500 | 33 | 0 | 108 | 196 | IP54 | 199
Redmi Note 13 Pro+ 5G | 2024 | 6.67 | AMOLED | 120 | Dimensity 7200-Ultra | 8/256 12/512 | 5000 | 120 | 0 | 200 | 205 | IP68 | 449
Redmi Note 13 Pro 5G | 2024 | 6.67 | AMOLED | 120 | Snapdragon 7s Gen 2 | 8/256 12/512 | 5100 | 67 | 0 | 200 | 187 | IP54 | 399
Redmi Note 13 Pro | 2024 | 6.67 | AMOLED | 120 | Helio G99-Ultra | 8/256 12/512 | 5000 | 67 | 0 | 200 | 188 | IP54 | 329
Redmi Note 13 5G | 2024 | 6.67 | AMOLED | 120 | Dimensity 6080 | 6/128 8/256 | 5000 | 33 | 0 | 108 | 175 | IP54 | 279
Redmi Note 13 | 2024 | 6.67 | AMOLED | 120 | Snapdragon 685 | 6/128 8/256 | 5000 | 33 | 0 | 108 | 188 | IP54 | 199
Redmi Note 12 Pro+ 5G | 2023 | 6.67 | AMOLED | 120 | Dimensity 1080 | 8/256 | 5000 | 120 | 0 | 200 | 208 | IP53 | 449
Redmi Note 12 Pro 5G | 2023 | 6.67 | AMOLED | 120 | Dimensity 1080 | 6/128 8/256 | 5000 | 67 | 0 | 50 | 187 | IP53 | 399
Redmi Note 12 5G | 2023 | 6.67 | AMOLED | 120 | Snapdragon 4 Gen 1 | 4/128 6/128 | 5000 | 33 | 0 | 48 | 188 | IP53 | 279
Redmi Note 12 | 2023 | 6.67 | AMOLED | 120 | Snapdragon 685 | 4/128 6/128 | 5000 | 33 | 0 | 50 | 183 | IP53 | 229
Redmi 14C | 2024 | 6.88 | LCD | 120 | Helio G81-Ultra | 4/128 8/256 | 5160 | 18 | 0 | 50 | 211 | - | 139
Redmi 13 | 2024 | 6.79 | LCD | 90 | Helio G91-Ultra | 6/128 8/256 | 5030 | 33 | 0 | 108 | 205 | IP53 | 179
Redmi 13C 5G | 2024 | 6.74 | LCD | 90 | Dimensity 6100+ | 4/128 6/128 | 5000 | 18 | 0 | 50 | 192 | - | 159
Redmi 13C | 2023 | 6.74 | LCD | 90 | Helio G85 | 4/128 8/256 | 5000 | 18 | 0 | 50 | 192 | - | 129
Redmi 12 5G | 2023 | 6.79 | LCD | 90 | Snapdragon 4 Gen 2 | 4/128 8/256 | 5000 | 18 | 0 | 50 | 199 | IP53 | 199
Redmi 12 | 2023 | 6.79 | LCD | 90 | Helio G88 | 4/128 8/256 | 5000 | 18 | 0 | 50 | 199 | IP53 | 169
Redmi 12C | 2023 | 6.71 | LCD | 60 | Helio G85 | 3/64 4/128 | 5000 | 10 | 0 | 50 | 192 | - | 119
Redmi A3 | 2024 | 6.71 | LCD | 90 | Helio G36 | 3/64 4/128 | 5000 | 10 | 0 | 8 | 193 | - | 99
POCO F7 Pro | 2025 | 6.67 | AMOLED | 120 | Snapdragon 8 Gen 3 | 12/256 12/512 | 6000 | 90 | 0 | 50 | 206 | IP68 | 599
POCO F6 Pro | 2024 | 6.67 | AMOLED | 120 | Snapdragon 8 Gen 2 | 12/256 12/512 16/1024 | 5000 | 120 | 0 | 50 | 209 | - | 579
POCO F6 | 2024 | 6.67 | AMOLED | 120 | Snapdragon 8s Gen 3 | 8/256 12/512 | 5000 | 90 | 0 | 50 | 179 | IP64 | 449
POCO F5 Pro | 2023 | 6.67 | AMOLED | 120 | Snapdragon 8+ Gen 1 | 12/256 12/512 | 5160 | 67 | 30 | 64 | 204 | - | 549
POCO F5 | 2023 | 6.67 | AMOLED | 120 | Snapdragon 7+ Gen 2 | 8/256 12/256 | 5000 | 67 | 0 | 64 | 181 | IP53 | 429
POCO X7 Pro | 2025 | 6.67 | AMOLED | 120 | Dimensity 8400-Ultra | 8/256 12/512 | 6000 | 90 | 0 | 50 | 195 | IP68 | 369
POCO X7 | 2025 | 6.67 | AMOLED | 120 | Dimensity 7300-Ultra | 8/256 12/512 | 5110 | 45 | 0 | 50 | 185 | IP68 | 299
POCO X6 Pro | 2024 | 6.67 | AMOLED | 120 | Dimensity 8300-Ultra | 8/256 12/512 | 5000 | 67 | 0 | 64 | 186 | IP54 | 349
POCO X6 | 2024 | 6.67 | AMOLED | 120 | Snapdragon 7s Gen 2 | 8/256 12/256 12/512 | 5100 | 67 | 0 | 64 | 181 | IP54 | 299
POCO X5 Pro 5G | 2023 | 6.67 | AMOLED | 120 | Snapdragon 778G | 6/128 8/256 | 5000 | 67 | 0 | 108 | 181 | IP53 | 299
POCO X5 5G | 2023 | 6.67 | AMOLED | 120 | Snapdragon 695 | 6/128 8/256 | 5000 | 33 | 0 | 48 | 189 | IP53 | 249
POCO M6 Pro | 2024 | 6.67 | AMOLED | 120 | Helio G99-Ultra | 8/256 12/512 | 5000 | 67 | 0 | 64 | 179 | IP54 | 229
POCO M6 | 2024 | 6.79 | LCD | 90 | Helio G91-Ultra | 6/128 8/256 | 5030 | 33 | 0 | 108 | 205 | IP53 | 149
POCO C65 | 2023 | 6.74 | LCD | 90 | Helio G85 | 6/128 8/256 | 5000 | 18 | 0 | 50 | 192 | - | 129
Huawei Pura 70 Ultra | 2024 | 6.8 | LTPO OLED | 120 | Kirin 9010 | 16/512 | 5200 | 100 | 80 | 50 | 226 | IP68 | 1499
Huawei Pura 70 Pro | 2024 | 6.8 | LTPO OLED | 120 | Kirin 9010 | 12/512 | 5050 | 100 | 80 | 50 | 220 | IP68 | 1199
Huawei Pura 70 | 2024 | 6.6 | LTPO OLED | 120 | Kirin 9010 | 12/256 | 4900 | 66 | 50 | 50 | 207 | IP68 | 999
Huawei Mate 60 Pro | 2023 | 6.82 | LTPO OLED | 120 | Kirin 9000S | 12/512 | 5000 | 88 | 50 | 50 | 225 | IP68 | 1099
Huawei Mate X5 | 2023 | 7.85 | Foldable OLED | 120 | Kirin 9000S | 12/512 | 5060 | 66 | 50 | 50 | 243 | IPX8 | 1999
Huawei Mate 50 Pro | 2022 | 6.74 | LTPO OLED | 120 | Snapdragon 8+ Gen 1 4G | 8/256 8/512 | 4700 | 66 | 50 | 50 | 205 | IP68 | 999
Huawei P60 Pro | 2023 | 6.67 | LTPO OLED | 120 | Snapdragon 8+ Gen 1 4G | 8/256 12/512 | 4815 | 88 | 50 | 48 | 200 | IP68 | 1199
Huawei nova 13 Pro | 2024 | 6.76 | OLED | 120 | Kirin 8000 | 12/512 | 5000 | 100 | 0 | 50 | 199 | - | 599
Huawei nova 13 | 2024 | 6.7 | OLED | 120 | Kirin 8000 | 12/256 | 5000 | 100 | 0 | 50 | 180 | - | 449
Huawei nova 12s | 2024 | 6.7 | OLED | 120 | Snapdragon 778G 4G | 8/256 | 4500 | 66 | 0 | 50 | 168 | - | 399
Huawei nova 12 SE | 2024 | 6.67 | OLED | 90 | Snapdragon 680 | 8/256 | 4500 | 66 | 0 | 108 | 183 | - | 299
Huawei nova 12i | 2024 | 6.7 | LCD | 90 | Snapdragon 680 | 8/128 | 5000 | 40 | 0 | 108 | 195 | - | 229
Huawei nova 11 Pro | 2023 | 6.78 | OLED | 120 | Snapdragon 778G 4G | 8/256 | 4500 | 100 | 0 | 50 | 191 | - | 549
Huawei nova 11i | 2023 | 6.8 | LCD | 90 | Snapdragon 680 | 8/128 | 5000 | 40 | 0 | 48 | 195 | - | 279
Huawei nova Y91 | 2023 | 6.95 | LCD | 90 | Snapdragon 680 | 8/128 8/256 | 7000 | 22.5 | 0 | 50 | 213 | - | 249
Huawei nova Y90 | 2022 | 6.7 | LCD | 90 | Snapdragon 680 | 6/128 | 5000 | 40 | 0 | 50 | 195 | - | 229
Huawei nova Y72 | 2024 | 6.75 | LCD | 90 | Snapdragon 680 | 8/128 | 6000 | 40 | 0 | 50 | 196 | - | 199
""",
)


class TabletRow(NamedTuple):
    name: str
    year: int
    inches: float
    panel: str
    hz: int
    chipset: str
    options: str
    battery: int
    wired: float
    grams: int
    price: int


TABLETS = _table(
    TabletRow,
    """
name | year | inches | panel | hz | chipset | options | battery | wired | grams | price
Xiaomi Pad 7 Pro | 2025 | 11.2 | LCD | 144 | Snapdragon 8s Gen 3 | 8/256 12/512 | 8850 | 67 | 500 | 499
Xiaomi Pad 7 | 2025 | 11.2 | LCD | 144 | Snapdragon 7+ Gen 3 | 8/128 8/256 | 8850 | 45 | 500 | 399
Xiaomi Pad 6S Pro 12.4 | 2024 | 12.4 | LCD | 144 | Snapdragon 8 Gen 2 | 8/256 12/512 | 10000 | 120 | 590 | 699
Xiaomi Pad 6 | 2023 | 11 | LCD | 144 | Snapdragon 870 | 6/128 8/256 | 8840 | 33 | 490 | 399
Redmi Pad Pro | 2024 | 12.1 | LCD | 120 | Snapdragon 7s Gen 2 | 6/128 8/256 | 10000 | 33 | 571 | 299
Redmi Pad 2 | 2025 | 11 | LCD | 90 | Helio G100-Ultra | 4/128 8/256 | 9000 | 18 | 510 | 199
Redmi Pad SE | 2023 | 11 | LCD | 90 | Snapdragon 680 | 4/128 8/256 | 8000 | 10 | 478 | 199
Redmi Pad SE 8.7 | 2024 | 8.7 | LCD | 90 | Helio G85 | 4/64 4/128 | 6650 | 18 | 373 | 129
Huawei MatePad Pro 13.2 | 2024 | 13.2 | OLED | 144 | Kirin 9000S | 12/256 12/512 | 10100 | 88 | 580 | 999
Huawei MatePad Air | 2023 | 11.5 | LCD | 144 | Snapdragon 888 4G | 8/256 | 8300 | 40 | 555 | 599
Huawei MatePad 11.5 S | 2024 | 11.5 | LCD | 144 | Kirin 9000WL | 8/256 | 8800 | 40 | 510 | 449
Huawei MatePad 11.5 | 2023 | 11.5 | LCD | 120 | Snapdragon 7 Gen 1 | 6/128 | 7700 | 22.5 | 499 | 349
Huawei MatePad SE 11 | 2024 | 11 | LCD | 90 | Snapdragon 680 | 4/128 8/128 | 7700 | 22.5 | 470 | 199
""",
)


class WearableRow(NamedTuple):
    name: str
    kind: str  # "watch" or "band"
    year: int
    inches: float
    panel: str
    sizes: str  # case sizes in mm, each a variant ("46 41"), or "" for one size
    battery: str
    positioning: str
    water: str
    grams: int
    price: int


WEARABLES = _table(
    WearableRow,
    """
name | kind | year | inches | panel | sizes | battery | positioning | water | grams | price
Xiaomi Watch S3 | watch | 2024 | 1.43 | AMOLED | 47 | 15 days | Dual-band GNSS | 5 ATM | 44 | 149
Xiaomi Watch 2 Pro | watch | 2023 | 1.43 | AMOLED | 46 | 65 hours | Dual-band GNSS | 5 ATM | 54 | 269
Xiaomi Watch 2 | watch | 2024 | 1.43 | AMOLED | 46 | 65 hours | Built-in GNSS | 5 ATM | 46 | 199
Xiaomi Watch S1 Active | watch | 2022 | 1.43 | AMOLED | 46 | 12 days | Dual-band GNSS | 5 ATM | 36 | 179
Redmi Watch 5 | watch | 2024 | 2.07 | AMOLED | - | 24 days | Built-in GNSS | 5 ATM | 33 | 99
Redmi Watch 5 Lite | watch | 2024 | 1.96 | AMOLED | - | 18 days | Built-in GNSS | 5 ATM | 29 | 59
Redmi Watch 5 Active | watch | 2024 | 2 | LCD | - | 18 days | Connected GPS | 5 ATM | 35 | 39
Redmi Watch 4 | watch | 2024 | 1.97 | AMOLED | - | 20 days | Built-in GNSS | 5 ATM | 31 | 99
Redmi Watch 3 Active | watch | 2023 | 1.83 | LCD | - | 12 days | Connected GPS | 5 ATM | 29 | 49
POCO Watch | watch | 2022 | 1.6 | AMOLED | - | 14 days | Built-in GPS | 5 ATM | 31 | 79
Huawei Watch GT 5 Pro | watch | 2024 | 1.43 | AMOLED | 46 42 | 14 days | Dual-band GNSS | 5 ATM | 53 | 349
Huawei Watch GT 5 | watch | 2024 | 1.43 | AMOLED | 46 41 | 14 days | Dual-band GNSS | 5 ATM | 48 | 249
Huawei Watch GT 4 | watch | 2023 | 1.43 | AMOLED | 46 41 | 14 days | Dual-band GNSS | 5 ATM | 48 | 229
Huawei Watch GT 3 SE | watch | 2022 | 1.43 | AMOLED | 46 | 14 days | Built-in GNSS | 5 ATM | 36 | 149
Huawei Watch 4 Pro | watch | 2023 | 1.5 | LTPO AMOLED | 48 | 4.5 days | Dual-band GNSS | 5 ATM | 65 | 549
Huawei Watch Ultimate | watch | 2023 | 1.5 | LTPO AMOLED | 48 | 14 days | Dual-band GNSS | 10 ATM | 76 | 749
Huawei Watch Fit 3 | watch | 2024 | 1.82 | AMOLED | - | 10 days | Built-in GNSS | 5 ATM | 26 | 159
Huawei Watch Fit 2 | watch | 2022 | 1.74 | AMOLED | - | 10 days | Built-in GPS | 5 ATM | 26 | 129
Huawei Watch D2 | watch | 2024 | 1.82 | AMOLED | - | 6 days | Built-in GNSS | IP68 | 40 | 399
Xiaomi Smart Band 9 Pro | band | 2024 | 1.74 | AMOLED | - | 21 days | Built-in GNSS | 5 ATM | 24 | 89
Xiaomi Smart Band 9 | band | 2024 | 1.62 | AMOLED | - | 21 days | Connected GPS | 5 ATM | 16 | 49
Xiaomi Smart Band 9 Active | band | 2024 | 1.47 | LCD | - | 18 days | Connected GPS | 5 ATM | 16 | 29
Xiaomi Smart Band 8 Pro | band | 2023 | 1.74 | AMOLED | - | 14 days | Built-in GNSS | 5 ATM | 22 | 69
Xiaomi Smart Band 8 | band | 2023 | 1.62 | AMOLED | - | 16 days | Connected GPS | 5 ATM | 27 | 39
Xiaomi Smart Band 8 Active | band | 2023 | 1.47 | LCD | - | 14 days | Connected GPS | 5 ATM | 14 | 24
Xiaomi Smart Band 7 Pro | band | 2022 | 1.64 | AMOLED | - | 12 days | Built-in GPS | 5 ATM | 21 | 79
Xiaomi Smart Band 7 | band | 2022 | 1.62 | AMOLED | - | 14 days | Connected GPS | 5 ATM | 14 | 39
Redmi Smart Band 2 | band | 2023 | 1.47 | LCD | - | 14 days | Connected GPS | 5 ATM | 15 | 29
Huawei Band 10 | band | 2025 | 1.47 | AMOLED | - | 14 days | Connected GPS | 5 ATM | 15 | 59
Huawei Band 9 | band | 2024 | 1.47 | AMOLED | - | 14 days | Connected GPS | 5 ATM | 14 | 59
Huawei Band 8 | band | 2023 | 1.47 | AMOLED | - | 14 days | Connected GPS | 5 ATM | 14 | 49
""",
)


class AudioRow(NamedTuple):
    name: str
    kind: str  # "earbuds" or "headphones"
    year: int
    anc_db: int  # 0: no active noise cancellation
    driver_mm: float
    playback: str
    bluetooth: str
    codecs: str
    ip: str
    grams: float
    price: int


AUDIO = _table(
    AudioRow,
    """
name | kind | year | anc_db | driver_mm | playback | bluetooth | codecs | ip | grams | price
Xiaomi Buds 5 | earbuds | 2024 | 46 | 11 | 6.5 h (39 h with case) | 5.4 | aptX Lossless, AAC, SBC | IP54 | 5.1 | 99
Xiaomi Buds 4 Pro | earbuds | 2022 | 48 | 11 | 9 h (38 h with case) | 5.3 | LDAC, AAC, SBC | IP54 | 5 | 179
Xiaomi Buds 3T Pro | earbuds | 2021 | 40 | 10 | 6 h (24 h with case) | 5.2 | LHDC, AAC, SBC | IP55 | 5 | 129
Redmi Buds 6 Pro | earbuds | 2024 | 55 | 11 | 9.5 h (36 h with case) | 5.3 | LDAC, AAC, SBC | IP54 | 5.4 | 79
Redmi Buds 6 Lite | earbuds | 2024 | 40 | 12.4 | 7 h (38 h with case) | 5.3 | AAC, SBC | IP54 | 4.3 | 24
Redmi Buds 6 Active | earbuds | 2024 | 0 | 14.2 | 6 h (30 h with case) | 5.4 | SBC | IPX4 | 3.9 | 19
Redmi Buds 5 Pro | earbuds | 2024 | 52 | 11 | 10 h (38 h with case) | 5.3 | LDAC, AAC, SBC | IP54 | 5.6 | 79
Redmi Buds 5 | earbuds | 2024 | 46 | 12.4 | 10 h (40 h with case) | 5.3 | AAC, SBC | IP54 | 4.9 | 39
Redmi Buds 4 Pro | earbuds | 2022 | 43 | 10 | 9 h (36 h with case) | 5.3 | AAC, SBC | IP54 | 5 | 69
Redmi Buds 4 Active | earbuds | 2023 | 0 | 12 | 5 h (28 h with case) | 5.3 | SBC | IPX4 | 3.6 | 19
Redmi Buds 4 Lite | earbuds | 2023 | 0 | 12 | 5 h (20 h with case) | 5.3 | SBC | IP54 | 3.9 | 17
Huawei FreeBuds Pro 4 | earbuds | 2025 | 50 | 11 | 6.5 h (33 h with case) | 5.2 | L2HC, LDAC, AAC, SBC | IP54 | 5.8 | 229
Huawei FreeBuds Pro 3 | earbuds | 2023 | 50 | 11 | 6.5 h (31 h with case) | 5.2 | L2HC, LDAC, AAC, SBC | IP54 | 5.8 | 199
Huawei FreeBuds 6i | earbuds | 2024 | 45 | 11 | 8 h (35 h with case) | 5.3 | LDAC, AAC, SBC | IP54 | 5 | 99
Huawei FreeBuds 5 | earbuds | 2023 | 40 | 11 | 5 h (30 h with case) | 5.2 | L2HC, LDAC, AAC, SBC | IP54 | 5.4 | 159
Huawei FreeBuds 5i | earbuds | 2023 | 42 | 10 | 7.5 h (28 h with case) | 5.2 | LDAC, AAC, SBC | IP54 | 4.9 | 99
Huawei FreeBuds SE 2 | earbuds | 2023 | 0 | 10 | 9 h (40 h with case) | 5.3 | AAC, SBC | IP54 | 3.8 | 49
Huawei FreeClip | earbuds | 2024 | 0 | 10.8 | 8 h (36 h with case) | 5.3 | L2HC, AAC, SBC | IP54 | 5.6 | 199
Anker Soundcore Liberty 4 NC | earbuds | 2023 | 50 | 11 | 10 h (50 h with case) | 5.3 | LDAC, AAC, SBC | IPX4 | 5 | 99
Anker Soundcore Space A40 | earbuds | 2022 | 50 | 10 | 10 h (50 h with case) | 5.2 | LDAC, AAC, SBC | IPX4 | 4.9 | 99
Anker Soundcore P40i | earbuds | 2024 | 50 | 11 | 12 h (60 h with case) | 5.3 | AAC, SBC | IPX5 | 5 | 59
Anker Soundcore Life P3 | earbuds | 2021 | 40 | 11 | 7 h (35 h with case) | 5.0 | AAC, SBC | IPX5 | 5.5 | 79
Baseus Bowie MA10 | earbuds | 2024 | 48 | 12 | 10 h (140 h with case) | 5.3 | AAC, SBC | IPX6 | 4.8 | 39
Ugreen HiTune T6 | earbuds | 2022 | 35 | 10 | 6 h (25 h with case) | 5.1 | AAC, SBC | IPX5 | 4.5 | 49
Huawei FreeBuds Studio | headphones | 2020 | 40 | 40 | 24 h (ANC on) | 5.2 | L2HC, AAC, SBC | - | 260 | 299
Anker Soundcore Space One | headphones | 2023 | 50 | 40 | 40 h (ANC on) | 5.3 | LDAC, AAC, SBC | - | 265 | 99
Anker Soundcore Space Q45 | headphones | 2022 | 50 | 40 | 50 h (ANC on) | 5.3 | LDAC, AAC, SBC | - | 295 | 149
Anker Soundcore Life Q30 | headphones | 2020 | 40 | 40 | 40 h (ANC on) | 5.0 | AAC, SBC | - | 260 | 79
Anker Soundcore Q20i | headphones | 2023 | 35 | 40 | 40 h (ANC on) | 5.0 | SBC | - | 250 | 49
Baseus Bowie H1 | headphones | 2022 | 40 | 40 | 70 h (ANC on) | 5.2 | AAC, SBC | - | 270 | 49
Ugreen HiTune Max5 | headphones | 2023 | 43 | 40 | 50 h (ANC on) | 5.3 | AAC, SBC | - | 250 | 79
""",
)


class SpeakerRow(NamedTuple):
    name: str
    year: int
    watts: int
    hours: int
    ip: str
    bluetooth: str
    grams: int
    price: int


SPEAKERS = _table(
    SpeakerRow,
    """
name | year | watts | hours | ip | bluetooth | grams | price
Xiaomi Sound Outdoor | 2023 | 30 | 12 | IP67 | 5.4 | 680 | 59
Xiaomi Sound Pocket | 2024 | 5 | 10 | IP67 | 5.4 | 200 | 25
Huawei Sound Joy | 2022 | 30 | 26 | IP67 | 5.2 | 680 | 149
Anker Soundcore Motion 300 | 2022 | 30 | 13 | IPX7 | 5.3 | 900 | 79
Anker Soundcore Motion 100 | 2023 | 20 | 12 | IPX7 | 5.3 | 500 | 59
Anker Soundcore 2 | 2020 | 12 | 24 | IPX7 | 5.0 | 414 | 39
Anker Soundcore Boom 2 | 2024 | 80 | 24 | IPX7 | 5.3 | 2130 | 149
""",
)


class ChargerRow(NamedTuple):
    name: str
    kind: str  # "charger" or "car_charger"
    watts: int
    ports: str
    gan: bool
    protocols: str
    grams: int
    price: int
    colours: str  # comma-separated


CHARGERS = _table(
    ChargerRow,
    """
name | kind | watts | ports | gan | protocols | grams | price | colours
Xiaomi 20W Charger (Type-C) | charger | 20 | 1× USB-C | no | USB PD 3.0 | 40 | 12 | White
Xiaomi 33W Charger (Type-A) | charger | 33 | 1× USB-A | no | Xiaomi Turbo Charge, QC 3.0 | 65 | 14 | White
Xiaomi 67W Charging Combo (Type-A) | charger | 67 | 1× USB-A | no | Xiaomi HyperCharge, QC 3.0 | 110 | 29 | White
Xiaomi 120W HyperCharge Combo (Type-A) | charger | 120 | 1× USB-A | no | Xiaomi HyperCharge, PD 3.0 | 180 | 39 | White
Xiaomi 65W GaN Charger (Type-A + Type-C) | charger | 65 | 1× USB-C, 1× USB-A | yes | USB PD 3.0, QC 3.0 | 116 | 39 | White
Huawei SuperCharge Wall Charger (Max 66 W) | charger | 66 | 1× USB-C | no | Huawei SuperCharge, USB PD | 110 | 39 | White
Huawei SuperCharge Wall Charger (Max 88 W) | charger | 88 | 1× USB-C | no | Huawei SuperCharge, USB PD | 130 | 49 | White
Anker 511 Charger (Nano 3, 30W) | charger | 30 | 1× USB-C | yes | USB PD 3.0, PPS | 40 | 22 | White,Black,Misty Blue
Anker 713 Charger (Nano II 45W) | charger | 45 | 1× USB-C | yes | USB PD 3.0, PPS | 70 | 35 | Black,White
Anker 735 Charger (Nano II 65W) | charger | 65 | 2× USB-C, 1× USB-A | yes | USB PD 3.0, PPS | 130 | 49 | Black,White
Anker 737 Charger (GaNPrime 120W) | charger | 120 | 2× USB-C, 1× USB-A | yes | USB PD 3.0, PPS | 225 | 79 | Black
Baseus GaN3 30W Charger | charger | 30 | 1× USB-C | yes | USB PD 3.0, QC 3.0 | 50 | 19 | Black,White
Baseus GaN5 Pro 65W Charger | charger | 65 | 1× USB-C, 1× USB-A | yes | USB PD 3.0, QC 4+, PPS | 113 | 39 | Black,White
Ugreen Nexode 30W Charger | charger | 30 | 1× USB-C | yes | USB PD 3.0, PPS | 45 | 19 | White,Black
Ugreen Nexode 65W Charger | charger | 65 | 2× USB-C, 1× USB-A | yes | USB PD 3.0, PPS, QC 4+ | 120 | 42 | Gray,White
Ugreen Nexode 100W Charger | charger | 100 | 3× USB-C, 1× USB-A | yes | USB PD 3.0, PPS, QC 4+ | 230 | 65 | Gray
Ugreen Nexode 140W Charger | charger | 140 | 2× USB-C, 1× USB-A | yes | USB PD 3.1, PPS | 290 | 89 | Gray
Xiaomi 100W Car Charger | car_charger | 100 | 1× USB-C, 1× USB-A | no | USB PD 3.0, QC 3.0 | 45 | 29 | Black
Anker 535 Car Charger (67W) | car_charger | 67 | 2× USB-C, 1× USB-A | no | USB PD 3.0, PPS | 50 | 35 | Black
Baseus Golden Contactor Pro Car Charger (40W) | car_charger | 40 | 1× USB-C, 1× USB-A | no | USB PD 3.0 | 34 | 19 | Dark Gray
Ugreen 130W Car Charger | car_charger | 130 | 2× USB-C, 1× USB-A | no | USB PD 3.0, PPS | 60 | 39 | Black
""",
)


class PowerBankRow(NamedTuple):
    name: str
    mah: int
    watts: float
    ports: str
    input_watts: float
    grams: int
    price: int
    colours: str


POWER_BANKS = _table(
    PowerBankRow,
    """
name | mah | watts | ports | input_watts | grams | price | colours
Xiaomi 22.5W Power Bank 10000 | 10000 | 22.5 | 1× USB-C, 2× USB-A | 18 | 230 | 19 | Black,White
Xiaomi 33W Power Bank 10000 (Integrated Cable) | 10000 | 33 | Built-in USB-C cable, USB-C, USB-A | 22.5 | 216 | 29 | Gray
Xiaomi 50W Power Bank 20000 | 20000 | 50 | 1× USB-C, 2× USB-A | 45 | 440 | 45 | Black
Xiaomi 212W HyperCharge Power Bank 25000 | 25000 | 212 | 2× USB-C, 1× USB-A | 100 | 565 | 89 | Black
Redmi 18W Fast Charge Power Bank 20000 | 20000 | 18 | 1× USB-C, 2× USB-A | 18 | 434 | 25 | Black,White
Redmi Power Bank 10000 | 10000 | 10 | 2× USB-A | 10 | 246 | 14 | Black,Blue
Huawei SuperCharge Power Bank (Max 66 W, 12000 mAh) | 12000 | 66 | 1× USB-C, 1× USB-A | 40 | 248 | 59 | Gray
Anker PowerCore 10000 | 10000 | 12 | 1× USB-A | 10 | 180 | 25 | Black,White
Anker 335 Power Bank (PowerCore 20K) | 20000 | 22.5 | 1× USB-C, 2× USB-A | 20 | 360 | 45 | Black,White
Anker 622 Magnetic Battery (MagGo) | 5000 | 7.5 | Magnetic wireless pad, 1× USB-C | 12 | 142 | 59 | Gray,Misty Blue
Anker Nano Power Bank (30W, Built-In USB-C Cable) | 10000 | 30 | Built-in USB-C cable, USB-C | 30 | 215 | 45 | Black,White,Green
Anker 737 Power Bank (PowerCore 24K) | 24000 | 140 | 2× USB-C, 1× USB-A | 140 | 630 | 119 | Black
Baseus Bipow Pro 10000mAh 20W | 10000 | 20 | 1× USB-C, 2× USB-A | 20 | 220 | 19 | Black,White
Baseus Adaman2 Power Bank 20000mAh 65W | 20000 | 65 | 2× USB-C, 2× USB-A | 65 | 440 | 49 | Black
Baseus Blade HD 20000mAh 100W | 20000 | 100 | 2× USB-C, 1× USB-A | 100 | 490 | 89 | Black
Ugreen 10000mAh 20W Power Bank | 10000 | 20 | 1× USB-C, 2× USB-A | 18 | 225 | 25 | Black,White
Ugreen Nexode Power Bank 20000mAh 130W | 20000 | 130 | 2× USB-C, 1× USB-A | 100 | 495 | 79 | Gray
""",
)


class CableRow(NamedTuple):
    name: str
    connectors: str
    watts: int
    data: str
    jacket: str
    lengths: str  # metres, each a variant: "1 2"
    price: int  # for the shortest length
    colours: str


CABLES = _table(
    CableRow,
    """
name | connectors | watts | data | jacket | lengths | price | colours
Xiaomi 6A Type-A to Type-C Cable | USB-A to USB-C | 120 | 480 Mbps | TPE | 1 | 9 | White
Xiaomi 5A Type-C to Type-C Cable | USB-C to USB-C | 100 | 480 Mbps | TPE | 1 | 12 | White
Huawei SuperCharge Cable 6A (USB-A to USB-C) | USB-A to USB-C | 66 | 480 Mbps | TPE | 1 | 15 | White
Anker 322 USB-A to USB-C Cable | USB-A to USB-C | 15 | 480 Mbps | Braided nylon | 0.9 1.8 | 9 | Black,White
Anker 543 USB-C to USB-C Cable (Bio-Based) | USB-C to USB-C | 60 | 480 Mbps | Bio-based TPE | 0.9 1.8 | 12 | White,Black
Anker 765 USB-C to USB-C Cable (140W Nylon) | USB-C to USB-C | 140 | 480 Mbps | Braided nylon | 0.9 1.8 | 19 | Black
Baseus Superior USB-A to USB-C Cable 66W | USB-A to USB-C | 66 | 480 Mbps | TPE | 1 2 | 8 | Black,White
Baseus Crystal Shine USB-C to USB-C Cable 100W | USB-C to USB-C | 100 | 480 Mbps | Braided nylon | 1.2 2 | 12 | Black
Baseus Dynamic Series USB-C to USB-C Cable 100W | USB-C to USB-C | 100 | 480 Mbps | Braided nylon | 1 2 | 14 | Gray
Ugreen USB-A to USB-C Cable 3A | USB-A to USB-C | 15 | 480 Mbps | Braided nylon | 1 2 | 7 | Black,Gray
Ugreen USB-C to USB-C Cable 60W | USB-C to USB-C | 60 | 480 Mbps | Braided nylon | 1 2 3 | 8 | Black,White
Ugreen USB-C to USB-C Cable 100W | USB-C to USB-C | 100 | 480 Mbps | Braided nylon | 1 2 3 | 12 | Black,Gray
Ugreen USB-C to USB-C Cable 240W | USB-C to USB-C | 240 | 480 Mbps | Braided nylon | 1 2 | 16 | Black
Ugreen USB-C 3.2 Gen 2 Cable 100W | USB-C to USB-C | 100 | 10 Gbps, 4K 60 Hz video | Braided nylon | 0.5 1 | 19 | Gray
""",
)


class WirelessRow(NamedTuple):
    name: str
    watts: int
    form: str  # "pad" or "stand"
    grams: int
    price: int
    colours: str


WIRELESS_CHARGERS = _table(
    WirelessRow,
    """
name | watts | form | grams | price | colours
Xiaomi 50W Wireless Charging Stand | 50 | stand | 165 | 49 | Black
Xiaomi 20W Wireless Charging Stand | 20 | stand | 160 | 29 | White
Huawei SuperCharge Wireless Charger Stand (Max 50 W) | 50 | stand | 180 | 69 | White
Anker 313 Wireless Charger (Pad) | 10 | pad | 90 | 15 | Black,White
Baseus Simple Mini3 Wireless Charger 15W | 15 | pad | 75 | 15 | Black,White
Ugreen 15W Wireless Charger Pad | 15 | pad | 80 | 17 | Black,White
""",
)

# ---------------------------------------------------------------------------------------------
# The plan: plain data, built deterministically
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrandPlan:
    name: str
    slug: str
    description: str


@dataclass(frozen=True)
class CategoryPlan:
    name: str
    slug: str
    parent_slug: str | None
    position: int
    description: str


@dataclass(frozen=True)
class VariantPlan:
    sku: str
    attributes: dict[str, str]
    price: Decimal
    compare_at_price: Decimal | None
    stock_quantity: int
    position: int


@dataclass(frozen=True)
class ImagePlan:
    name: str  # storage name, e.g. "products/demo/poco-x6-pro-yellow.svg"
    colour: str
    alt_text: str
    position: int
    svg: str = field(repr=False)


@dataclass(frozen=True)
class ProductPlan:
    name: str
    slug: str
    brand_slug: str
    category_slug: str
    description: str
    specs: list[dict[str, str]]
    is_featured: bool
    variants: tuple[VariantPlan, ...]
    images: tuple[ImagePlan, ...]


@dataclass(frozen=True)
class CatalogPlan:
    brands: tuple[BrandPlan, ...]
    categories: tuple[CategoryPlan, ...]
    products: tuple[ProductPlan, ...]


@dataclass(frozen=True)
class Option:
    """One non-colour choice of a product (storage, case size, cable length) and its price in whole euros."""

    attributes: dict[str, str]
    code: str
    price: int


Specs = list[dict[str, str]]


def _spec(group: str, name: str, value: str) -> dict[str, str]:
    return {"group": group, "name": name, "value": value}


def _brand_of(name: str) -> str:
    # Every product name starts with its brand, spelled as in BRANDS.
    return name.split()[0]


def _slug(name: str) -> str:
    # "+" would vanish in slugify and make "Note 13 Pro+ 5G" collide with "Note 13 Pro 5G".
    return slugify(name.replace("+", " plus "))


def _wordmark(name: str, brand: str) -> str:
    if "Soundcore" in name:
        return "soundcore"
    return {"Huawei": "HUAWEI", "Ugreen": "UGREEN", "Anker": "anker"}.get(brand, brand)


def _euros(whole: int, cents: str) -> Decimal:
    return Decimal(f"{whole}.{cents}")


def _memory_options(options: str, base_price: int) -> list[Option]:
    """Turn "8/256 12/512" into storage options, each step up costing more."""
    step = max(30, round(base_price * 0.15 / 50) * 50)
    result = []
    for index, pair in enumerate(options.split()):
        ram, storage = (int(part) for part in pair.split("/"))
        storage_label = "1 TB" if storage == 1024 else f"{storage} GB"
        code = f"{ram}-{'1T' if storage == 1024 else storage}"
        result.append(Option({"storage": f"{ram} GB + {storage_label}"}, code, base_price + step * index))
    return result


def _stock(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.1:
        return 0
    if roll < 0.25:
        return rng.randint(1, 4)
    return rng.randint(5, 140)


def _variants(rng: random.Random, *, slug: str, colours: list[str], options: list[Option]) -> tuple[VariantPlan, ...]:
    cents = rng.choice(("99", "00"))
    markup = rng.choice((10, 15, 20, 25)) if rng.random() < 1 / 3 else 0
    variants: list[VariantPlan] = []
    for colour in colours:
        for option in options:
            compare_at = None
            if markup:
                whole = max(round(option.price * (100 + markup) / 1000) * 10 - 1, option.price + 2)
                compare_at = _euros(whole, cents)
            code = "-".join(part for part in (slug.upper(), PALETTE[colour][1], option.code) if part)
            variants.append(
                VariantPlan(
                    sku=code,
                    attributes={"colour": colour, **option.attributes},
                    price=_euros(option.price, cents),
                    compare_at_price=compare_at,
                    stock_quantity=_stock(rng),
                    position=len(variants),
                )
            )
    return tuple(variants)


VIEWS: dict[str, str] = {
    "phone": "back view",
    "foldable": "back view",
    "tablet": "back view",
    "earbuds": "charging case with earbuds",
    "headphones": "front view",
    "cable": "coiled",
}


def _images(*, name: str, slug: str, brand: str, kind: DeviceKind, colours: list[str], badge: str) -> tuple[ImagePlan, ...]:
    view = VIEWS.get(kind, "front view")
    return tuple(
        ImagePlan(
            name=f"{IMAGE_DIR}/{slug}-{slugify(colour)}.svg",
            colour=colour,
            alt_text=f"{name} in {colour}, {view}",
            position=position,
            svg=product_svg(kind=kind, colour=PALETTE[colour][0], brand=_wordmark(name, brand), title=name, badge=badge),
        )
        for position, colour in enumerate(colours[:MAX_IMAGES])
    )


def _product(
    rng: random.Random,
    *,
    name: str,
    category: str,
    kind: DeviceKind,
    description: str,
    specs: Specs,
    colours: list[str],
    options: list[Option],
    badge: str = "",
) -> ProductPlan:
    brand = _brand_of(name)
    slug = _slug(name)
    return ProductPlan(
        name=name,
        slug=slug,
        brand_slug=slugify(brand),
        category_slug=category,
        description=description,
        specs=specs,
        is_featured=name in FEATURED,
        variants=_variants(rng, slug=slug, colours=colours, options=options),
        images=_images(name=name, slug=slug, brand=brand, kind=kind, colours=colours, badge=badge),
    )


def _pick(rng: random.Random, pool: tuple[str, ...], low: int, high: int) -> list[str]:
    return rng.sample(pool, rng.randint(low, high))


def _listed(colours: str) -> list[str]:
    return [c.strip() for c in colours.split(",")]


# --- phones and tablets ----------------------------------------------------------------------


def _network(brand: str, chipset: str) -> str:
    # Huawei's European models are 4G-only; Helio G and Snapdragon 6xx chips have no 5G modem.
    if brand == "Huawei" or chipset.startswith("Helio") or chipset in {"Snapdragon 680", "Snapdragon 685"}:
        return "4G LTE"
    return "5G"


def _software(brand: str, year: int) -> str:
    if brand == "Huawei":
        return "EMUI 14 with AppGallery" if year >= 2024 else "EMUI 13 with AppGallery"
    if year >= 2025:
        return "Xiaomi HyperOS 2 (Android 15)"
    return "Xiaomi HyperOS (Android 14)" if year == 2024 else "MIUI 14 (Android 13)"


def _resolution(inches: float, panel: str, price: int) -> str:
    if panel.startswith("Foldable"):
        return "2496 × 2224"
    if price >= 1000:
        return "3200 × 1440"
    if price >= 600 and inches < 6.5:
        return "2670 × 1200"
    if price >= 600:
        return "2712 × 1220"
    return "1650 × 720" if panel == "LCD" and price < 200 else "2400 × 1080"


def _memory_specs(options: str) -> Specs:
    pairs = [pair.split("/") for pair in options.split()]
    ram = " / ".join(dict.fromkeys(f"{r} GB" for r, _ in pairs))
    storage = " / ".join(dict.fromkeys("1 TB" if s == "1024" else f"{s} GB" for _, s in pairs))
    return [_spec("Performance", "RAM", ram), _spec("Performance", "Storage", storage)]


def _phone_specs(rng: random.Random, row: PhoneRow, brand: str) -> Specs:
    flagship, midrange = row.price >= 700, row.price >= 280
    specs = [
        _spec("Display", "Size", f"{row.inches:g} in"),
        _spec("Display", "Type", row.panel),
        _spec("Display", "Resolution", _resolution(row.inches, row.panel, row.price)),
        _spec("Display", "Refresh rate", f"{row.hz} Hz"),
        _spec("Performance", "Chipset", row.chipset),
        *_memory_specs(row.options),
        _spec("Camera", "Main", f"{row.camera} MP" + (", OIS" if midrange else "")),
    ]
    if row.price >= 250:
        specs.append(
            _spec(
                "Camera", "Ultra-wide", rng.choice(("8 MP", "12 MP", "13 MP", "50 MP") if flagship else ("8 MP", "8 MP", "13 MP"))
            )
        )
    if flagship:
        specs.append(
            _spec("Camera", "Telephoto", rng.choice(("50 MP, 3.2× optical", "50 MP, 2.6× optical", "12 MP, 3× optical")))
        )
    specs.append(
        _spec("Camera", "Front", rng.choice(("32 MP",) if flagship else ("16 MP", "20 MP") if midrange else ("5 MP", "8 MP")))
    )
    specs += [
        _spec("Battery", "Capacity", f"{row.battery} mAh"),
        _spec("Battery", "Wired charging", f"{row.wired:g} W"),
    ]
    if row.wireless:
        specs.append(_spec("Battery", "Wireless charging", f"{row.wireless} W"))
    specs.append(_spec("Design", "Weight", f"{row.grams} g"))
    if row.ip:
        specs.append(_spec("Design", "Water resistance", row.ip))
    wifi = "Wi-Fi 7" if flagship and row.year >= 2024 else "Wi-Fi 6" if midrange else "Wi-Fi 5"
    specs += [
        _spec("Connectivity", "Network", _network(brand, row.chipset)),
        _spec("Connectivity", "SIM", "Dual nano-SIM"),
        _spec("Connectivity", "Wi-Fi", wifi),
        _spec("Connectivity", "Bluetooth", "5.4" if row.year >= 2024 and midrange else "5.3" if midrange else "5.1"),
        _spec("Connectivity", "NFC", "No" if row.price < 110 else "Yes"),
        _spec("Software", "Operating system", _software(brand, row.year)),
    ]
    return specs


def _phone_description(rng: random.Random, row: PhoneRow, brand: str) -> str:
    charging = f"{row.wired:g} W wired" + (f" and {row.wireless} W wireless charging" if row.wireless else " charging")
    sentences = [
        f"The {row.name} pairs a {row.inches:g}-inch {row.panel} display at up to {row.hz} Hz with the {row.chipset}.",
        f"Its {row.battery} mAh battery lasts a long day, and {charging} refills it quickly.",
    ]
    if row.price >= 700:
        sentences.append(
            rng.choice(
                (
                    f"The {row.camera} MP main camera and a dedicated telephoto make it one of the best cameras in the range.",
                    f"A {row.camera} MP main sensor tuned for low light is backed by a telephoto for sharp portraits.",
                )
            )
        )
    elif row.price >= 280:
        sentences.append(
            rng.choice(
                (
                    f"The {row.camera} MP main camera takes detailed photos in daylight and holds up well indoors.",
                    f"A {row.camera} MP main camera with stabilisation keeps night shots and video steady.",
                )
            )
        )
    else:
        sentences.append(
            rng.choice(
                (
                    "It handles calls, messaging, maps and streaming without fuss at a very friendly price.",
                    "A sensible everyday phone that leaves room in the budget for a case and earbuds.",
                )
            )
        )
    if row.ip:
        sentences.append(f"Rated {row.ip} against dust and water.")
    if brand == "Huawei":
        sentences.append("Apps come from Huawei AppGallery; Google Mobile Services are not preinstalled.")
    return " ".join(sentences)


def _phone(rng: random.Random, row: PhoneRow) -> ProductPlan:
    brand = _brand_of(row.name)
    foldable = "Flip" in row.name or "Mate X" in row.name
    round_camera = any(word in row.name for word in ("Ultra", "Pura", "Mate", "P60"))
    return _product(
        rng,
        name=row.name,
        category=f"{slugify(brand)}-phones",
        kind="foldable" if foldable else "phone",
        description=_phone_description(rng, row, brand),
        specs=_phone_specs(rng, row, brand),
        colours=_pick(rng, PHONE_COLOURS[brand], 2, 3),
        options=_memory_options(row.options, row.price),
        badge="round" if round_camera else "",
    )


def _tablet(rng: random.Random, row: TabletRow) -> ProductPlan:
    brand = _brand_of(row.name)
    stylus = {"Xiaomi": "Xiaomi Focus Pen", "Redmi": "Redmi Smart Pen", "Huawei": "Huawei M-Pencil"}[brand]
    specs = [
        _spec("Display", "Size", f"{row.inches:g} in"),
        _spec("Display", "Type", row.panel),
        _spec("Display", "Refresh rate", f"{row.hz} Hz"),
        _spec("Performance", "Chipset", row.chipset),
        *_memory_specs(row.options),
        _spec("Battery", "Capacity", f"{row.battery} mAh"),
        _spec("Battery", "Wired charging", f"{row.wired:g} W"),
        _spec("Design", "Weight", f"{row.grams} g"),
        _spec("Connectivity", "Wi-Fi", "Wi-Fi 6" if row.price >= 300 else "Wi-Fi 5"),
        _spec("Accessories", "Stylus support", stylus if row.price >= 300 else "No"),
        _spec("Software", "Operating system", _software(brand, row.year)),
    ]
    use = (
        rng.choice(("note-taking and sketching", "split-screen work", "streaming and reading"))
        if row.price >= 300
        else "streaming and reading"
    )
    description = (
        f"The {row.name} has a {row.inches:g}-inch {row.hz} Hz display and the {row.chipset}, "
        f"a comfortable fit for {use}. A {row.battery} mAh battery gives days of casual use "
        f"and charges at {row.wired:g} W. It weighs {row.grams} g."
    )
    return _product(
        rng,
        name=row.name,
        category="huawei-tablets" if brand == "Huawei" else "xiaomi-tablets",
        kind="tablet",
        description=description,
        specs=specs,
        colours=_pick(rng, TABLET_COLOURS[brand], 2, 2),
        options=_memory_options(row.options, row.price),
    )


# --- wearables and audio ---------------------------------------------------------------------


def _wearable(rng: random.Random, row: WearableRow) -> ProductPlan:
    sizes = row.sizes.split()
    specs = [
        _spec("Display", "Size", f"{row.inches:g} in"),
        _spec("Display", "Type", row.panel),
        _spec("Design", "Case size", " / ".join(f"{s} mm" for s in sizes)) if sizes else _spec("Design", "Strap", "Replaceable"),
        _spec("Design", "Weight", f"{row.grams} g (without strap)" if row.kind == "watch" else f"{row.grams} g"),
        _spec("Design", "Water resistance", row.water),
        _spec("Battery", "Typical use", row.battery),
        _spec("Health", "Sensors", "Heart rate, SpO₂, accelerometer, gyroscope"),
        _spec("Connectivity", "Positioning", row.positioning),
        _spec("Connectivity", "Bluetooth", "5.3" if row.year >= 2023 else "5.2"),
        _spec("Connectivity", "Compatibility", "Android 8.0 or later, iOS 13 or later"),
    ]
    noun = "watch" if row.kind == "watch" else "band"
    extra = rng.choice(
        (
            "It tracks more than 100 workout modes, sleep stages and stress through the day.",
            "Sleep, heart rate, SpO₂ and over 100 sports modes are tracked automatically.",
        )
    )
    description = (
        f"The {row.name} puts a {row.inches:g}-inch {row.panel} screen on your wrist and lasts up to {row.battery} "
        f"on a charge. {extra} Water resistant to {row.water}, so the {noun} can stay on in the pool."
    )
    options = [Option({"size": f"{s} mm"}, f"{s}MM", row.price + (0 if i == 0 else -20)) for i, s in enumerate(sizes)]
    if len(options) < 2:
        options = [Option({}, "", row.price)]
    return _product(
        rng,
        name=row.name,
        category="smartwatches" if row.kind == "watch" else "fitness-bands",
        kind="watch" if row.kind == "watch" else "band",
        description=description,
        specs=specs,
        colours=_pick(rng, WATCH_COLOURS if row.kind == "watch" else BAND_COLOURS, 2, 3),
        options=options,
    )


def _audio(rng: random.Random, row: AudioRow) -> ProductPlan:
    earbuds = row.kind == "earbuds"
    specs = [
        _spec(
            "Sound", "Noise cancellation", f"Active, up to {row.anc_db} dB" if row.anc_db else "No (call noise reduction only)"
        ),
        _spec("Sound", "Driver", f"{row.driver_mm:g} mm"),
        _spec("Sound", "Codecs", row.codecs),
        _spec("Battery", "Playback", row.playback),
        _spec("Connectivity", "Bluetooth", row.bluetooth),
        _spec("Connectivity", "Multipoint", "Yes" if row.price >= 50 else "No"),
        _spec("Design", "Weight", f"{row.grams:g} g per earbud" if earbuds else f"{row.grams:g} g"),
    ]
    if row.ip:
        specs.append(_spec("Design", "Water resistance", row.ip))
    anc = f"active noise cancellation of up to {row.anc_db} dB" if row.anc_db else "a comfortable, light fit"
    opener = rng.choice(("Music, calls and podcasts", "Commutes and long flights", "Workouts and everyday listening"))
    description = (
        f"{opener} sound better with the {row.name}: {row.driver_mm:g} mm drivers, {anc} and "
        f"{row.playback} of playback. Bluetooth {row.bluetooth} keeps the connection stable."
    )
    return _product(
        rng,
        name=row.name,
        category=row.kind,
        kind="earbuds" if earbuds else "headphones",
        description=description,
        specs=specs,
        colours=_pick(rng, AUDIO_COLOURS if earbuds else AUDIO_COLOURS[:3], 2, 3),
        options=[Option({}, "", row.price)],
    )


def _speaker(rng: random.Random, row: SpeakerRow) -> ProductPlan:
    specs = [
        _spec("Sound", "Output power", f"{row.watts} W"),
        _spec("Sound", "Stereo pairing", "Yes"),
        _spec("Battery", "Playback", f"Up to {row.hours} h"),
        _spec("Connectivity", "Bluetooth", row.bluetooth),
        _spec("Design", "Water resistance", row.ip),
        _spec("Design", "Weight", f"{row.grams} g"),
    ]
    description = (
        f"The {row.name} fills a room or a picnic with {row.watts} W of sound and plays for up to {row.hours} hours. "
        f"It is {row.ip}-rated, so rain and the odd splash are no problem. Pair two for stereo."
    )
    return _product(
        rng,
        name=row.name,
        category="speakers",
        kind="speaker",
        description=description,
        specs=specs,
        colours=_pick(rng, SPEAKER_COLOURS, 1, 3),
        options=[Option({}, "", row.price)],
    )


# --- accessories -----------------------------------------------------------------------------


def _charger(rng: random.Random, row: ChargerRow) -> ProductPlan:
    car = row.kind == "car_charger"
    specs = [
        _spec("Power", "Maximum output", f"{row.watts} W"),
        _spec("Power", "Ports", row.ports),
        _spec("Power", "Protocols", row.protocols),
        _spec("Power", "Input", "12–24 V DC" if car else "100–240 V AC, EU plug"),
        _spec("Design", "Technology", "GaN" if row.gan else "Silicon"),
        _spec("Design", "Weight", f"{row.grams} g"),
    ]
    where = "in the car" if car else "at home and on the road"
    gan = " Gallium-nitride parts keep it small and cool." if row.gan else ""
    description = (
        f"The {row.name} delivers up to {row.watts} W through {row.ports}, enough to fast-charge a phone {where}.{gan} "
        f"It supports {row.protocols} and protects against over-current, over-voltage and overheating."
    )
    return _product(
        rng,
        name=row.name,
        category="chargers",
        kind="car_charger" if car else "charger",
        description=description,
        specs=specs,
        colours=_listed(row.colours),
        options=[Option({}, "", row.price)],
        badge=f"{row.watts}W",
    )


def _power_bank(rng: random.Random, row: PowerBankRow) -> ProductPlan:
    specs = [
        _spec("Battery", "Capacity", f"{row.mah} mAh"),
        _spec("Power", "Maximum output", f"{row.watts:g} W"),
        _spec("Power", "Ports", row.ports),
        _spec("Power", "Recharge input", f"{row.input_watts:g} W"),
        _spec("Design", "Weight", f"{row.grams} g"),
        _spec("Design", "Air travel", "Allowed in cabin baggage" if row.mah <= 25000 else "Check with your airline"),
    ]
    refills = "a laptop once or a phone three times" if row.mah >= 20000 else "a phone about twice"
    description = (
        f"The {row.name} stores {row.mah} mAh, enough to refill {refills}, at up to {row.watts:g} W. "
        f"It recharges at {row.input_watts:g} W and weighs {row.grams} g. "
        + rng.choice(("Safe to carry in cabin baggage.", "Over-charge and temperature protection are built in."))
    )
    return _product(
        rng,
        name=row.name,
        category="power-banks",
        kind="power_bank",
        description=description,
        specs=specs,
        colours=_listed(row.colours),
        options=[Option({}, "", row.price)],
        badge=f"{row.mah} mAh",
    )


def _cable(rng: random.Random, row: CableRow) -> ProductPlan:
    lengths = row.lengths.split()
    specs = [
        _spec("Cable", "Connectors", row.connectors),
        _spec("Cable", "Maximum power", f"{row.watts} W"),
        _spec("Cable", "Data transfer", row.data),
        _spec("Cable", "Jacket", row.jacket),
        _spec("Cable", "Lengths", " / ".join(f"{length} m" for length in lengths)),
    ]
    description = (
        f"A {row.connectors} cable rated for {row.watts} W, with a {row.jacket.lower()} jacket that survives "
        f"{rng.choice(('tens of thousands of bends', 'daily use in a bag', 'being wound up every evening'))}. "
        f"Data transfer: {row.data}."
    )
    options = [
        Option({"length": f"{length} m"}, f"{length.replace('.', '')}M", row.price + 3 * i) for i, length in enumerate(lengths)
    ]
    return _product(
        rng,
        name=row.name,
        category="cables",
        kind="cable",
        description=description,
        specs=specs,
        colours=_listed(row.colours),
        options=options,
        badge=f"{row.watts}W",
    )


def _wireless_charger(rng: random.Random, row: WirelessRow) -> ProductPlan:
    specs = [
        _spec("Power", "Maximum wireless output", f"{row.watts} W"),
        _spec("Power", "Input", "USB-C"),
        _spec("Power", "Standard", "Qi"),
        _spec("Design", "Form", "Stand" if row.form == "stand" else "Pad"),
        _spec("Design", "Weight", f"{row.grams} g"),
    ]
    placement = "upright, so notifications stay readable" if row.form == "stand" else "flat on a desk or bedside table"
    description = (
        f"The {row.name} charges Qi phones and earbuds at up to {row.watts} W, {placement}. "
        "Foreign-object detection stops charging if keys or coins end up on it."
    )
    return _product(
        rng,
        name=row.name,
        category="wireless-chargers",
        kind="wireless_charger",
        description=description,
        specs=specs,
        colours=_listed(row.colours),
        options=[Option({}, "", row.price)],
        badge=row.form,
    )


def demo_catalog_plan() -> CatalogPlan:
    """Return the whole demo catalog as plain data; the same plan on every call."""
    rng = random.Random(SEED)
    products = [
        *(_phone(rng, row) for row in PHONES),
        *(_tablet(rng, row) for row in TABLETS),
        *(_wearable(rng, row) for row in WEARABLES),
        *(_audio(rng, row) for row in AUDIO),
        *(_speaker(rng, row) for row in SPEAKERS),
        *(_charger(rng, row) for row in CHARGERS),
        *(_power_bank(rng, row) for row in POWER_BANKS),
        *(_cable(rng, row) for row in CABLES),
        *(_wireless_charger(rng, row) for row in WIRELESS_CHARGERS),
    ]
    missing = FEATURED - {p.name for p in products}
    if missing:
        raise ValueError(f"Featured products missing from the demo catalog: {sorted(missing)}")
    _check_unique("product slug", (p.slug for p in products))
    _check_unique("SKU", (v.sku for p in products for v in p.variants))
    _check_unique("image name", (i.name for p in products for i in p.images))
    return CatalogPlan(
        brands=tuple(BrandPlan(name, slugify(name), description) for name, description in BRANDS),
        categories=tuple(CategoryPlan(*row) for row in CATEGORIES),
        products=tuple(products),
    )


def _check_unique(what: str, values: Iterable[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"The demo catalog repeats the {what} {value!r}.")
        seen.add(value)


# ---------------------------------------------------------------------------------------------
# Writing the plan
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedReport:
    brands: int
    categories: int
    products: int
    variants: int
    images: int
    rows_written: int
    files_written: int

    def summary(self) -> str:
        return (
            f"Demo catalog: {self.brands} brands, {self.categories} categories, {self.products} products, "
            f"{self.variants} variants, {self.images} images ({self.rows_written} rows and {self.files_written} files written)"
        )


ModelT = TypeVar("ModelT", bound=models.Model)


@dataclass
class _Sync:
    """Create missing rows and update differing ones, matched on one unique key, in bulk."""

    now: datetime
    written: int = 0

    def rows(
        self,
        model: type[ModelT],
        *,
        key: str,
        rows: dict[str, dict[str, Any]],
        create_only: dict[str, dict[str, Any]] | None = None,
        stamp: str | None = None,
    ) -> dict[str, int]:
        """Write `rows` (key value -> field values) and return the primary key of every row by key value.

        Fields in `create_only` are set on new rows only, so a re-run leaves e.g. stock that
        orders have moved alone. `stamp` names an `auto_now` field, which bulk updates skip.
        """
        manager = model._default_manager
        existing = {str(getattr(obj, key)): obj for obj in manager.filter(**{f"{key}__in": list(rows)})}
        to_create: list[ModelT] = []
        to_update: list[ModelT] = []
        # Foreign keys are checked by the database; validating them here would cost a query per row.
        relations = [f.name for f in model._meta.concrete_fields if f.is_relation]
        for value, fields in rows.items():
            obj = existing.get(value)
            if obj is None:
                obj = model(**{key: value}, **fields, **(create_only or {}).get(value, {}))
                to_create.append(obj)
            elif any(getattr(obj, name) != wanted for name, wanted in fields.items()):
                for name, wanted in fields.items():
                    setattr(obj, name, wanted)
                if stamp:
                    setattr(obj, stamp, self.now)
                to_update.append(obj)
            else:
                continue
            obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
        manager.bulk_create(to_create, batch_size=500)
        if to_update:
            manager.bulk_update(to_update, [*next(iter(rows.values())), *([stamp] if stamp else [])], batch_size=500)
        self.written += len(to_create) + len(to_update)
        return dict(manager.filter(**{f"{key}__in": list(rows)}).values_list(key, "pk"))


def _image_files_store(images: Iterable[ImagePlan]) -> int:
    """Write each picture unless the storage already holds the same bytes under its name; return how many were written."""
    storage = ProductImage._meta.get_field("image").storage
    written = 0
    for image in images:
        content = image.svg.encode()
        if storage.exists(image.name):
            with storage.open(image.name, "rb") as existing:
                if existing.read() == content:
                    continue
            storage.delete(image.name)
        saved = storage.save(image.name, ContentFile(content))
        if saved != image.name:
            raise RuntimeError(f"The media storage renamed {image.name!r} to {saved!r}; demo image names must be kept.")
        written += 1
    return written


def _brands_write(plan: CatalogPlan, sync: _Sync) -> dict[str, int]:
    return sync.rows(Brand, key="slug", rows={b.slug: {"name": b.name, "description": b.description} for b in plan.brands})


def _categories_write(plan: CatalogPlan, sync: _Sync) -> dict[str, int]:
    ids: dict[str, int] = {}
    for children in (False, True):  # parents first, so children can point at them
        rows = {
            c.slug: {
                "name": c.name,
                "parent_id": ids[c.parent_slug] if c.parent_slug else None,
                "position": c.position,
                "description": c.description,
            }
            for c in plan.categories
            if (c.parent_slug is not None) == children
        }
        ids |= sync.rows(Category, key="slug", rows=rows)
    return ids


def _products_write(plan: CatalogPlan, sync: _Sync, *, brand_ids: dict[str, int], category_ids: dict[str, int]) -> dict[str, int]:
    rows = {
        p.slug: {
            "name": p.name,
            "brand_id": brand_ids[p.brand_slug],
            "category_id": category_ids[p.category_slug],
            "description": p.description,
            "specs": p.specs,
            "is_featured": p.is_featured,
        }
        for p in plan.products
    }
    return sync.rows(Product, key="slug", rows=rows, stamp="updated_at")


def _variants_write(plan: CatalogPlan, sync: _Sync, *, product_ids: dict[str, int]) -> None:
    rows, stock = {}, {}
    for p in plan.products:
        for v in p.variants:
            rows[v.sku] = {
                "product_id": product_ids[p.slug],
                "attributes": v.attributes,
                "price": v.price,
                "compare_at_price": v.compare_at_price,
                "currency": CURRENCY,
                "position": v.position,
            }
            stock[v.sku] = {"stock_quantity": v.stock_quantity}
    # Stock is set on new variants only: a restart of the demo shop must not undo its sales.
    sync.rows(Variant, key="sku", rows=rows, create_only=stock)


def _images_write(plan: CatalogPlan, sync: _Sync, *, product_ids: dict[str, int]) -> None:
    rows = {
        i.name: {"product_id": product_ids[p.slug], "colour": i.colour, "alt_text": i.alt_text, "position": i.position}
        for p in plan.products
        for i in p.images
    }
    sync.rows(ProductImage, key="image", rows=rows)


def _products_reindex(product_ids: list[int]) -> int:
    changed = 0
    for product in Product.objects.filter(pk__in=product_ids).select_related("brand", "category__parent"):
        before = product.search_document
        product_reindex(product=product)
        changed += product.search_document != before
    return changed


def demo_catalog_seed(*, now: datetime | None = None) -> SeedReport:
    """Create or refresh the demo catalog; a second run with the same code writes nothing."""
    plan = demo_catalog_plan()
    files_written = _image_files_store(i for p in plan.products for i in p.images)
    sync = _Sync(now=now or timezone.now())
    with transaction.atomic():
        product_ids = _products_write(plan, sync, brand_ids=_brands_write(plan, sync), category_ids=_categories_write(plan, sync))
        _variants_write(plan, sync, product_ids=product_ids)
        _images_write(plan, sync, product_ids=product_ids)
        reindexed = _products_reindex(list(product_ids.values()))
        # Bulk writes send no signals, so the cache revision is moved on here.
        if sync.written or reindexed:
            catalog_revision_bump()
    return SeedReport(
        brands=len(plan.brands),
        categories=len(plan.categories),
        products=len(plan.products),
        variants=sum(len(p.variants) for p in plan.products),
        images=sum(len(p.images) for p in plan.products),
        rows_written=sync.written,
        files_written=files_written,
    )
