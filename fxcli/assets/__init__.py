"""Vendored small models and data (see README.md here for sources and licenses)."""

from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent


def asset_path(*parts: str) -> Path:
    return ASSETS_DIR.joinpath(*parts)
