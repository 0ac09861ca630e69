"""Reading the user's licensed FLAME model file (2020 `generic_model.pkl`, 2023 Open) without trusting it.

FLAME 2020 pickles chumpy objects (`chumpy.ch.Ch` holding arrays in their state) and a scipy CSC matrix
for `J_regressor`. Neither library is needed or imported: the restricted unpickler maps exactly those
classes to inert stand-ins that only keep their pickled state, from which the arrays are taken. Anything
else in the file (os.system, eval, other classes) is refused (exit 3). The arrays are cached as npz under
$FXE_HOME/cache/flame/, keyed by the file's sha256, so later runs skip the pickle.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from fxcli.errors import InvalidInputError, ModelMissingError

KEYS = ("v_template", "f", "shapedirs", "posedirs", "J_regressor", "weights", "kintree_table")
N_JOINTS = 5  # global, neck, jaw, left eye, right eye
CACHE_VERSION = 1


class PickledState:
    """Inert stand-in for a pickled class instance: it only stores what the pickle gives it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args, self.state = args, {}

    def __setstate__(self, state: Any) -> None:
        self.state = state if isinstance(state, dict) else {"state": state}


class ChumpyArray(PickledState):
    """chumpy.ch.Ch and its subclasses: the array is the state's `x`."""


class ChumpyOp(PickledState):
    """chumpy operator nodes (add, subtract, multiply ...): evaluated from operands `a` and `b`."""

    OPS = {"add": np.add, "subtract": np.subtract, "multiply": np.multiply, "divide": np.divide,
           "Ch": None}


class SparseMatrixState(PickledState):
    """scipy.sparse CSC/CSR matrices: rebuilt as dense arrays from data, indices, indptr and shape."""


def _reconstructor(cls: type, base: type, state: Any) -> PickledState:
    # copyreg._reconstructor(cls, object, None): only the stand-in classes ever reach here
    if not (isinstance(cls, type) and issubclass(cls, PickledState)):
        raise InvalidInputError(f"refusing to reconstruct {cls!r}")
    return cls.__new__(cls)


def _new_object(cls: type, *args: Any) -> PickledState:
    # copyreg.__newobj__ / object.__new__ (protocol 2 NEWOBJ is handled by the unpickler itself)
    if not (isinstance(cls, type) and issubclass(cls, PickledState)):
        raise InvalidInputError(f"refusing to construct {cls!r}")
    return cls.__new__(cls)


def allowed_globals() -> dict[tuple[str, str], Any]:
    """The allowlist: numpy arrays, chumpy classes and scipy sparse matrices, all mapped to stand-ins."""
    from fxcli.io.safe_pickle import numpy_globals

    allowed = dict(numpy_globals())
    for mod in ("copy_reg", "copyreg"):
        allowed[(mod, "_reconstructor")] = _reconstructor
        allowed[(mod, "__newobj__")] = _new_object
    for mod in ("__builtin__", "builtins"):
        allowed[(mod, "object")] = object
        for container in (set, frozenset, list, dict, tuple):  # chumpy state holds e.g. a set of dirty vars
            allowed[(mod, container.__name__)] = container
    for name in ("Ch", "Select", "Reorder", "Concatenate", "Transpose", "Permute"):
        for mod in ("chumpy.ch", "chumpy.reordering"):
            allowed[(mod, name)] = ChumpyArray
    for name in ("add", "subtract", "multiply", "divide"):
        allowed[("chumpy.ch_ops", name)] = type(f"chumpy_{name}", (ChumpyOp,), {"op": name})
    for mod in ("scipy.sparse.csc", "scipy.sparse._csc", "scipy.sparse.csr", "scipy.sparse._csr"):
        for name in ("csc_matrix", "csr_matrix", "csc_array", "csr_array"):
            allowed[(mod, name)] = type(name, (SparseMatrixState,), {"fmt": name[:3]})
    return allowed


MAX_DEPTH = 32  # chumpy operator nesting: FLAME files use one or two levels
MAX_ELEMENTS = 1 << 26  # any one FLAME array (posedirs: 5023 x 3 x 36 = 0.5 M)


