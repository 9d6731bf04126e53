"""Timing primitives for ``clubdesk bench``: samples, medians, p95, and the result record.

Every case is measured beside a floor (the same work done the plainest possible way)
in the same run, because on a shared machine only the ratio is stable.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Sample:
    name: str
    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def p95(self) -> float:
        return percentile(self.values, 95)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "median": round(self.median, 3), "p95": round(self.p95, 3)}


def percentile(values: tuple[float, ...] | list[float], pct: float) -> float:
    """Nearest-rank percentile: an observed value, never an interpolated one."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no samples")
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil
    return ordered[int(rank) - 1]


def time_ms(fn: Callable[[], object], n: int, warmup: int = 3) -> tuple[float, ...]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return tuple(out)


@dataclass
class CaseResult:
    case: str
    unit: str
    measured: Sample
    floor: Sample
    target: dict[str, float]
    peers: list[Sample] = field(default_factory=list)
    note: str = ""

    @property
    def meets_target(self) -> bool:
        checks = {"median": self.measured.median, "p95": self.measured.p95}
        checks["over_floor_p95"] = self.measured.p95 - self.floor.p95
        within = all(checks[key] <= limit for key, limit in self.target.items() if key in checks)
        # "peer_speedup": at least this many times faster (median) than every peer.
        speedup = self.target.get("peer_speedup")
        if speedup is not None:
            within = within and all(
                peer.median >= speedup * self.measured.median for peer in self.peers
            )
        return within

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "unit": self.unit,
            "n": len(self.measured.values),
            "median": round(self.measured.median, 3),
            "p95": round(self.measured.p95, 3),
            "target": self.target,
            "floor": self.floor.as_dict(),
            "peers": [p.as_dict() for p in self.peers],
            "meets_target": self.meets_target,
            "note": self.note,
        }
