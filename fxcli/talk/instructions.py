"""A talking instruction -> an emotion phrase that holds for the whole clip + motion actions over time.

Grammar (case-insensitive, English): the instruction is cut into clauses at ",", ";", "and", "then",
"while", "at the end". A clause that names a motion becomes an action; every other clause is emotion text
("talk happily", "with a slight smile", "extremely angry") for the text->emotion model.
Sequencing of actions: "then" (and ",", ";") starts an action when the previous one ends; "while" and
"and" start it together with the previous one; "at the end" places it at the end of the clip; the
first action starts at 0.3 s. Held actions (turn, tilt, look, close eyes, brows, smile, open mouth)
hold for HOLD seconds, or to the end of the clip when nothing follows them.

Motions: nod [N times], shake [head] [N times], turn [head] [to the] left/right, tilt [head] left/right,
look left/right/up/down, blink [N times], close [your] eyes, raise/lift [your] eyebrows, furrow/knit
[your] brows / frown, smile, open [your] mouth. Left and right are the avatar's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HOLD = 2.0  # seconds a held action lasts when another action follows it
RAMP = 0.35  # seconds of onset and offset of held actions
NOD_PERIOD = 0.55
SHAKE_PERIOD = 0.5
START = 0.3

_COUNTS = {"once": 1, "one time": 1, "twice": 2, "two times": 2, "thrice": 3, "three times": 3,
           "four times": 4, "five times": 5, "a few times": 3, "several times": 3, "repeatedly": 4}
_COUNT = r"(?:\s+(?P<count>once|twice|thrice|one time|two times|three times|four times|five times|" \
         r"a few times|several times|repeatedly|(?P<n>\d+)\s*times?))?"
_SIDE = r"(?:\s+(?:to|towards?)?\s*(?:the|your|his|her|its)?\s*)?(?P<side>left|right|up|down|upwards|downwards)"
_HEAD = r"(?:\s+(?:your|the|his|her|its)?\s*head)?"
MOTIONS: list[tuple[str, re.Pattern]] = [
    ("nod", re.compile(r"\bnod(?:s|ding|ded)?" + _HEAD + r"(?:\s+(?:yes|in agreement))?" + _COUNT)),
    ("shake", re.compile(r"\bshak(?:e|es|ing)" + _HEAD + r"(?:\s+(?:no|in disagreement))?" + _COUNT)),
    ("turn", re.compile(r"\b(?:turn|rotate|swivel)(?:s|ing|ed)?" + _HEAD + _SIDE)),
    ("tilt", re.compile(r"\b(?:tilt|lean|cock)(?:s|ing|ed)?" + _HEAD + _SIDE)),
    ("look", re.compile(r"\b(?:look|gaze|glance)(?:s|ing|ed)?" + _SIDE)),
    ("blink", re.compile(r"\bblink(?:s|ing|ed)?" + _COUNT)),
    ("close_eyes", re.compile(r"\b(?:clos(?:e|es|ed|ing)|shut(?:s|ting)?)\s+(?:your\s+|the\s+|both\s+)?eyes")),
    ("raise_brows", re.compile(r"\b(?:rais(?:e|es|ed|ing)|lift(?:s|ed|ing)?)\s+(?:your\s+|the\s+|both\s+)?"
                               r"(?:eye)?brows?")),
    ("furrow_brows", re.compile(r"\b(?:(?:furrow|knit|lower)(?:s|ing|ed)?\s+(?:your\s+|the\s+)?(?:eye)?brows?|frown(?:s|ing)?)")),
    ("smile", re.compile(r"^(?:and\s+)?(?:smile|smiles|smiling)\b(?!\s+(?:happily|sadly|angrily))")),
    ("open_mouth", re.compile(r"\bopen(?:s|ing)?\s+(?:your\s+|the\s+)?mouth(?:\s+wide)?")),
]
HELD = {"turn", "tilt", "look", "close_eyes", "raise_brows", "furrow_brows", "smile", "open_mouth"}
_SPLIT = re.compile(r"\s*(,|;|\bthen\b|\bwhile\b|\band\b|\bat the end\b|\bafterwards?\b|\bfinally\b)\s*")


@dataclass
class Action:
    kind: str
    start: float = 0.0  # seconds, set by `schedule`
    duration: float = 0.0
    count: int = 1
    side: str | None = None  # left/right/up/down
    text: str = ""
    at_end: bool = False
    held_to_end: bool = False


@dataclass
class Instruction:
    text: str
    emotion_text: str  # the clauses that are not motions, joined ("" when none)
    actions: list[Action] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # how each action follows the previous: then/while/end


def _count(m: re.Match) -> int:
    if m.groupdict().get("n"):
        return max(1, min(10, int(m.group("n"))))
    c = m.groupdict().get("count")
    return _COUNTS.get(c, 1) if c else 1


def _action(clause: str) -> Action | None:
    for kind, pattern in MOTIONS:
        m = pattern.search(clause)
        if m:
            side = m.groupdict().get("side")
            side = {"upwards": "up", "downwards": "down"}.get(side, side)
            if kind in ("turn", "tilt") and side in ("up", "down"):
                kind = "nod" if kind == "tilt" else "look"
            count = _count(m) if kind in ("nod", "shake", "blink") else 1
            return Action(kind, count=count, side=side, text=clause)
    return None


def parse_instruction(text: str | None) -> Instruction:
    """Split `text` into emotion text and motion actions (not yet timed; see `schedule`)."""
    text = " ".join((text or "").split())
    if not text:
        return Instruction("", "")
    parts = _SPLIT.split(text.lower())
    emotion: list[str] = []
    actions: list[Action] = []
    links: list[str] = []
    link = "then"
    for part in parts:
        if not part:
            continue
        if _SPLIT.fullmatch(part) or part in (",", ";"):
            word = part.strip()
            link = {"while": "while", "and": "while", "at the end": "end", "finally": "end"}.get(word, "then")
            continue
        act = _action(part)
        if act is None:
            emotion.append(part.strip(" ."))
            continue
        act.at_end = link == "end"
        actions.append(act)
        links.append(link)
        link = "then"
    return Instruction(text, ", ".join(e for e in emotion if e), actions, links)


def _length(a: Action) -> float:
    if a.kind == "nod":
        return NOD_PERIOD * a.count
    if a.kind == "shake":
        return SHAKE_PERIOD * a.count
    if a.kind == "blink":
        return 0.35 * a.count
    return HOLD


def schedule(instruction: Instruction, duration: float) -> list[Action]:
    """Give each action its start and duration inside a clip of `duration` seconds."""
    t = START
    prev: Action | None = None
    out = []
    for a, link in zip(instruction.actions, instruction.links, strict=False):
        length = _length(a)
        if a.at_end:
            start = max(0.0, duration - length - 0.2)
        elif link == "while" and prev is not None:
            start = prev.start
        else:
            start = t
        a.start, a.duration = start, length
        out.append(a)
        if not a.at_end:
            t = max(t, start + length + (RAMP if a.kind in HELD else 0.1))
        prev = a
    # a held action with nothing after it holds to the end of the clip
    for i, a in enumerate(out):
        later = [b for b in out[i + 1:] if b.start >= a.start + a.duration - 1e-6 and not b.at_end]
        if a.kind in HELD and not later and not a.at_end:
            a.duration = max(a.duration, duration - a.start)
            a.held_to_end = True
    return out
