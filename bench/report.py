"""Write a run's rows to `bench/results/` and print them as a table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.registry import Row

NOISY_RATIO_CV = 0.15  # standard deviation over mean of a row's per-slice ratios to the floor


def row_record(row: Row) -> dict[str, Any]:
    record: dict[str, Any] = {
        "name": row.name,
        "rps": round(row.rps, 1),
        "p50_ms": round(row.p50_ms, 2),
        "p99_ms": round(row.p99_ms, 2),
        "ratio_to_floor": round(row.ratio_to_floor, 3),
        "suite": row.suite,
        **row.details,
        "meets_target": row.meets_target,
        "error": row.error,
    }
    if row.has_target:
        record["target"] = {"ratio_to_floor_min": row.target_ratio, "p99_ms_max": row.target_p99_ms}
    return record


def results_write(rows: list[Row], meta: dict[str, Any], directory: Path) -> Path:
    """Write `latest.json` (the list of rows) and `latest-meta.json` (how they were measured); return the first."""
    directory.mkdir(parents=True, exist_ok=True)
    latest = directory / "latest.json"
    latest.write_text(json.dumps([row_record(row) for row in rows], indent=2, default=str) + "\n")
    (directory / "latest-meta.json").write_text(json.dumps(meta, indent=2, default=str) + "\n")
    return latest


def _verdict(row: Row) -> str:
    if row.error:
        return "FAILED"
    if row.meets_target is None:
        return "-"
    return "ok" if row.meets_target else "MISS"


def table_format(rows: list[Row]) -> str:
    # "floor rps" is what the ratio divides by: the floor measured beside that row, when the suite pairs them.
    header = ("suite", "name", "rps", "p50 ms", "p99 ms", "floor rps", "ratio", "target", "url")
    lines = [
        (
            row.suite,
            row.name,
            f"{row.rps:,.0f}",
            f"{row.p50_ms:.2f}",
            f"{row.p99_ms:.2f}",
            f"{row.details['floor_rps']:,.0f}" if "floor_rps" in row.details else "",
            f"{row.ratio_to_floor:.2f}",
            _verdict(row),
            str(row.details.get("url", "")),
        )
        for row in rows
    ]
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
    numeric = {2, 3, 4, 5, 6}

    def render(cells: tuple[str, ...]) -> str:
        return "  ".join(c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))

    return "\n".join(render(cells).rstrip() for cells in [header, tuple("-" * w for w in widths), *lines])


def notes(rows: list[Row]) -> list[str]:
    """Return the lines a reader must see under the table: failures, target misses, a noisy floor."""
    found = [f"FAILED {row.suite}/{row.name}: {row.error}" for row in rows if row.error]
    for row in rows:
        if row.meets_target is False and not row.error:
            reasons = []
            if row.target_ratio is not None and row.ratio_to_floor < row.target_ratio:
                reasons.append(f"ratio {row.ratio_to_floor:.3f} < {row.target_ratio}")
            if row.target_p99_ms is not None and row.p99_ms >= row.target_p99_ms:
                reasons.append(f"p99 {row.p99_ms:.1f} ms >= {row.target_p99_ms:g} ms")
            found.append(f"MISS {row.suite}/{row.name}: {', '.join(reasons)}")
        spread = row.details.get("ratio_cv")
        if isinstance(spread, float) and spread > NOISY_RATIO_CV:
            found.append(f"NOISY {row.suite}/{row.name}: its ratio varied {spread:.0%} between slices; rerun on a quiet machine")
    return found
