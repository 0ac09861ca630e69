"""Expression targets of `gen-avatar`: `--expressions` / `--family` resolved through the expression library."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from fxcli.errors import UsageError

MAX_WEIGHT = 1.5  # above 1 ICT's shapes extrapolate (cartoon-like); beyond 1.5 the mesh folds
# Cartoon avatars exaggerate, as animators push key poses: alpha 1 is the library's AU recipe with each AU's
# intensity scaled by its gain here (EXAGGERATION for the rest), turned into ARKit weights and clipped to
# MAX_WEIGHT. At the library's own intensities the faces are mild enough that the FER judge calls most of
# them neutral, and ICT's shapes are not equally strong: its upper-lid raiser (AU5), lip-corner depressor
# (AU15), chin raiser (AU17) and jaw drop (AU26) move a few millimetres where the brows move a centimetre,
# so the eyes of surprise and the mouth of sadness need the larger push to read at 256 px.
EXAGGERATION = 1.5
AU_GAIN = {1: 2.2, 2: 2.2, 5: 1.8, 6: 1.8, 12: 1.9, 15: 2.6, 17: 2.2, 25: 2.5, 26: 4.0, 27: 1.6}
SIDED_GAIN = 2.0  # one-sided AUs (contempt's smirk, a confused single brow) carry the whole expression: more
HEAD_GAIN = 2.0  # head tilts and turns scale with the face


@dataclass
class Target:
    label: str  # what the user asked for ("happy", "a bitter half-smile")
    slug: str  # file-name form
    mixture: list[tuple[str, float]]  # library entries and weights (sum 1)
    weights: np.ndarray  # (52,) ARKit weights at alpha 1
    head: np.ndarray  # (3,) head rotation at alpha 1
    basic: str  # the FER class of the main entry
    how: str  # exact / synonym / semantic / family / all

    def at(self, alpha: float) -> tuple[np.ndarray, np.ndarray]:
        """ARKit weights (52,) and head rotation (3,) at intensity `alpha` (weights are already exaggerated)."""
        w = np.clip(self.weights * alpha, 0, MAX_WEIGHT).astype(np.float32)
        return w, (self.head * alpha).astype(np.float32)

    def description(self) -> str:
        """The expression as words: its name and the action units of its main entry (for prompts)."""
        from fxcli.expressions.library import load_library

        entry = load_library().by_name[self.mixture[0][0]]
        aus = ", ".join(f"AU{k} {v:g}" for k, v in sorted(entry.aus.items(), key=lambda kv: -kv[1])[:5])
        return f"{self.label} ({aus})" if aus else self.label


def avatar_pose(aus: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """The avatar's ARKit weights (52,) (clipped to MAX_WEIGHT) and head rotation (3,) for an AU recipe.

    The mapping is the library's (fxcli/expressions/au_arkit.py) with each AU's intensity scaled by its
    gain and the sum clipped at MAX_WEIGHT instead of 1.
    """
    from fxcli.expressions.au_arkit import au_recipe_to_arkit

    return au_recipe_to_arkit(aus, au_gain=lambda number, side: AU_GAIN.get(number, EXAGGERATION)
                              * (SIDED_GAIN if side else 1.0), head_gain=HEAD_GAIN, max_weight=MAX_WEIGHT)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48] or "expression"


def _from_entries(entries, how: str) -> list[Target]:
    return [Target(e.name, slugify(e.name), [(e.name, 1.0)], *avatar_pose(e.aus), e.basic, how) for e in entries]


def resolve_targets(expressions: str | None, family: str | None) -> list[Target]:
    """Targets from a comma list of names / free text ('all' for the whole library) and/or a family."""
    from fxcli.expressions.library import load_library
    from fxcli.expressions.resolve import resolve_expression

    lib = load_library()
    targets: list[Target] = []
    if family:
        chosen = lib.select(family)
        if not chosen:
            raise UsageError(f"unknown expression family {family!r}",
                             hint=f"use one of {', '.join(lib.families())} or a basic class such as happy")
        targets += _from_entries(chosen, "family")
    if expressions:
        for raw in [p.strip() for p in str(expressions).split(",")]:
            if not raw:
                raise UsageError(f"--expressions {expressions!r} holds an empty name")
            if raw.lower() == "all":
                targets += _from_entries(lib.entries, "all")
                continue
            res = resolve_expression(raw)
            mix = res.mixture()
            poses = [(wt, avatar_pose(lib.by_name[n].aus)) for n, wt in mix]
            w = np.clip(sum(wt * p[0] for wt, p in poses), 0.0, MAX_WEIGHT)
            h = sum(wt * p[1] for wt, p in poses)
            targets.append(Target(raw, slugify(raw), mix, np.asarray(w, np.float32), np.asarray(h, np.float32),
                                  lib.by_name[mix[0][0]].basic, res.how))
    if not targets:
        raise UsageError("no expression given", hint="use --expressions happy,sad or --family joy or --expressions all")
    seen, unique = set(), []
    for t in targets:
        if t.slug not in seen:
            seen.add(t.slug)
            unique.append(t)
    return unique
