"""Outcomes, the conformance table and JSON, and the tier line of every failure.

The table has one row per exercise with passed/total per tier, for example
``claim 9/9 · numerics 2/3 · contract 5/6``, and under it the failing properties by name
and the reasons for skips.  ``--conformance-json`` writes the same with every property's
tier, outcome, reason and shrunk falsifying example, per-tier totals, the versions and the
seed.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from spec.harness.selection import TIER_LINES, TIERS

OUTCOMES = ("passed", "failed", "skipped")


def with_tier_line(error: BaseException, tier: str) -> BaseException:
    """``error`` whose message starts with the line naming ``tier`` (see ``TIER_LINES``)."""
    line = TIER_LINES[tier]
    if isinstance(error, pytest.skip.Exception):
        return error
    if isinstance(error, BaseExceptionGroup):
        group = type(error)(f"{line}\n{error.message}", list(error.exceptions))
        group.__traceback__, group.__cause__ = error.__traceback__, error.__cause__
        group.__suppress_context__ = True
        for note in getattr(error, "__notes__", []):
            group.add_note(note)
        return group
    if isinstance(error, pytest.fail.Exception):
        error.msg = f"{line}\n{error.msg}"
    elif not str(error).startswith(line):
        error.args = (f"{line}\n{error.args[0]}" if error.args else line, *error.args[1:])
    return error


def clean_reason(text: str) -> str:
    """One sentence from a skip reason: no 'Skipped:' prefix, no notes Hypothesis appended."""
    first = text.strip().removeprefix("Skipped: ").splitlines()[0] if text.strip() else ""
    return first.strip()


def falsifying_example(text: str) -> str:
    """The 'Falsifying example: f(...)' block(s) Hypothesis printed, if any (Hypothesis
    6.170 and later say 'Failing test case:')."""
    lines = [re.sub(r"^E?\s?", "", line, count=1) for line in text.splitlines()]
    blocks, block, indent = [], [], None
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("Falsifying example:", "Failing test case:")):
            block, indent = [stripped], len(line) - len(stripped)
            if stripped.endswith(")"):
                blocks.append(block[0])
                indent = None
        elif indent is not None:
            depth = len(line) - len(stripped)
            block.append(line[indent:])
            if depth <= indent:  # the closing parenthesis of the call
                blocks.append("\n".join(block))
                indent = None
    return "\n".join(blocks)


def record(outcomes: dict[str, dict[str, Any]], report: pytest.TestReport) -> None:
    """Fold one test report (setup, call or teardown) into the outcome of its property."""
    properties = dict(report.user_properties)
    if "exercise" not in properties:
        return
    entry = outcomes.setdefault(
        report.nodeid,
        {
            "exercise": properties["exercise"],
            "title": properties.get("exercise_title", ""),
            "property": properties.get("claim", ""),
            "tier": properties.get("tier", "untiered"),
            "outcome": None,
            "reason": "",
            "falsifying_example": "",
            "duration": 0.0,
        },
    )
    entry["duration"] += report.duration
    if report.failed:
        entry["outcome"] = "failed"
        crash = getattr(report.longrepr, "reprcrash", None)
        entry["reason"] = (crash.message if crash else report.longreprtext).strip()[:2000]
        entry["falsifying_example"] = falsifying_example(report.longreprtext)
    elif report.skipped and entry["outcome"] != "failed":
        entry["outcome"] = "skipped"
        longrepr = report.longrepr
        text = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        entry["reason"] = clean_reason(text)
    elif report.when == "call" and report.passed and entry["outcome"] is None:
        entry["outcome"] = "passed"


def _versions() -> dict[str, str]:
    from importlib import metadata

    versions = {"python": sys.version.split()[0]}
    for package in ("numpy", "scipy", "torch", "hypothesis", "pytest"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def _counts() -> dict[str, int]:
    return dict.fromkeys(OUTCOMES, 0)


def conformance(config: pytest.Config) -> dict[str, Any]:
    """The per-exercise, per-tier, per-property summary of this run."""
    exercises: dict[str, dict[str, Any]] = {}
    for nodeid, entry in sorted(config._spec_outcomes.items()):  # type: ignore[attr-defined]
        row = exercises.setdefault(
            entry["exercise"],
            {
                "exercise": entry["exercise"],
                "title": entry["title"],
                **_counts(),
                "tiers": {tier: _counts() for tier in TIERS},
                "skip_reasons": Counter(),
                "properties": [],
            },
        )
        outcome = entry["outcome"] or "failed"
        row[outcome] += 1
        row["tiers"].setdefault(entry["tier"], _counts())[outcome] += 1
        if outcome == "skipped":
            row["skip_reasons"][entry["reason"]] += 1
        row["properties"].append(
            {
                "test": nodeid,
                "tier": entry["tier"],
                "claim": entry["property"],
                "outcome": outcome,
                "reason": entry["reason"],
                "falsifying_example": entry["falsifying_example"],
                "duration_s": round(entry["duration"], 3),
            }
        )
    rows = sorted(exercises.values(), key=lambda r: tuple(map(int, r["exercise"].split("."))))
    for row in rows:
        row["skip_reasons"] = dict(row["skip_reasons"])
    tiers_seen = sorted(
        {t for r in rows for t, counts in r["tiers"].items() if sum(counts.values())},
        key=_tier_order,
    )
    module = config._spec_impl_module  # type: ignore[attr-defined]
    profile = settings()  # the active profile
    return {
        "implementation": {
            "name": config._spec_impl_name,  # type: ignore[attr-defined]
            "module": getattr(module, "__name__", None),
            "file": getattr(module, "__file__", None),
            "isolated": bool(config.getoption("--isolate", False)),
        },
        "hypothesis": {
            "profile": settings._current_profile,
            "seed": None if profile.derandomize else getattr(config, "_spec_seed", None),
            "derandomize": profile.derandomize,
            "max_examples": profile.max_examples,
        },
        "versions": _versions(),
        "totals": {k: sum(r[k] for r in rows) for k in OUTCOMES},
        "totals_by_tier": {
            tier: {k: sum(r["tiers"].get(tier, _counts())[k] for r in rows) for k in OUTCOMES}
            for tier in tiers_seen
        },
        "exercises": rows,
    }


def _tier_order(tier: str) -> int:
    return TIERS.index(tier) if tier in TIERS else len(TIERS)


def tier_cell(tier: str, counts: dict[str, int]) -> str:
    """``claim 7/9`` (passed of all), with ``(2 skipped)`` where some did not run."""
    total = sum(counts.values())
    text = f"{tier} {counts['passed']}/{total}"
    return text + (f" ({counts['skipped']} skipped)" if counts["skipped"] else "")


def write_table(terminalreporter: Any, config: pytest.Config) -> None:
    """The conformance table at the end of the run, and the JSON if asked for."""
    report = conformance(config)
    if not report["exercises"]:
        return
    write = terminalreporter.write_line
    terminalreporter.section(f"conformance of {report['implementation']['name']}")
    for row in report["exercises"]:
        cells = " · ".join(
            tier_cell(tier, counts)
            for tier, counts in sorted(row["tiers"].items(), key=lambda kv: _tier_order(kv[0]))
            if sum(counts.values())
        )
        write(f"{row['exercise']:<6}{cells:<58}  {row['title'][:60]}")
        for prop in row["properties"]:
            if prop["outcome"] == "failed":
                name = prop["test"].rsplit("::", 1)[-1]
                write(f"{'':<6}failed ({prop['tier']}): {name}")
        for reason, count in row["skip_reasons"].items():
            write(f"{'':<6}skipped {count}: {reason[:90]}")
    totals = report["totals_by_tier"]
    write("all   " + " · ".join(tier_cell(tier, totals[tier]) for tier in totals))
    seed = report["hypothesis"]["seed"]
    if seed is not None:
        write(f"hypothesis seed {seed} (replay with --hypothesis-seed={seed})")
    path = config.getoption("--conformance-json")
    if path:
        Path(path).write_text(json.dumps(report, indent=2) + "\n")
        write(f"conformance written to {path}")
