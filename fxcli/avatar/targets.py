"""Expression targets of `gen-avatar`: `--expressions` / `--family` resolved through the expression library."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from fxcli.errors import UsageError

MAX_WEIGHT = 1.5  # above 1 ICT's shapes extrapolate (cartoon-like); beyond 1.5 the mesh folds
# cartoon avatars exaggerate: alpha 1 is the library's expression with its weights scaled by this gain
# (clipped to MAX_WEIGHT), as animators push key poses; at the library's own intensities the faces are
# mild enough that the FER judge calls most of them neutral
EXAGGERATION = 1.5


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
        w = np.clip(self.weights * (alpha * EXAGGERATION), 0, MAX_WEIGHT).astype(np.float32)
        return w, (self.head * alpha).astype(np.float32)

    def description(self) -> str:
        """The expression as words: its name and the action units of its main entry (for prompts)."""
        from fxcli.expressions.library import load_library

        entry = load_library().by_name[self.mixture[0][0]]
        aus = ", ".join(f"AU{k} {v:g}" for k, v in sorted(entry.aus.items(), key=lambda kv: -kv[1])[:5])
        return f"{self.label} ({aus})" if aus else self.label


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48] or "expression"


def _from_entries(entries, how: str) -> list[Target]:
    return [Target(e.name, slugify(e.name), [(e.name, 1.0)], e.weights.astype(np.float32),
                   e.head.astype(np.float32), e.basic, how) for e in entries]


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
            w = sum(wt * lib.by_name[n].weights for n, wt in mix)
            h = sum(wt * lib.by_name[n].head for n, wt in mix)
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
