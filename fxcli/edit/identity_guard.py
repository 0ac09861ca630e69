"""Identity similarity of an edited image to its source, with the embedded dlib judge.

The output's face is found again (detection + landmarks) and the one nearest to where the source face
went is compared; similarity is the cosine of the two 128-d descriptors (fxcli.judges.identity).
"""

from __future__ import annotations

import numpy as np

from fxcli.errors import FxeError


class IdentityCheckError(FxeError):
    """An output is less similar to its source than --min-id-sim allows (exit 1)."""


class IdentityGuard:
    def __init__(self) -> None:
        from fxcli.judges.identity import IdentityJudge

        self.judge = IdentityJudge()

    def embed(self, image: np.ndarray, face) -> np.ndarray:
        return self.judge.embed(image, face)

    def similarity(self, source_embedding: np.ndarray, output: np.ndarray, expected_centre: np.ndarray) -> float | None:
        """Cosine similarity of the output face nearest `expected_centre` (x, y px) to the source; None if no face."""
        from fxcli.face import detect_faces
        from fxcli.judges.identity import similarity

        faces = detect_faces(output)
        if not faces:
            return None
        face = min(faces, key=lambda f: float(np.linalg.norm(f.landmarks[:, :2].mean(0) - expected_centre)))
        return round(similarity(source_embedding, self.judge.embed(output, face)), 4)


def check_min_similarity(results: list[tuple[str, float | None]], min_id_sim: float | None) -> None:
    """Raise IdentityCheckError naming every output below `min_id_sim` (a missing face counts as below)."""
    if min_id_sim is None:
        return
    low = [(label, s) for label, s in results if s is None or s < min_id_sim]
    if low:
        shown = ", ".join(f"{label} ({'no face' if s is None else f'{s:.3f}'})" for label, s in low)
        raise IdentityCheckError(f"identity similarity below --min-id-sim {min_id_sim:g}: {shown}",
                                 hint="lower alpha, or lower --min-id-sim")
