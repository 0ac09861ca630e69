"""gen-avatar's embedded backend: the ICT head with sampled identity, colours, brows, hair cap; toon or shaded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fxcli.avatar.generate import GenRequest, run_generation


class EmbeddedAvatarGenerator:
    name = "embedded"
    model_id = "ict-face-light"
    styles = ("toon", "shaded")

    def __init__(self, arg: str | None = None, *, device: str = "auto", dtype: str = "auto", **_: Any):
        from fxcli.errors import UsageError

        if arg:
            raise UsageError(f"the embedded avatar generator takes no argument (got {arg!r})")
        self.model_hash = None

    def generate(self, req: GenRequest, report: Callable[[str], None] = lambda _: None,
                 progress: Callable[[int], None] | None = None) -> dict[str, Any]:
        from fxcli.rigs.ict_rig import IctRig

        req.model_id, req.model_hash = self.model_id, IctRig.load().model_hash
        return run_generation(req, report, progress)
