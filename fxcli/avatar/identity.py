"""Avatar identities: ICT's 100 identity-mode coefficients plus the avatar's colours.

Identity files (`fxe gen-avatar` writes them, `--identity FILE` reads them):

    {"format": "fxe.avatar-identity/v1", "name": "id00", "seed": [7, 0], "sigma": 0.8,
     "coefficients": [100 numbers], "colors": {"skin": "#c79a78", ..., "cover": false}}

or a `.npz` with `coefficients` (100,) and optionally `colors_json` (the JSON of `colors`). Reading
validates shape and finiteness: anything else is invalid input (exit 3).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fxcli.avatar.appearance import Appearance, sample_appearance
from fxcli.errors import InvalidInputError

N_COEFFS = 100
DEFAULT_SIGMA = 0.8  # in units of each mode's standard deviation: varied faces, none caricatured
MAX_ABS_COEFF = 6.0  # standard deviations: the bound of every identity a head is built from (ICT or FLAME shape)
FORMAT = "fxe.avatar-identity/v1"


@dataclass
class AvatarIdentity:
    name: str
    coefficients: np.ndarray  # (100,) float32
    appearance: Appearance
    seed: list[int] | None = None
    sigma: float | None = None
    source: str | None = None  # the portrait an identity was fitted to
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = {"format": FORMAT, "name": self.name, "seed": self.seed, "sigma": self.sigma,
               "coefficients": [float(c) for c in np.asarray(self.coefficients, np.float32)], "colors": self.appearance.to_dict()}
        if self.source:
            out["source"] = self.source
        out.update(self.extra)
        return {k: v for k, v in out.items() if v is not None}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n"


def identity_rng(seed: int, index: int) -> np.random.Generator:
    """The generator of identity `index` under a run seed: independent of how many identities are drawn."""
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, int(index), 0x1D])


def sample_identity(seed: int, index: int, sigma: float = DEFAULT_SIGMA, name: str | None = None) -> AvatarIdentity:
    rng = identity_rng(seed, index)
    coeffs = (rng.standard_normal(N_COEFFS) * sigma).astype(np.float32)
    return AvatarIdentity(name or f"id{index:02d}", coeffs, sample_appearance(rng), seed=[int(seed), int(index)],
                          sigma=float(sigma))


def check_coefficients(values, where: str) -> np.ndarray:
    try:
        arr = np.asarray(values, np.float64)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{where}: 'coefficients' must be a list of {N_COEFFS} numbers") from None
    if arr.shape != (N_COEFFS,):
        raise InvalidInputError(f"{where}: expected {N_COEFFS} identity coefficients, got shape {arr.shape}")
    return check_identity_range(arr, where)


def check_identity_range(values: np.ndarray, where: str) -> np.ndarray:
    """Identity coefficients (any count: ICT's 100, FLAME's shape) as float32 if finite and within
    ±MAX_ABS_COEFF standard deviations; InvalidInputError naming `where` and the first bad coefficient."""
    arr = np.asarray(values, np.float64)
    if not np.isfinite(arr).all():
        raise InvalidInputError(f"{where}: identity coefficients must be finite numbers")
    outside = np.flatnonzero(np.abs(arr) > MAX_ABS_COEFF)
    if outside.size:
        i = int(outside[0])
        raise InvalidInputError(f"{where}: identity coefficient {i} is {arr[i]:.3g}, outside "
                                f"±{MAX_ABS_COEFF:g} standard deviations")
    return arr.astype(np.float32)


def load_identity_file(path: str) -> AvatarIdentity:
    """An identity from `.json` or `.npz` (see the module docstring); InvalidInputError when malformed."""
    from fxcli.io.inputs import read_bytes

    data = read_bytes(path)
    name = Path(path).stem
    if data[:2] == b"PK":
        import io
        import zipfile

        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                if "coefficients" not in z.files:
                    raise InvalidInputError(f"{path}: the .npz has no 'coefficients' array")
                coeffs = check_coefficients(z["coefficients"], path)
                colors = json.loads(str(z["colors_json"])) if "colors_json" in z.files else None
        except (ValueError, OSError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
            raise InvalidInputError(f"{path}: not a readable identity .npz ({exc})") from None
        obj = {"colors": colors}
    else:
        from fxcli.io.inputs import loads_json

        try:
            obj = loads_json(data.decode("utf-8"), path)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidInputError(f"{path}: not an identity JSON file ({exc})") from None
        if isinstance(obj, list):
            obj = {"coefficients": obj}
        if not isinstance(obj, dict) or "coefficients" not in obj:
            raise InvalidInputError(f"{path}: expected an object with 'coefficients' ({N_COEFFS} numbers)")
        fmt = obj.get("format", FORMAT)
        if fmt != FORMAT:
            raise InvalidInputError(f"{path}: unknown format {fmt!r}, expected {FORMAT!r}")
        coeffs = check_coefficients(obj["coefficients"], path)
        name = str(obj.get("name") or name)
    colors = obj.get("colors")
    if colors is None:  # coefficients only: colours from a generator seeded by the coefficients
        seed = int(np.frombuffer(coeffs.tobytes(), np.uint32).sum() % (2 ** 31))
        appearance = sample_appearance(np.random.default_rng(seed))
    else:
        appearance = Appearance.from_dict(colors, path)
    return AvatarIdentity(name, coeffs, appearance, source=obj.get("source") if isinstance(obj.get("source"), str)
                          else None)


def save_identity(identity: AvatarIdentity, path: str) -> None:
    from fxcli.io.atomic import atomic_path, write_text_atomic

    if str(path).endswith(".npz"):
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, coefficients=identity.coefficients.astype(np.float32),
                     colors_json=np.array(json.dumps(identity.appearance.to_dict())))
        return
    write_text_atomic(path, identity.to_json())
