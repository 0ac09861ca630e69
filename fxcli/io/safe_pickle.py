"""Restricted unpickling: only the globals a caller allows are ever looked up, and what they build is checked.

Used for the few pickle formats of the field (FLAME `.pkl`, EmoAva data). Anything else in the
stream (os.system, builtins.eval, arbitrary classes) raises InvalidInputError before it can run.
Allowed globals are not trusted either: numpy dtypes with object or structured fields (an object field
over raw bytes is a pointer forged from file data: a crash), numpy arrays whose declared shape does not
fit their data, and constructor calls that would allocate more than MAX_CONSTRUCT_ELEMENTS are refused
before anything uses them. The pure-Python unpickler is used so each building step can be checked.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Mapping
from typing import Any

from fxcli.errors import InvalidInputError

MAX_CONSTRUCT_ELEMENTS = 1 << 16  # arrays created empty by _reconstruct/ndarray(): real pickles use shape (0,)
MAX_PICKLE_BYTES = 512 * 2**20


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    # protocol-2 pickles written by Python 3 store bytes (array data) as _codecs.encode(text, "latin1")
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise InvalidInputError(f"refusing _codecs.encode with encoding {encoding!r}")
    return text.encode("latin1")


def numpy_globals() -> dict[tuple[str, str], Any]:
    """Globals that plain numpy arrays need, under both numpy 1.x and 2.x module names (protocols 2 to 5)."""
    import numpy as np
    from numpy._core.multiarray import _reconstruct, scalar

    out: dict[tuple[str, str], Any] = {("numpy", "ndarray"): np.ndarray, ("numpy", "dtype"): np.dtype,
                                       ("_codecs", "encode"): _latin1_encode}
    for module in ("numpy.core.multiarray", "numpy._core.multiarray"):
        out[(module, "_reconstruct")] = _reconstruct
        out[(module, "scalar")] = scalar
    for module in ("__builtin__", "builtins"):
        out[(module, "bytes")] = _empty_bytes  # protocol 2 writes b"" (an empty array's data) as bytes()
    for module in ("numpy.core.numeric", "numpy._core.numeric"):
        out[(module, "_frombuffer")] = _frombuffer  # protocol 5 out-of-band style array pickles
    return out


def _empty_bytes(*args: Any) -> bytes:
    if args:  # bytes(n) would allocate n bytes from one number in the stream
        raise InvalidInputError("refusing bytes() with arguments in a pickle")
    return b""


def _frombuffer(buf: Any, dtype: Any, shape: Any, order: str) -> Any:
    import numpy as np

    dtype = check_dtype(np.dtype(dtype), "array")
    n = _count(shape)
    if not isinstance(buf, (bytes, bytearray, memoryview)) or n * dtype.itemsize != len(memoryview(buf).cast("B")):
        raise InvalidInputError(f"array data does not match its declared shape {tuple(shape)}")
    return np.frombuffer(buf, dtype=dtype).reshape(shape, order=order).copy()


def _count(shape: Any) -> int:
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(isinstance(d, int) and not isinstance(d, bool) for d in shape):
        raise InvalidInputError(f"array shape {shape!r} is not a tuple of integers")
    n = 1
    for d in shape:
        if d < 0:
            raise InvalidInputError(f"negative array dimension in {tuple(shape)}")
        n *= d
    return n


def check_dtype(dtype: Any, what: str) -> Any:
    """Refuse numpy dtypes holding Python objects or named fields (structured or void-with-fields)."""
    import numpy as np

    if isinstance(dtype, np.dtype) and (dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None):
        raise InvalidInputError(f"refusing {what} of dtype {dtype!s} (object or structured dtypes are not allowed)")
    return dtype


class _Restricted(pickle._Unpickler):  # noqa: SLF001 - the Python unpickler: its steps can be checked
    dispatch = dict(pickle._Unpickler.dispatch)  # noqa: SLF001

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

    def _call(self, func: Any, args: tuple, kwargs: dict | None = None) -> Any:
        """Call an allowed global with arguments from the stream, checking what numpy would allocate."""
        import numpy as np
        from numpy._core.multiarray import _reconstruct

        if isinstance(func, type) and issubclass(func, np.ndarray):
            if args and _count(args[0]) > MAX_CONSTRUCT_ELEMENTS:
                raise InvalidInputError(f"{self.name}: refusing to allocate an array of shape {tuple(args[0])}")
        elif func is _reconstruct:
            if len(args) != 3 or not (isinstance(args[0], type) and issubclass(args[0], np.ndarray)):
                raise InvalidInputError(f"{self.name}: malformed numpy array reconstruction")
            if _count(args[1]) > MAX_CONSTRUCT_ELEMENTS:
                raise InvalidInputError(f"{self.name}: refusing to allocate an array of shape {tuple(args[1])}")
        result = func(*args, **(kwargs or {}))
        if isinstance(result, np.dtype):
            check_dtype(result, f"{self.name}: a value")
        if isinstance(result, np.ndarray):
            check_dtype(result.dtype, f"{self.name}: an array")
        if isinstance(result, np.generic):
            check_dtype(result.dtype, f"{self.name}: a scalar")
        return result

    def load_reduce(self) -> None:
        stack = self.stack
        args = stack.pop()
        if not isinstance(args, tuple):
            raise InvalidInputError(f"{self.name}: malformed pickle (REDUCE arguments are not a tuple)")
        stack[-1] = self._call(stack[-1], args)

    dispatch[pickle.REDUCE[0]] = load_reduce

    def load_newobj(self) -> None:
        args = self.stack.pop()
        cls = self.stack.pop()
        self.append(self._call(lambda *a: cls.__new__(cls, *a), args) if not _is_array_type(cls)
                    else self._call(cls, args))

    dispatch[pickle.NEWOBJ[0]] = load_newobj

    def load_newobj_ex(self) -> None:
        kwargs = self.stack.pop()
        args = self.stack.pop()
        cls = self.stack.pop()
        if _is_array_type(cls):
            raise InvalidInputError(f"{self.name}: refusing to construct a numpy array with keyword arguments")
        self.append(self._call(lambda *a, **k: cls.__new__(cls, *a, **k), args, kwargs))

    dispatch[pickle.NEWOBJ_EX[0]] = load_newobj_ex

    def _instantiate(self, klass: Any, args: list) -> None:
        self.append(self._call(klass, tuple(args)))

    def load_build(self) -> None:
        import numpy as np

        state = self.stack[-1]
        inst = self.stack[-2]
        if isinstance(inst, np.ndarray):
            _check_array_state(state, self.name)
        super().load_build()
        if isinstance(inst, np.dtype):
            check_dtype(inst, f"{self.name}: a value")  # a dtype's fields arrive with its state

    dispatch[pickle.BUILD[0]] = load_build


def _is_array_type(cls: Any) -> bool:
    import numpy as np

    return isinstance(cls, type) and issubclass(cls, np.ndarray)


def _check_array_state(state: Any, name: str) -> None:
    """ndarray.__setstate__((version, shape, dtype, is_fortran, data)): plain dtype, data exactly the shape's size."""
    import numpy as np

    if not isinstance(state, tuple) or len(state) not in (4, 5):
        raise InvalidInputError(f"{name}: malformed numpy array state")
    shape, dtype, raw = (state[1], state[2], state[4]) if len(state) == 5 else (state[0], state[1], state[3])
    if not isinstance(dtype, np.dtype):
        raise InvalidInputError(f"{name}: malformed numpy array state (no dtype)")
    check_dtype(dtype, f"{name}: an array")
    if not isinstance(raw, (bytes, bytearray, str)):
        raise InvalidInputError(f"{name}: array data is not raw bytes")
    if _count(shape) * dtype.itemsize != len(raw):
        raise InvalidInputError(f"{name}: array data ({len(raw):,} bytes) does not match its shape {tuple(shape)}")


def restricted_loads(data: bytes, allowed: Mapping[tuple[str, str], Any], name: str = "pickle") -> Any:
    """Unpickle `data`, resolving only the (module, name) globals in `allowed` (mapped to objects)."""
    if len(data) > MAX_PICKLE_BYTES:
        raise InvalidInputError(f"{name}: pickle larger than {MAX_PICKLE_BYTES // 2**20} MiB")
    try:
        return _Restricted(io.BytesIO(data), allowed, name).load()
    except InvalidInputError:
        raise
    except RecursionError:
        raise InvalidInputError(f"{name}: pickle nested too deeply") from None
    except MemoryError:
        raise InvalidInputError(f"{name}: pickle asks for more memory than it can describe") from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError,
            OverflowError, UnicodeDecodeError, struct_error()) as exc:
        raise InvalidInputError(f"{name}: not a readable pickle ({type(exc).__name__}: {exc})") from exc


def struct_error() -> type[Exception]:
    import struct

    return struct.error
