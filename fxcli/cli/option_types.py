"""Option value types, declared once and used by every command, backend, recipe and --jobs line.

Click converts command-line flags, FXE_* variables, recipe values (`--recipe`) and job-line values
(`--jobs`) through these same types, so a rule such as "--fps is in (0, 240]" has exactly one home and
gives the same exit status (2) and message everywhere. NaN and infinities are refused by every float
type here (click's own FloatRange lets NaN through: every comparison with NaN is false).
"""

from __future__ import annotations

import math
from typing import Any

import click

from fxcli.contracts import MAX_ALPHA

MAX_FPS = 240.0  # frames per second of generated tracks and renders
MAX_SEED = 2**32 - 1  # seeds are 32-bit everywhere (numpy, torch and the jobs' per-line seeds)


class FiniteFloatRange(click.FloatRange):
    """A float in a range; NaN, infinities and non-numbers (lists, objects) are usage errors."""

    name = "float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, bool) or (not isinstance(value, (str, int, float))):
            self.fail(f"{_short(value)} is not a number", param, ctx)
        if isinstance(value, str) and not value.strip():
            self.fail("an empty value is not a number", param, ctx)
        try:
            number = float(value)
        except (ValueError, OverflowError):
            self.fail(f"{_short(value)} is not a number", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{_short(value)} is not a finite number", param, ctx)
        return super().convert(number, param, ctx)


class StrictIntRange(click.IntRange):
    """An integer in a range; floats, booleans, lists and 70-digit numbers are usage errors."""

    name = "integer"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.fail(f"{_short(value)} is not an integer", param, ctx)
        if isinstance(value, str):
            text = value.strip()
            if len(text.lstrip("+-")) > 30 or not text.lstrip("+-").isdigit():
                self.fail(f"{_short(value)} is not an integer" if len(text) <= 30 else
                          f"{_short(value)} is out of range", param, ctx)
            value = int(text)
        return super().convert(value, param, ctx)


class AlphaSpec(click.ParamType):
    """`--alpha` of edit: one number, START:STOP:STEP or a comma list, each in [0, MAX_ALPHA]."""

    name = "alpha"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from fxcli.edit.alpha_spec import parse_alphas
        from fxcli.errors import UsageError

        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(f"{_short(value)} is not a number, range or list", param, ctx)
        text = str(value)
        try:
            parse_alphas(text)
        except UsageError as exc:
            self.fail(exc.message, param, ctx)
        return text


class TextValue(click.ParamType):
    """A string option or argument (recipes and job lines may not give lists, numbers or objects)."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            self.fail(f"{_short(value)} is not a string", param, ctx)
        return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# one instance per rule
FPS = FiniteFloatRange(0.0, MAX_FPS, min_open=True)
SEED = StrictIntRange(0, MAX_SEED)
TEXT2FLAME_ALPHA = FiniteFloatRange(0.0, MAX_ALPHA)
ALPHA_SPEC = AlphaSpec()
SIMILARITY = FiniteFloatRange(-1.0, 1.0)  # cosine similarity thresholds (--min-id-sim)
FRACTION = FiniteFloatRange(0.0, 1.0, max_open=True)  # --dev-fraction, --dropout
POSITIVE_FLOAT = FiniteFloatRange(0.0, 1e6, min_open=True)  # --lr-mul
SIGMA = FiniteFloatRange(0.0, 3.0)  # gen-avatar --sigma, in standard deviations of ICT's identity modes
STRENGTH = FiniteFloatRange(0.0, 1.0)  # stylize --strength (img2img)
NON_NEGATIVE_INT = StrictIntRange(0, 10**9)
POSITIVE_INT = StrictIntRange(1, 10**9)  # --epochs, --batch-size, --warmup, --max-frames
FRAME_INDEX = StrictIntRange(0, 10**9)  # --frame
# model sizes: the same bounds a checkpoint's config.json is checked against (fxcli/train/cteg_checkpoint.py)
D_MODEL = StrictIntRange(1, 4096)
HEADS = StrictIntRange(1, 256)
FFN = StrictIntRange(1, 32768)
LAYERS = StrictIntRange(1, 64)
MAX_LEN = StrictIntRange(1, 100_000)
