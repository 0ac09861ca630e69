"""ARKit-52 channels grouped by face region, as plots and capture reports show them."""

from __future__ import annotations

from fxcli.tracks.channels import ARKIT52

GROUPS: dict[str, tuple[str, ...]] = {
    "brows": tuple(n for n in ARKIT52 if n.startswith("brow")),
    "eyes": tuple(n for n in ARKIT52 if n.startswith("eye")),
    "mouth": tuple(n for n in ARKIT52 if n.startswith(("mouth", "cheek", "nose", "tongue"))),
    "jaw": tuple(n for n in ARKIT52 if n.startswith("jaw")),
}
assert sum(len(v) for v in GROUPS.values()) == len(ARKIT52)


def group_of(name: str) -> str:
    """The region an ARKit channel belongs to."""
    for group, names in GROUPS.items():
        if name in names:
            return group
    raise KeyError(name)
