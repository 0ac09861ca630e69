"""Parsing of `--alpha` values and `name:weight` blend terms.

`--alpha` is one number (`0.7`), a range START:STOP:STEP (`0:1.5:0.25`, STOP included when it falls on
the grid), or a comma list (`0,0.5,1`). Alphas are >= 0; above 1 they extrapolate, up to MAX_ALPHA
(the PixelSmile authors' limit, also a sensible limit for the geometric editor).
"""

from __future__ import annotations

import math

from fxcli.contracts import MAX_ALPHA
from fxcli.errors import UsageError

MAX_ITEMS = 1000
_GRID_EPS = 1e-9


def _number(text: str, what: str, spec: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"--alpha {spec!r}: {what} {text!r} is not a number",
                         hint="use e.g. 0.7, 0:1.5:0.25 or 0,0.5,1") from None
    if not math.isfinite(value):
        raise UsageError(f"--alpha {spec!r}: {what} must be finite")
    return value


def _check(value: float, spec: str) -> float:
    if value < 0:
        raise UsageError(f"--alpha {spec!r}: alpha must be >= 0, got {value:g}",
                         hint="0 keeps the face as it is, 1 is the full expression")
    if value > MAX_ALPHA:
        raise UsageError(f"--alpha {spec!r}: alpha {value:g} is above the extrapolation limit {MAX_ALPHA:g}")
    return value


def parse_alphas(spec: str) -> list[float]:
    """'0.7' -> [0.7]; '0:1:0.25' -> [0, 0.25, 0.5, 0.75, 1]; '0,0.5,1' -> [0, 0.5, 1]."""
    text = str(spec).strip()
    if not text:
        raise UsageError("--alpha is empty", hint="use e.g. 0.7, 0:1.5:0.25 or 0,0.5,1")
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise UsageError(f"--alpha {spec!r}: a range is START:STOP:STEP", hint="e.g. 0:1.5:0.25")
        start, stop, step = (_number(p.strip(), w, text) for p, w in zip(parts, ("START", "STOP", "STEP"), strict=True))
        if step <= 0:
            raise UsageError(f"--alpha {spec!r}: STEP must be > 0, got {step:g}")
        if stop < start:
            raise UsageError(f"--alpha {spec!r}: STOP {stop:g} is below START {start:g}")
        _check(start, text)
        _check(stop, text)
        count = math.floor((stop - start) / step + _GRID_EPS) + 1
        if count > MAX_ITEMS:
            raise UsageError(f"--alpha {spec!r}: {count} values, more than {MAX_ITEMS}", hint="use a larger STEP")
        # round away float noise so 0.1 * 3 prints and names as 0.3
        return [round(start + i * step, 10) for i in range(count)]
    values = [_check(_number(p.strip(), "value", text), text) for p in text.split(",")]
    if len(values) > MAX_ITEMS:
        raise UsageError(f"--alpha {spec!r}: more than {MAX_ITEMS} values")
    if len(set(values)) != len(values):
        raise UsageError(f"--alpha {spec!r}: a value is repeated")
    return values


def parse_blend_term(term: str) -> tuple[str, float]:
    """'happy:0.6' -> ('happy', 0.6); 'surprised' -> ('surprised', 1.0). The name may hold spaces."""
    name, sep, weight_text = str(term).rpartition(":")
    if not sep:
        name, weight = str(term), 1.0
    else:
        try:
            weight = float(weight_text)
        except ValueError:
            raise UsageError(f"blend term {term!r}: weight {weight_text!r} is not a number",
                             hint="write NAME:WEIGHT, e.g. happy:0.6") from None
    name = name.strip()
    if not name:
        raise UsageError(f"blend term {term!r} has no expression name", hint="write NAME:WEIGHT, e.g. happy:0.6")
    if not math.isfinite(weight) or weight < 0 or weight > MAX_ALPHA:
        raise UsageError(f"blend term {term!r}: weight must be in 0..{MAX_ALPHA:g}")
    return name, weight


MAX_BLEND_TERMS = 16  # more expressions than this in one blend is a mistake, not a mixture


def parse_blend_terms(terms) -> list[tuple[str, float]]:
    """A blend's terms (a list of 'NAME:WEIGHT' strings) parsed; at most MAX_BLEND_TERMS, and their weights summing
    to at most MAX_ALPHA (the same extrapolation limit as one expression's alpha)."""
    if isinstance(terms, (str, bytes, dict)) or not isinstance(terms, (list, tuple)):
        raise UsageError("blend terms must be a list of NAME:WEIGHT strings", hint='e.g. ["happy:0.6", "sad:0.2"]')
    if not all(isinstance(t, str) for t in terms):
        raise UsageError("blend terms must be NAME:WEIGHT strings", hint='e.g. ["happy:0.6", "sad:0.2"]')
    if len(terms) > MAX_BLEND_TERMS:
        raise UsageError(f"{len(terms)} blend terms; at most {MAX_BLEND_TERMS}")
    parsed = [parse_blend_term(t) for t in terms]
    total = sum(w for _, w in parsed)
    if total > MAX_ALPHA + 1e-9:
        raise UsageError(f"blend weights sum to {total:g}, above the extrapolation limit {MAX_ALPHA:g}",
                         hint="lower the weights")
    return parsed


def format_alpha(alpha: float) -> str:
    """Alpha as it appears in file names and labels: two decimals unless more are needed (0.125)."""
    short = f"{alpha:.2f}"
    return short if abs(float(short) - alpha) < 1e-9 else f"{alpha:.6g}"
