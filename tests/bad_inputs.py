"""Hostile and broken input files for the bad-input suite, built in a folder (nothing downloaded).

Each builder writes one file or folder and returns nothing; `build_all(folder)` makes every one.
The pickles here are crafted to use only globals the restricted unpicklers allow, so they test what
those globals can be made to do (forged dtypes, cycles, huge shapes), not just the allowlist.
"""

from __future__ import annotations

import io
import json
import pickle
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from fxcli.tracks import Track, dumps_track
from fxcli.tracks.channels import DEFAULT_CHANNELS

PORTRAIT = Path(__file__).resolve().parent / "data" / "portraits" / "interfaces-001.jpg"
NO_FACE = Path(__file__).resolve().parent / "data" / "portraits" / "interfaces-024.jpg"


def good_track(space: str = "arkit52", frames: int = 3) -> dict:
    return json.loads(dumps_track(Track.zeros(space, frames, 25)))


def track_with(**patch) -> str:
    obj = good_track()
    obj.update(patch)
    return json.dumps(obj)


# --------------------------------------------------------------------------------------------- pickles
class _Raw:
    """Emits a REDUCE of `func(*args)` followed by BUILD with `state`, exactly as given."""

    def __init__(self, func, args, state=None):
        self.func, self.args, self.state = func, args, state

    def __reduce__(self):
        return (self.func, self.args) if self.state is None else (self.func, self.args, self.state)


def forged_object_array_pickle() -> bytes:
    """A FLAME-shaped dict whose `v_template` is an array of a structured dtype with an object field,
    its 'objects' being 8 raw bytes from the file (a forged pointer: converting it crashes CPython).

    Only allowlisted globals appear: numpy's _reconstruct, ndarray and dtype.
    """
    from numpy._core.multiarray import _reconstruct

    # dtype('V8') + __setstate__ with an object field, its flags forged to 0 (no "holds objects" flag):
    # numpy then takes the raw bytes below as the field's PyObject pointer
    structured = _Raw(np.dtype, ("V8", False, True), (3, "|", None, ("a",), {"a": (np.dtype("O"), 0)}, 8, 1, 0))
    array = _Raw(_reconstruct, (np.ndarray, (0,), b"b"), (1, (1,), structured, False, b"\x41" * 8))
    return pickle.dumps({"v_template": array, "f": np.zeros((1, 3), np.int64)}, protocol=2)


def self_referencing_chumpy_pickle() -> bytes:
    """A chumpy `add` node whose operand `a` is the node itself (pickle memo makes the cycle)."""

    class add:  # noqa: N801 - pickled under chumpy's name
        pass

    add.__module__, add.__qualname__ = "chumpy.ch_ops", "add"
    node = add()
    node.__dict__.update({"a": node, "b": np.zeros(3)})
    keys = {"v_template": node, "f": np.zeros((1, 3), np.int64), "shapedirs": node, "posedirs": node,
            "J_regressor": node, "weights": node, "kintree_table": np.zeros((2, 5), np.int64)}
    return _pickle_with_fake_module(keys, add)


def huge_sparse_pickle() -> bytes:
    """A scipy CSC stand-in with shape (5, 2e9) and no data: densifying it would allocate 74 GB."""

    class csc_matrix:  # noqa: N801
        pass

    csc_matrix.__module__, csc_matrix.__qualname__ = "scipy.sparse._csc", "csc_matrix"
    sparse = csc_matrix()
    sparse.__dict__.update({"data": np.zeros(0), "indices": np.zeros(0, np.int32),
                            "indptr": np.zeros(1, np.int32), "_shape": (5, 2_000_000_000)})
    arrays = _plain_flame_arrays()
    arrays["J_regressor"] = sparse
    return _pickle_with_fake_module(arrays, csc_matrix)


def _plain_flame_arrays() -> dict:
    n = 4
    return {"v_template": np.zeros((n, 3)), "f": np.array([[0, 1, 2]], np.uint32),
            "shapedirs": np.zeros((n, 3, 2)), "posedirs": np.zeros((n, 3, 36)), "J_regressor": np.zeros((5, n)),
            "weights": np.zeros((n, 5)), "kintree_table": np.zeros((2, 5), np.int64)}


def _pickle_with_fake_module(obj, *classes) -> bytes:
    import sys
    import types

    saved = {}
    for cls in classes:
        parts = cls.__module__.split(".")
        for i in range(1, len(parts) + 1):
            name = ".".join(parts[:i])
            if name not in saved:
                saved[name] = sys.modules.get(name)
                sys.modules[name] = types.ModuleType(name)
        setattr(sys.modules[cls.__module__], cls.__qualname__, cls)
    try:
        return pickle.dumps(obj, protocol=2)
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old


class _System:
    def __reduce__(self):
        import os

        return (os.system, ("echo PWNED > pwned.txt",))


def system_pickle() -> bytes:
    return pickle.dumps({"v_template": _System()}, protocol=2)


