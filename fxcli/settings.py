"""Global settings shared by every subcommand, resolved as flag > FXE_* variable > recipe > default."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Settings:
    device: str = "auto"
    dtype: str = "auto"
    seed: int = 0
    verbose: int = 0
    quiet: bool = False
    traceback: bool = False
    force: bool = False  # make every output again (no resume)
    explicit: set[str] = field(default_factory=set)  # names given as flags on the command line

    @property
    def verbosity(self) -> int:
        return -1 if self.quiet else self.verbose
