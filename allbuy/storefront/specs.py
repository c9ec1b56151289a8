"""Group a product's spec rows for the specifications table."""

from dataclasses import dataclass, field
from typing import Any

DEFAULT_GROUP = "General"


@dataclass
class SpecGroup:
    name: str
    rows: list[tuple[str, str]] = field(default_factory=list)


def spec_groups(specs: Any) -> list[SpecGroup]:
    """Return the spec rows grouped by their `group`, groups in order of first appearance.

    Rows that are not {"name", "value"} objects are skipped: a bad row must not break the page.
    """
    groups: dict[str, SpecGroup] = {}
    for row in specs if isinstance(specs, list) else []:
        if not isinstance(row, dict) or not row.get("name"):
            continue
        name = str(row.get("group") or DEFAULT_GROUP)
        groups.setdefault(name, SpecGroup(name=name)).rows.append((str(row["name"]), str(row.get("value", ""))))
    return list(groups.values())


def spec_highlights(groups: list[SpecGroup], *, limit: int = 4) -> list[tuple[str, str]]:
    """Return (group, value of its first row) for the first groups: the product at a glance ("Battery", "5000 mAh")."""
    return [(group.name, group.rows[0][1]) for group in groups if group.rows][:limit]