def to_array(value: Any, key: str, name: str, depth: int = 0) -> np.ndarray:
    """An ndarray from a stand-in (or plain array), evaluating chumpy operator nodes (depth-capped)."""
    if depth > MAX_DEPTH:
        raise InvalidInputError(f"{name}: {key} nests chumpy objects more than {MAX_DEPTH} deep (or in a cycle)")
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, ChumpyOp):
        op = ChumpyOp.OPS[type(value).op]
        a = to_array(value.state.get("a"), key, name, depth + 1)
        b = to_array(value.state.get("b"), key, name, depth + 1)
        try:
            if int(np.prod(np.broadcast_shapes(a.shape, b.shape))) > MAX_ELEMENTS:
                raise InvalidInputError(f"{name}: {key} is larger than any FLAME array")
            with np.errstate(all="ignore"):
                return op(a, b)
        except (ValueError, TypeError) as exc:
            raise InvalidInputError(f"{name}: {key}: chumpy operands do not combine ({exc})") from None
    if isinstance(value, ChumpyArray):
        if "x" not in value.state:
            raise InvalidInputError(f"{name}: {key} is a chumpy object without an array ('x')")
        return to_array(value.state["x"], key, name, depth + 1)
    if isinstance(value, SparseMatrixState):
        return _sparse_to_dense(value, key, name)
    if isinstance(value, (list, tuple, int, float)):
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError, RecursionError) as exc:
            raise InvalidInputError(f"{name}: {key} is not a numeric array ({type(exc).__name__})") from None
        if arr.dtype.kind not in "biuf":
            raise InvalidInputError(f"{name}: {key} is not a numeric array")
        return arr
    raise InvalidInputError(f"{name}: {key} is a {type(value).__name__}, expected an array")


def _sparse_to_dense(value: SparseMatrixState, key: str, name: str) -> np.ndarray:
    s = value.state
    try:
        data, indices, indptr = (np.asarray(s[k]) for k in ("data", "indices", "indptr"))
        shape = tuple(int(n) for n in s.get("_shape") or s["shape"])
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise InvalidInputError(f"{name}: {key} is a sparse matrix without data/indices/indptr/shape") from exc
    if len(shape) != 2 or min(shape) < 0 or shape[0] * shape[1] > MAX_ELEMENTS:
        raise InvalidInputError(f"{name}: {key} sparse matrix has shape {shape}, not a FLAME regressor's")
    if data.dtype.kind not in "biuf" or indices.dtype.kind not in "iu" or indptr.dtype.kind not in "iu":
        raise InvalidInputError(f"{name}: {key} sparse matrix arrays are not numeric")
    major, minor = (shape[1], shape[0]) if type(value).fmt == "csc" else shape
    if (len(indptr) != major + 1 or len(indices) != len(data) or (len(indices) and indices.max() >= minor)
            or (len(indices) and indices.min() < 0) or (len(indptr) and (indptr[0] != 0 or indptr[-1] != len(data)
                                                                          or (np.diff(indptr) < 0).any()))):
        raise InvalidInputError(f"{name}: {key} sparse matrix is inconsistent")
    dense = np.zeros(shape, np.float64)
    counts = np.diff(indptr)
    majors = np.repeat(np.arange(major), counts)
    if type(value).fmt == "csc":
        np.add.at(dense, (indices, majors), data)
    else:
        np.add.at(dense, (majors, indices), data)
    return dense


def parse_flame_pickle(data: bytes, name: str = "FLAME model") -> dict[str, np.ndarray]:
    """The FLAME arrays from pickle bytes, checked for consistent shapes."""
    from fxcli.io.safe_pickle import restricted_loads

    obj = restricted_loads(data, allowed_globals(), name)
    if isinstance(obj, PickledState):
        obj = obj.state
    if not isinstance(obj, dict):
        raise InvalidInputError(f"{name}: expected a dictionary of FLAME arrays, got {type(obj).__name__}")
    missing = [k for k in KEYS if k not in obj]
    if missing:
        raise InvalidInputError(f"{name}: not a FLAME model (missing {', '.join(missing)})")
    arrays = {k: to_array(obj[k], k, name) for k in KEYS}
    return check_arrays(arrays, name)


