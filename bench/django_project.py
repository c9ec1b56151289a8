"""Load Django with the bench settings, once, for suites that need the shop's database or code."""

from __future__ import annotations

import os
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_MODULE = "config.settings.bench"
FLOOR_PATH = "/_bench/floor"  # routed by bench/urls.py, which only the bench settings load


def django_ready() -> None:
    # Forced, not defaulted: a shell that exports the test or production settings must not leak into the bench.
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    django.setup()


def shown_path(path: Path | str) -> str:
    """Return `path` relative to the project when it lies inside it, for messages and results."""
    resolved = Path(path).resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(path)
