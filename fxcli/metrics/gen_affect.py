"""Gen-AFFECT and GenEAva metrics on generated images.

- Expression error: Euclidean distance between the expression judge's probability vector of the image
  and that of the expression reference image (or the one-hot vector of the target label when no reference
  image is given). Lower is better. The papers use other embeddings (POSTER, Emo135): values are
  comparable between runs of fxe, not with the papers' tables.
- ID: identity cosine between the image and its identity reference (the source).
- DINO / CLIP-I: cosine of DINOv2 / CLIP image embeddings between the image and its reference.
- CLIP: cosine of the CLIP image embedding and the prompt's text embedding.
- LPIPS: perceptual distance to the reference (GenEAva).
- DINO- and ID-consistency: for each identity set (images sharing a source/identity), the mean pairwise
  cosine of the images' DINO / identity embeddings; the mean over sets of two or more images.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def expression_error(probs: np.ndarray, reference: np.ndarray) -> float:
    """‖p − q‖₂ for two probability vectors over the same labels."""
    p, q = np.asarray(probs, np.float64), np.asarray(reference, np.float64)
    if p.shape != q.shape:
        raise ValueError(f"expression vectors differ in shape: {p.shape} vs {q.shape}")
    return float(np.linalg.norm(p - q))


def one_hot(label: str, labels: Sequence[str]) -> np.ndarray:
    v = np.zeros(len(labels))
    v[list(labels).index(label)] = 1.0
    return v