def huge_ndarray_call_pickle() -> bytes:
    """numpy.ndarray((10**10,)) called directly: allowed global, 80 GB allocation if not checked."""
    return pickle.dumps([_Raw(np.ndarray, ((10**10,),))], protocol=2)


# -------------------------------------------------------------------------------------------- NPZ / NPY
def npz_bytes(arrays: dict) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def track_npz(**override) -> bytes:
    obj = good_track()
    arrays = {"format": np.array(obj["format"]), "space": np.array(obj["space"]),
              "channels": np.array(obj["channels"]), "fps": np.array(25.0),
              "frames": np.zeros((3, 52), np.float32), "meta": np.array("{}")}
    arrays.update(override)
    return npz_bytes(arrays)


def zip_bomb_npz(uncompressed_mb: int) -> bytes:
    """An NPZ whose `frames` member inflates to `uncompressed_mb` MiB of zeros (a few KB compressed)."""
    n = uncompressed_mb * 2**20 // 4
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": (n // 52, 52)})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, arr in (("format", np.array("fxe.track/v1")), ("space", np.array("arkit52")),
                          ("channels", np.array(DEFAULT_CHANNELS["arkit52"])), ("fps", np.array(25.0))):
            member = io.BytesIO()
            np.save(member, arr)
            zf.writestr(name + ".npy", member.getvalue())
        with zf.open("frames.npy", "w", force_zip64=True) as fh:
            fh.write(header.getvalue())
            chunk = bytes(2**20)
            for _ in range(uncompressed_mb):
                fh.write(chunk)
    return buf.getvalue()


def lying_npy(shape=(10**10,)) -> bytes:
    """A .npy whose header declares `shape` of float64 but holds 16 bytes."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return header.getvalue() + bytes(16)


def lying_npz() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("frames.npy", lying_npy((10**9, 52)))
    return buf.getvalue()


def object_npy() -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------- PNG
def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int, height: int, text: dict[str, str] | None = None, pixels: bytes | None = None) -> bytes:
    """A PNG with the given header size; the pixel data is one tiny IDAT (a bomb when width*height is huge)."""
    out = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    for key, value in (text or {}).items():
        out += _chunk(b"tEXt", key.encode("latin1") + b"\0" + value.encode("latin1"))
    raw = pixels if pixels is not None else b"".join(b"\0" + bytes(3 * width) for _ in range(min(height, 4)))
    return out + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b"")


# ------------------------------------------------------------------------------------------ safetensors
def safetensors_bytes(tensors: dict[str, np.ndarray]) -> bytes:
    header, offset, blobs = {}, 0, []
    for name, arr in tensors.items():
        data = np.ascontiguousarray(arr, np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + b"".join(blobs)


def safetensors_variants() -> dict[str, bytes]:
    good = safetensors_bytes({"w": np.ones((4, 4)), "b": np.ones(4)})
    (n,) = struct.unpack("<Q", good[:8])
    header = json.loads(good[8:8 + n])

    def with_header(h: dict) -> bytes:
        raw = json.dumps(h).encode()
        raw += b" " * (-len(raw) % 8)
        return struct.pack("<Q", len(raw)) + raw + good[8 + n:]

    lying_offsets = json.loads(json.dumps(header))
    lying_offsets["w"]["data_offsets"] = [0, 10**9]
    lying_dtype = json.loads(json.dumps(header))
    lying_dtype["w"]["dtype"] = "F64"
    lying_shape = json.loads(json.dumps(header))
    lying_shape["b"]["shape"] = [4000]
    return {
        "truncated": good[: len(good) - 20],
        "header_length": struct.pack("<Q", 10**12) + good[8:],
        "header_not_json": struct.pack("<Q", 16) + b"not json at all!" + good[8 + n:],
        "offsets": with_header(lying_offsets),
        "dtype": with_header(lying_dtype),
        "shape": with_header(lying_shape),
        "tiny": b"\x01\x02",
    }


# --------------------------------------------------------------------------------------------- CTEG
TINY_CTEG = {"frame_width": 52, "space": "arkit52", "d_model": 8, "n_heads": 2, "d_ffn": 8, "n_layers": 1,
             "dropout": 0.0, "max_len": 16, "text_encoder": "minilm", "text_dim": 384, "max_text_tokens": 16,
             "jaw_channels": [17], "jaw_weight": 5.0, "stop_threshold": 0.1, "sample_noise_std": 1.0,
             "noise_scale": [], "lr_mul": 2.0, "warmup": 10}


def cteg_folder(folder: Path, config_patch: dict | None = None, *, raw_config: str | None = None,
                weights: bytes | None = None) -> None:
    folder.mkdir(parents=True)
    cfg = {**TINY_CTEG, **(config_patch or {})}
    info = {"format": "fxe.cteg/v1", "config": cfg, "mean_frame": [0.0] * 52,
            "channels": list(DEFAULT_CHANNELS["arkit52"])}
    (folder / "config.json").write_text(raw_config if raw_config is not None else json.dumps(info))
    (folder / "model.safetensors").write_bytes(weights if weights is not None else safetensors_bytes({"x": np.ones(2)}))