def check_arrays(a: dict[str, np.ndarray], name: str) -> dict[str, np.ndarray]:
    try:
        out = {
            "v_template": np.asarray(a["v_template"], np.float32),
            "f": np.asarray(a["f"], np.int64).astype(np.int32),
            "shapedirs": np.asarray(a["shapedirs"], np.float32),
            "posedirs": np.asarray(a["posedirs"], np.float32),
            "J_regressor": np.asarray(a["J_regressor"], np.float32),
            "weights": np.asarray(a["weights"], np.float32),
            "kintree_table": np.asarray(a["kintree_table"], np.int64),
        }
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{name}: FLAME arrays of the wrong type ({exc})") from exc
    n = out["v_template"].shape[0]
    expected = {
        "v_template": (n, 3), "shapedirs": (n, 3, None), "posedirs": (n, 3, (N_JOINTS - 1) * 9),
        "J_regressor": (N_JOINTS, n), "weights": (n, N_JOINTS), "kintree_table": (2, N_JOINTS), "f": (None, 3),
    }
    for key, shape in expected.items():
        got = out[key].shape
        if len(got) != len(shape) or any(s is not None and s != g for s, g in zip(shape, got, strict=False)):
            raise InvalidInputError(f"{name}: {key} has shape {got}, expected {tuple('*' if s is None else s for s in shape)}")
    if out["f"].min() < 0 or out["f"].max() >= n:
        raise InvalidInputError(f"{name}: face indices out of range")
    for key in ("v_template", "shapedirs", "posedirs", "J_regressor", "weights"):
        if not np.isfinite(out[key]).all():
            raise InvalidInputError(f"{name}: {key} holds non-finite values")
    return out


def cache_dir() -> Path:
    from fxcli.registry import fxe_home

    return fxe_home() / "cache" / "flame"


def find_flame_file(flame_model: str | None) -> Path:
    """The FLAME .pkl to use: --flame-model PATH (file or folder), else the registry (2020, then 2023 Open)."""
    from fxcli import registry

    if flame_model is not None:
        path = Path(flame_model).expanduser()
        if path.is_file():
            return path
        if path.is_dir():
            found = sorted(path.glob("generic_model.pkl")) + sorted(path.glob("flame2023*.pkl")) + sorted(path.glob("*.pkl"))
            if found:
                return found[0]
        raise ModelMissingError(f"no FLAME model at {flame_model}", hint=registry.fix_hint(registry.get_spec("flame-2020")))
    errors = []
    for name, pattern in (("flame-2020", "generic_model.pkl"), ("flame-2023-open", "flame2023*.pkl")):
        try:
            return registry.resolve(name).file(pattern)
        except ModelMissingError as exc:
            errors.append(exc)
    first = errors[0]
    raise ModelMissingError(
        "no FLAME model configured (the flame rig needs the licensed FLAME file)",
        hint=f"{first.hint}; FLAME 2023 Open also works: {errors[1].hint}")


def load_flame(flame_model: str | None = None) -> tuple[dict[str, np.ndarray], str, Path]:
    """(arrays, sha256, file) for the configured FLAME model, read through the npz cache."""
    from fxcli.io.inputs import read_bytes
    from fxcli.io.safe_pickle import MAX_PICKLE_BYTES

    path = find_flame_file(flame_model)
    data = read_bytes(str(path), limit=MAX_PICKLE_BYTES)
    sha = hashlib.sha256(data).hexdigest()
    cached = cache_dir() / f"{sha[:32]}-v{CACHE_VERSION}.npz"
    if cached.is_file():
        try:
            with np.load(cached, allow_pickle=False) as z:
                return check_arrays({k: z[k] for k in KEYS}, str(cached)), sha, path
        except (OSError, ValueError, KeyError, InvalidInputError):
            pass  # a damaged cache is rebuilt from the model file below
    arrays = parse_flame_pickle(data, str(path))
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        from fxcli.io.atomic import atomic_path

        with atomic_path(cached) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, **arrays)
    except OSError:
        pass  # the cache is an optimisation: an unwritable FXE_HOME only costs the pickle parse next time
    return arrays, sha, path
