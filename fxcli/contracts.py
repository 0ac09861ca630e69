"""The typed contracts of what plugins (and the built-in code) provide, one Protocol per kind.

`isinstance(obj, Contract)` checks the methods exist (runtime_checkable); the signatures below are the
binding part: fxe calls exactly these. Arrays are numpy; images RGB uint8 (H, W, 3).

    kind                      registered with                              called as
    Text2FlameBackend         register("text2flame", name, "mod:Cls")      Cls(arg, device=, dtype=).generate(...)
    EditBackend               register("edit"|"blend", name, "mod:Cls")    Cls(arg, device=, dtype=, ...).edit(...)
    TalkBackend               register("talk", name, "mod:Cls")            Cls(arg, device=, dtype=).generate(...)
    AvatarBackend             register("gen-avatar", name, "mod:Cls")      Cls(arg, device=, dtype=).generate(...)
    Rig                       fxe_register_rigs: register(name, "mod:Cls") Cls.load(path or None) -> Rig
    Judge                     fxe_register_judges: register(name, "mod:Cls") Cls(arg, device=) -> Judge
    Trainer                   fxe_register_trainers                        a click command (see fxcli.cli.train_cmd)
    Model weights             fxe_register_models: register(ModelSpec)     fxcli.registry.ModelSpec
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:  # annotations only: `fxe --help` reads MAX_ALPHA from here without loading numpy
    import numpy as np

# expression strength everywhere (edit, blend, text2flame, gen-avatar, the full backends): 0 = none, 1 = full,
# above 1 extrapolates, up to the PixelSmile authors' limit
MAX_ALPHA = 3.0


@runtime_checkable
class Text2FlameBackend(Protocol):
    """Texts -> expression tracks (fxcli.tracks.Track, space flame or arkit52)."""

    name: str

    def generate(self, texts: list[str], *, seed: int, fps: float = 25.0, max_frames: int | None = None,
                 **options: Any) -> list[Any]: ...


@runtime_checkable
class EditBackend(Protocol):
    """A portrait edited toward sum_k weight_k * expression_k (`fxe edit` and `fxe blend`).

    Built as Cls(arg, device=, dtype=, offload=); `model_id` (and optional `model_hash`) go into provenance.
    """

    name: str
    model_id: str

    def edit(self, image: np.ndarray, terms: list[tuple[str, float]], *, seed: int, face: Any) -> np.ndarray: ...

    def map_point(self, shape: tuple[int, ...], xy: np.ndarray) -> np.ndarray:
        """Where a source pixel lands in the output (for the identity guard and face boxes)."""
        ...


@runtime_checkable
class TalkBackend(Protocol):
    name: str

    def generate(self, audio: Any, *, transcript: str | None, instruction: str | None, seed: int,
                 fps: float = 25.0, **options: Any) -> Any: ...


@runtime_checkable
class AvatarBackend(Protocol):
    name: str

    def generate(self, *args: Any, seed: int, **options: Any) -> Any: ...


@runtime_checkable
class Rig(Protocol):
    """A head rig for `fxe render --rig NAME` (as fxcli.rigs.ict_rig.IctRig and flame_rig.FlameRig).

    `space` is the track space it renders (a track of another space is refused); `mesh` is a
    fxcli.render Mesh (triangles, colours, frame_box, pivot, n_vertices); `sequence` yields
    (frame index, (V, 3) float32 posed vertices, head pose included) per frame.
    """

    name: str
    space: str
    model_hash: str | None
    mesh: Any

    def sequence(self, track: Any, identity: np.ndarray | None = None, frames: list[int] | None = None,
                 batch: int = 16) -> Any: ...

    # optional: shape_weights(seed) -> identity coefficients sampled with `seed` (for --identity-seed)


@runtime_checkable
class Judge(Protocol):
    """A full judge for `fxe score --judge NAME[:ARG]`: a whole-image embedding; pairs get its cosine as `NAME`."""

    name: str

    def image_embed(self, image: np.ndarray) -> np.ndarray:
        """RGB uint8 (H, W, 3) -> (D,) float embedding."""
        ...


def check(obj: Any, contract: type, what: str) -> Any:
    """Return obj, or raise UsageError naming the missing methods of the contract."""
    from fxcli.errors import UsageError

    if isinstance(obj, contract):
        return obj
    missing = [m for m in dir(contract) if not m.startswith("_") and m != "check" and not hasattr(obj, m)]
    raise UsageError(f"{what} does not follow the {contract.__name__} contract (missing: {', '.join(missing)})",
                     hint="see docs/plugins.md")
