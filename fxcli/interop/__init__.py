"""Tracks to and from the formats animation tools use.

| format      | suffix        | read | write | what |
|-------------|---------------|------|-------|------|
| track       | .json .jsonl .npz | yes | yes | fxe.track/v1 |
| llf-csv     | .csv          | yes  | yes   | Live Link Face CSV (iPhone capture app; Unreal) |
| arkit-json  | .arkit.json   | yes  | yes   | ARKit-52 JSON for web rigs (fxcli.interop.arkit_json) |
| glb         | .glb          | no   | yes   | glTF 2.0: ICT head, 52 morph targets, animation |
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fxcli.errors import UsageError
from fxcli.tracks import Track

FORMATS = ("track", "llf-csv", "arkit-json", "glb")


def format_of(path: str, given: str | None = None) -> str:
    """The format named by --format, else by the file's suffix ('-' is a track)."""
    if given and given != "auto":
        if given not in FORMATS:
            raise UsageError(f"unknown format {given!r}", hint=f"use one of {', '.join(FORMATS)}")
        return given
    name = Path(path).name.lower()
    if name.endswith(".arkit.json"):
        return "arkit-json"
    if name.endswith(".csv"):
        return "llf-csv"
    if name.endswith(".glb"):
        return "glb"
    return "track"


def read_any(source: str, fmt: str | None = None) -> list[Track]:
    """Tracks from a file (or stdin) in any readable format."""
    kind = format_of(source, fmt)
    if kind == "track":
        from fxcli.tracks import read_tracks

        return read_tracks(source)
    if kind == "glb":
        raise UsageError("glb is an output format here", hint="read the track it was made from instead")
    from fxcli.io.inputs import read_bytes

    data = read_bytes(source)
    name = "stdin" if source == "-" else source
    if kind == "llf-csv":
        from fxcli.interop.live_link_face import read_live_link_face

        return [read_live_link_face(data, name)]
    from fxcli.interop.arkit_json import read_arkit_json

    return [read_arkit_json(data, name)]


def encode_any(tracks: list[Track], output: str, fmt: str | None = None,
               identity: np.ndarray | None = None) -> bytes:
    """The bytes of `tracks` in the output's format (one track for the non-track formats)."""
    kind = format_of(output, fmt)
    if kind == "track":
        from fxcli.tracks.track_io import encode_tracks, format_for_path

        return encode_tracks(tracks, "json" if output == "-" else format_for_path(output))
    if len(tracks) != 1:
        raise UsageError(f"{kind} holds one track, got {len(tracks)}",
                         hint="split them first, e.g. with --jobs, one output per track")
    if kind == "llf-csv":
        from fxcli.interop.live_link_face import write_live_link_face

        return write_live_link_face(tracks[0])
    if kind == "arkit-json":
        from fxcli.interop.arkit_json import write_arkit_json

        return write_arkit_json(tracks[0])
    from fxcli.interop.gltf_export import write_glb

    return write_glb(tracks[0], identity)
