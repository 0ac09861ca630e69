"""The FLAME head rig: shape and expression blendshapes, pose correctives and linear blend skinning.

As FLAME defines it (Li et al. 2017), for shape beta, expression psi and pose theta (5 joints x axis-angle:
global, neck, jaw, left eye, right eye):
    v_shaped = v_template + S beta + E psi          (shapedirs[..., :300] and [..., 300:])
    J        = J_regressor v_shaped                 (5 joint centres)
    v_posed  = v_shaped + P (R(theta_1..4) - I)     (posedirs, the 4 non-root rotations flattened row-major)
    G_k      = G_parent(k) [R_k | J_k - J_parent(k)],  G_0 = [R_0 | J_0]
    v        = sum_k w_k (G_k - [0 | G_k J_k]) [v_posed; 1]
with R(.) Rodrigues' formula. `space: flame` tracks name expression channels exp00.. and joint rotations
jaw0..2, neck0..2, leye0..2, reye0..2; the track's `pose` is the global rotation.
"""

from __future__ import annotations

import numpy as np

from fxcli.errors import InvalidInputError, UsageError
from fxcli.rigs.flame_model import load_flame
from fxcli.rigs.mesh import Mesh, eye_colors, rodrigues
from fxcli.tracks.channels import FLAME_EXPRESSION

N_SHAPE = 300  # FLAME 2020/2023: shapedirs = 300 identity + 100 expression components
JOINT_CHANNELS = {"neck": 1, "jaw": 2, "leye": 3, "reye": 4}
SKIN = (0.82, 0.62, 0.52)
LIPS = (0.72, 0.42, 0.42)


