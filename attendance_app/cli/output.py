"""Small helpers for command output: JSON lines, tables, progress bars on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from tqdm import tqdm


def print_json(obj: Any) -> None:
    """One JSON object on one line of stdout (benchmarks: the last line is the result)."""
    print(json.dumps(obj, default=str, ensure_ascii=False), flush=True)


def print_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A plain aligned text table on stdout."""
    rows = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)))


def print_result(result: dict, as_json: bool) -> int:
    """A benchmark's result: one JSON line, or a metric/value table. Returns exit code 0."""
    if as_json:
        print_json(result)
    else:
        print_table(["metric", "value"], list(result.items()))
    return 0


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return "" if value is None else str(value)


class ProgressBar:
    """A tqdm bar on stderr driven by `(done, total, message)` callbacks; silent when not a tty
    and `quiet` is set (JSON mode keeps stdout clean either way)."""

    def __init__(self, description: str, quiet: bool = False) -> None:
        self._bar: tqdm | None = None
        self._description = description
        self._quiet = quiet

    def __call__(self, done: int, total: int, message: str = "") -> bool:
        if self._quiet:
            return True
        if self._bar is None:
            self._bar = tqdm(total=total, desc=self._description, file=sys.stderr,
                             leave=False, dynamic_ncols=True)
        self._bar.total = total
        self._bar.n = done
        if message:
            self._bar.set_postfix_str(message[:40], refresh=False)
        self._bar.refresh()
        return True  # never cancels

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
