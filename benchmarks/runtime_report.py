"""The results of benchmarks/runtime.py: a markdown table per thread count and a JSON record.

A row holds a case's medians (µs per forward) per implementation, or the text of why a cell
has none; the table adds each ember and onnxruntime median divided by TorchScript's from C++,
and whether ember meets the issue's target (runtime_cases.Target): ember C++ against
TorchScript C++, ember.cpp against TorchScript from Python. The JSON keeps the same rows with
numbers as numbers (a missing cell is null, its reason under "notes"), for charts.

>>> cell(1234.5), cell(12.345), cell(1.2345)
('1,234', '12.3', '1.23')
"""

from __future__ import annotations

import json
from pathlib import Path

from runtime_cases import Case

COLUMNS = {
    "torchscript_python": "TorchScript (Python)",
    "torchscript_cpp": "TorchScript (C++)",
    "ember_python": "ember.cpp (Python)",
    "ember_cpp": "ember (C++)",
    "onnxruntime": "onnxruntime",
    "openblas_floor": "OpenBLAS floor",
}
RATIOS = {"ember_cpp": "ember C++", "ember_python": "ember.cpp", "onnxruntime": "onnxruntime"}
BASE = "torchscript_cpp"


def cell(value) -> str:
    """A median in µs as the table shows it, or the reason there is none."""
    if not isinstance(value, float):
        return str(value)
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def ratio(value, base) -> float | None:
    if isinstance(value, float) and isinstance(base, float) and base > 0:
        return value / base
    return None


def target_met(case: Case, times: dict) -> dict:
    """{"cpp": bool or None, "python": bool or None}: ember against the case's target."""
    pairs = {
        "cpp": ("ember_cpp", "torchscript_cpp"),
        "python": ("ember_python", "torchscript_python"),
    }
    met = {}
    for i, (side, (ours, theirs)) in enumerate(pairs.items()):
        value = times.get(ours)
        if not isinstance(value, float):
            met[side] = None
        elif case.target.limit_us is not None:
            met[side] = value <= case.target.limit_us[i]
        else:
            r = ratio(value, times.get(theirs))
            met[side] = None if r is None else r <= case.target.ratio
    return met


def record(case: Case, threads: int, measured: dict) -> dict:
    """The JSON row of `case` at `threads` from CaseTimer.run's result."""
    times = {k: measured[k] for k in COLUMNS}
    return {
        "case": case.key,
        "label": case.label,
        "group": case.group,
        "inputs": list(case.specs),
        "threads": threads,
        "iters": measured["iters"],
        "rounds": measured["rounds"],
        "median_us": {k: v if isinstance(v, float) else None for k, v in times.items()},
        "notes": {k: v for k, v in times.items() if not isinstance(v, float)},
        "ratio_to_torchscript_cpp": {k: ratio(times[k], times[BASE]) for k in RATIOS},
        "target": case.target.text(),
        "target_met": target_met(case, times),
    }


def _verdict(row: dict) -> str:
    met = row["target_met"]
    sides = [f"{name} {'✓' if met[k] else '✗'}" for k, name in (("cpp", "C++"), ("python", "Py"))
             if met[k] is not None]  # fmt: skip
    return f"{row['target']}: {', '.join(sides) or 'not measured'}"


def table(rows: list[dict]) -> str:
    """Markdown: one table per thread count, µs per forward and ratios to TorchScript C++."""
    out = []
    for threads in sorted({r["threads"] for r in rows}):
        out += [f"{threads} thread{'s' if threads > 1 else ''}, µs per forward (medians):", ""]
        head = ["model", *COLUMNS.values(), *(f"{n} / TS C++" for n in RATIOS.values()), "target"]
        out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for row in (r for r in rows if r["threads"] == threads):
            times = [cell(row["median_us"][k] or row["notes"].get(k)) for k in COLUMNS]
            ratios = [row["ratio_to_torchscript_cpp"][k] for k in RATIOS]
            ratio_cells = [f"{r:.2f}×" if r is not None else "—" for r in ratios]
            out.append(
                "| " + " | ".join([row["label"], *times, *ratio_cells, _verdict(row)]) + " |"
            )
        out.append("")
    return "\n".join(out)


def summary(rows: list[dict]) -> str:
    """Which rows miss their target, per thread count."""
    lines = []
    for threads in sorted({r["threads"] for r in rows}):
        missed = [r["label"] for r in rows if r["threads"] == threads
                  and False in r["target_met"].values()]  # fmt: skip
        total = sum(1 for r in rows if r["threads"] == threads)
        lines.append(f"{threads} thread(s): {total - len(missed)} of {total} rows meet their "
                     f"target" + (f"; missed: {', '.join(missed)}" if missed else ""))  # fmt: skip
    return "\n".join(lines)


def write(path: Path, meta: dict, rows: list[dict], markdown: str) -> None:
    """runtime.json (meta and rows) and runtime.md (the printed tables) into path's folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"meta": meta, "rows": rows}, indent=1, ensure_ascii=False))
    path.with_suffix(".md").write_text(markdown)
