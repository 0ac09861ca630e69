"""Portrait photos analysed once per test session (shared by the face, judge and score tests)."""

from __future__ import annotations

from functools import cache

from tests.conftest import PORTRAITS


def portrait_paths() -> list[str]:
    return [str(p) for p in sorted(PORTRAITS.glob("interfaces-*.jpg"))]


@cache
def image(path: str):
    from fxcli.face import load_image

    return load_image(path)


@cache
def faces(path: str):
    from fxcli.face import detect_faces

    return detect_faces(image(path))
