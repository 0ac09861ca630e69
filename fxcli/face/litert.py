"""Loading tflite models with ai-edge-litert, quietly.

The runtime's C++ side prints "INFO: Created TensorFlow Lite XNNPACK delegate" straight to file
descriptor 2 when an interpreter is built; fxe's stderr carries only its own messages, so that
descriptor is pointed at /dev/null for the duration of the construction.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def load_interpreter(model: str | Path):
    from ai_edge_litert.interpreter import Interpreter

    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            try:
                it = Interpreter(model_path=str(model))
                it.allocate_tensors()
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)
    return it
