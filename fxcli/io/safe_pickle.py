"""Restricted unpickling: only the globals a caller allows are ever looked up.

Used for the few pickle formats of the field (FLAME `.pkl`, EmoAva data). Anything else in the
stream (os.system, builtins.eval, arbitrary classes) raises InvalidInputError before it can run.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Mapping
from typing import Any

from fxcli.errors import InvalidInputError


def numpy_globals() -> dict[tuple[str, str], Any]:
    """Globals that plain numpy arrays need, under both numpy 1.x and 2.x module names."""
    import numpy as np
    from numpy._core.multiarray import _reconstruct, scalar

    out: dict[tuple[str, str], Any] = {("numpy", "ndarray"): np.ndarray, ("numpy", "dtype"): np.dtype}
    for module in ("numpy.core.multiarray", "numpy._core.multiarray"):
        out[(module, "_reconstruct")] = _reconstruct
        out[(module, "scalar")] = scalar
    return out


class _Restricted(pickle.Unpickler):
    def __init__(self, file, allowed: Mapping[tuple[str, str], Any], name: str):
        super().__init__(file, encoding="latin1")
        self.allowed, self.name = allowed, name

    def find_class(self, module: str, name: str) -> Any:
        try:
            return self.allowed[(module, name)]
        except KeyError:
            raise InvalidInputError(
                f"{self.name}: refusing to unpickle {module}.{name} (not an allowed type for this file)"
            ) from None


def restricted_loads(data: bytes, allowed: Mapping[tuple[str, str], Any], name: str = "pickle") -> Any:
    """Unpickle `data`, resolving only the (module, name) globals in `allowed` (mapped to objects)."""
    try:
        return _Restricted(io.BytesIO(data), allowed, name).load()
    except InvalidInputError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise InvalidInputError(f"{name}: not a readable pickle ({type(exc).__name__}: {exc})") from exc
