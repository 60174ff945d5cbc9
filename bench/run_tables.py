"""Markdown tables of bench/run.py's results: one per database, then the growth between them."""

from __future__ import annotations

import math
import os
import platform
from datetime import date

HEADER = (
    "| case | SQL | client p50 | client p95 | HTTP p50 | HTTP p95 | floor p50 | ratio | goal |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---|",
)


def ms(value: float | None) -> str:
    """Format milliseconds (blank when not measured)."""
    return "" if value is None or math.isnan(value) else f"{value:.1f}"


def quantile(timings: dict | None, q: float) -> float | None:
    """Return the q-quantile (nearest rank) of recorded timings, or None."""
    if not timings or not timings["ms"]:
        return None
    ordered = sorted(timings["ms"])
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def verdict(name: str, result: dict, page_goal: float, floor_goal: float) -> tuple[str, str]:
    """Return (ratio text, goal text) of a case: reports against their floor, pages against the time goal."""
    client, http = result["client"][name], result.get("http", {}).get(name)
    floor = result["floor"].get(name)
    failures = client["failures"] + (http["failures"] if http else 0)
    if failures:
        return "", f"**{failures} failed**"
    if floor:
        ratio = quantile(client, 0.5) / quantile(floor, 0.5)
        return f"{ratio:.2f}×", ("ok" if ratio <= floor_goal else f"**> {floor_goal}×**")
    worst = max(v for v in (quantile(client, 0.95), quantile(http, 0.95)) if v is not None)
    return "", ("ok" if worst <= page_goal else f"**> {page_goal:.0f} ms**")


def database_table(result: dict, page_goal: float, floor_goal: float) -> list[str]:
    """Return the lines of one database's table."""
    lines = [
        f"### {result['label']}: {result['companies']:,} companies, {result['interactions']:,} interactions",
        "",
        f"Load average before the run: {result['load_before']}"
        + (f"; before the HTTP part: {result['load_before_http']}" if "load_before_http" in result else ""),
        "",
        *HEADER,
    ]
    for name in result["cases"]:
        client, http = result["client"][name], result.get("http", {}).get(name)
        floor = result["floor"].get(name)
        ratio, goal = verdict(name, result, page_goal, floor_goal)
        statements = max(client["queries"]) if client["queries"] else 0
        figures = [ms(quantile(client, 0.5)), ms(quantile(client, 0.95)), ms(quantile(http, 0.5))]
        figures += [ms(quantile(http, 0.95)), ms(quantile(floor, 0.5)), ratio, goal]
        lines.append(f"| {name} | {statements} | " + " | ".join(figures) + " |")
    return lines


def growth_table(first: dict, last: dict) -> list[str]:
    """Return the lines comparing the client p50 of the first and last databases."""
    scale = last["companies"] / max(1, first["companies"])
    lines = [
        f"### Growth: {first['label']} → {last['label']} (data × {scale:.0f})",
        "",
        f"| case | {first['label']} p50 | {last['label']} p50 | × | no worse than linear |",
        "|---|---:|---:|---:|---|",
    ]
    for name in last["cases"]:
        if name not in first["client"]:
            continue
        before, after = quantile(first["client"][name], 0.5), quantile(last["client"][name], 0.5)
        factor = after / before
        linear = "ok" if factor <= scale else "**no**"
        lines.append(f"| {name} | {ms(before)} | {ms(after)} | {factor:.1f} | {linear} |")
    return lines


def machine() -> str:
    """Describe the machine: cores, memory, Python."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}"


def markdown(results: list[dict], page_goal: float, floor_goal: float) -> str:
    """Return the whole report."""
    lines = [
        f"## bench/run.py — {date.today().isoformat()}, {machine()}",
        "",
        "Milliseconds. SQL = statements per request (most seen). client = Flask test client in-process;"
        " HTTP = gunicorn on 127.0.0.1; floor = the report's aggregates as hand-written SQL;"
        f" ratio = client p50 / floor p50. Goals: pages p95 ≤ {page_goal:.0f} ms, reports ≤ {floor_goal}×"
        " the floor.",
        "",
    ]
    for result in results:
        lines += [*database_table(result, page_goal, floor_goal), ""]
    if len(results) > 1:
        lines += [*growth_table(results[0], results[-1]), ""]
    return "\n".join(lines)
