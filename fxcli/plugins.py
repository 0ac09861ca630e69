"""Plugins (filled in below)."""

from __future__ import annotations


def plugin_trainers() -> dict[str, tuple[str, str]]:
    return {}
