"""The embedded editor's arrays, derived once from the ICT head and kept in FXE_HOME/cache/edit.

The ICT Face Model Light ships as a compressed npz of 16 MB; the editor uses a small part of it (the
expression shapes at FaceMesh's 468 landmark vertices and on the face part, the face's triangles) plus
matrices built from it (the expression fit's reduced system, the shading's neighbour lists). Inflating
the whole model and rebuilding those costs more than the edit itself, so the result is stored
uncompressed, under a key made of the model file (path, size, mtime, published sha256), the landmark
correspondence's bytes and the constants the derived matrices depend on. A damaged or unwritable cache only
costs the rebuild.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

CACHE_VERSION = 1


def _key(model_file, spec_sha: str | None) -> str:
    from fxcli.edit import expression_fit, shading_ratio
    from fxcli.edit.facemesh_correspondence import CORRESPONDENCE_FILE

    st = model_file.stat()
    constants = {"v": CACHE_VERSION, "fit": [expression_fit.FITTED, expression_fit.RIDGE, expression_fit.ID_RIDGE,
                                             expression_fit.N_IDENTITY], "rings": shading_ratio.BORDER_RINGS}
    h = hashlib.sha256(f"{model_file}|{st.st_size}|{st.st_mtime_ns}|{spec_sha}|{json.dumps(constants)}".encode())
    h.update(CORRESPONDENCE_FILE.read_bytes())
    return h.hexdigest()[:32]


def build(rig) -> dict[str, np.ndarray]:
    """Every array the editor needs, from the loaded rig (see the module doc)."""
    from fxcli.edit.expression_fit import N_IDENTITY, ExpressionFit
    from fxcli.edit.facemesh_correspondence import load_correspondence
    from fxcli.edit.shading_ratio import FaceShading

    index = load_correspondence()
    neutral = rig.neutral[index].astype(np.float64)
    deltas = rig.expression_deltas.reshape(len(rig.shape_names), rig.n_vertices, 3)[:, index]
    ident = np.asarray(rig._identity_f16[:N_IDENTITY][:, index], np.float64)
    fit = ExpressionFit(neutral, deltas, rig.shape_names, ident)
    arrays = {"shape_names": np.array(rig.shape_names), "index": index, "neutral": neutral,
              "deltas": np.asarray(deltas, np.float32), "mapping": rig.mapping, "model_hash": np.array(rig.model_hash or "")}
    arrays.update({f"fit_{k}": v for k, v in fit.state().items()})
    arrays.update({f"shade_{k}": v for k, v in FaceShading(rig).state().items()})
    return arrays


def load() -> dict[str, np.ndarray]:
    """The editor's arrays: read from the cache, or built from the ICT head (and cached)."""
    from fxcli import registry

    resolved = registry.resolve("ict-face-light")
    model_file = resolved.file("ict_face_light.npz")
    spec_sha = next((f.sha256 for f in resolved.spec.files if f.sha256), None)
    cached = registry.fxe_home() / "cache" / "edit" / f"{_key(model_file, spec_sha)}.npz"
    if cached.is_file():
        try:
            with np.load(cached, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}
        except (OSError, ValueError, KeyError):
            pass  # damaged: rebuilt below
    from fxcli.rigs.ict_rig import IctRig

    arrays = build(IctRig.load())
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        from fxcli.io.atomic import atomic_path

        with atomic_path(cached) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, **arrays)
    except Exception:  # noqa: BLE001 - an optimisation only: an unwritable FXE_HOME costs the rebuild next time
        pass
    return arrays