class FlameRig:
    def __init__(self, arrays: dict[str, np.ndarray], model_hash: str | None = None, name: str = "flame"):
        self.v_template = arrays["v_template"]
        self.faces = arrays["f"]
        shapedirs = arrays["shapedirs"]
        self.n_vertices = len(self.v_template)
        n_shape = min(N_SHAPE, shapedirs.shape[2])
        self.shapedirs = shapedirs[:, :, :n_shape].reshape(-1, n_shape)  # (V*3, S)
        self.exprdirs = shapedirs[:, :, n_shape:].reshape(-1, shapedirs.shape[2] - n_shape)  # (V*3, E)
        self.n_expression = self.exprdirs.shape[1]
        self.posedirs = arrays["posedirs"].reshape(-1, arrays["posedirs"].shape[2])  # (V*3, 36)
        self.J_regressor = arrays["J_regressor"]  # (5, V)
        self.weights = arrays["weights"]  # (V, 5)
        self.parents = arrays["kintree_table"][0].astype(np.int64)
        self.parents[0] = -1  # the root's parent is stored as 2**32 - 1
        self.model_hash, self.name = model_hash, name
        box = np.stack([self.v_template.min(0), self.v_template.max(0)]).astype(np.float32)
        joints = self.J_regressor @ self.v_template
        self.mesh = Mesh(self.faces, self._colors(), box, joints[1].astype(np.float32), self.n_vertices)

    @classmethod
    def load(cls, flame_model: str | None = None) -> "FlameRig":
        """The FLAME model from --flame-model PATH or the registry; ModelMissingError (exit 4) if none."""
        arrays, sha, path = load_flame(flame_model)
        return cls(arrays, model_hash=sha, name=path.name)

    def _colors(self) -> np.ndarray:
        colors = np.tile(np.array(SKIN, np.float32), (self.n_vertices, 1))
        dominant = self.weights.argmax(1)
        for joint in (3, 4):  # eyeballs: vertices skinned to an eye joint
            mask = dominant == joint
            if mask.sum() > 3:
                ball = self.v_template[mask]
                colors[mask] = eye_colors(ball, (ball.min(0) + ball.max(0)) / 2, np.array([0.0, 0.0, 1.0]))
        return colors

    def shape_weights(self, seed: int | None) -> np.ndarray | None:
        if seed is None:
            return None
        # FLAME's shape space is N(0, 1) per component; the first components carry most variance
        return np.random.default_rng(seed).standard_normal(self.shapedirs.shape[1]).astype(np.float32) * 0.8

    def vertices(self, expression: np.ndarray | None = None, pose: np.ndarray | None = None,
                 shape: np.ndarray | None = None) -> np.ndarray:
        """Vertices (V, 3) for expression (E,), pose (5, 3) axis-angle per joint and shape (S,) coefficients."""
        v = self.v_template.reshape(-1).astype(np.float32).copy()
        if shape is not None:
            v += self.shapedirs[:, : len(shape)] @ np.asarray(shape, np.float32)
        if expression is not None and len(expression):
            if len(expression) > self.n_expression:
                raise InvalidInputError(f"the FLAME model has {self.n_expression} expression components, "
                                        f"the track uses {len(expression)}")
            v += self.exprdirs[:, : len(expression)] @ np.asarray(expression, np.float32)
        v_shaped = v.reshape(-1, 3)
        pose = np.zeros((5, 3)) if pose is None else np.asarray(pose, np.float64).reshape(5, 3)
        return self.skin(v_shaped, pose)

    def skin(self, v_shaped: np.ndarray, pose: np.ndarray) -> np.ndarray:
        joints = self.J_regressor.astype(np.float64) @ v_shaped.astype(np.float64)  # (5, 3)
        rot = rodrigues(pose)  # (5, 3, 3)
        feature = (rot[1:] - np.eye(3)).reshape(-1)  # (36,)
        v_posed = v_shaped + (self.posedirs @ feature.astype(np.float32)).reshape(-1, 3)
        world = np.zeros((5, 4, 4))
        for k in range(5):
            local = np.eye(4)
            local[:3, :3] = rot[k]
            parent = self.parents[k]
            local[:3, 3] = joints[k] - (joints[parent] if parent >= 0 else 0)
            world[k] = local if parent < 0 else world[parent] @ local
        rel = world.copy()
        rel[:, :3, 3] -= np.einsum("kij,kj->ki", world[:, :3, :3], joints)  # remove the rest joint position
        blended = np.einsum("vk,kij->vij", self.weights.astype(np.float64), rel[:, :3, :])  # (V, 3, 4)
        out = np.einsum("vij,vj->vi", blended[:, :, :3], v_posed) + blended[:, :, 3]
        return out.astype(np.float32)

    def frame_parameters(self, track) -> tuple[np.ndarray, np.ndarray]:
        """(expression (T, E), joint pose (T, 5, 3)) from a `space: flame` track."""
        if track.space != "flame":
            raise UsageError(f"the FLAME rig renders flame tracks, this track is {track.space!r}",
                             hint="use --rig ict for arkit52 tracks")
        used = [c for c in track.channels if c.startswith("exp")]
        n_expr = max((FLAME_EXPRESSION.index(c) + 1 for c in used), default=0)
        if n_expr > self.n_expression:
            raise InvalidInputError(f"the track uses exp{n_expr - 1:02d} but the FLAME model has "
                                    f"{self.n_expression} expression components")
        expression = track.as_channels(FLAME_EXPRESSION[:n_expr])
        pose = np.zeros((track.n_frames, 5, 3), np.float32)
        for joint, k in JOINT_CHANNELS.items():
            pose[:, k] = track.as_channels([f"{joint}{a}" for a in range(3)])
        if track.pose is not None:
            pose[:, 0] = track.pose  # the head pose is FLAME's global joint
        return expression, pose

    def sequence(self, track, identity: np.ndarray | None = None, frames: list[int] | None = None, batch: int = 16):
        """Yield (frame index, vertices) for a flame track; `identity` is FLAME shape coefficients."""
        expression, pose = self.frame_parameters(track)
        for index in (range(track.n_frames) if frames is None else frames):
            yield index, self.vertices(expression[index], pose[index], identity)
