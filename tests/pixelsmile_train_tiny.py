"""Tiny random components and a tiny triplet set for PixelSmile training tests (no download).

The pipeline is tests/pixelsmile_tiny.py's; CLIP is a 1-layer CLIPVisionModelWithProjection and the
identity network a small conv net with ArcFace's input/output contract (112x112 in [-1, 1] -> vector).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tests.pixelsmile_tiny import tiny_pipeline


def tiny_clip(seed: int = 0):
    import torch
    from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

    from fxcli.train.pixelsmile_encoders import ClipImageFeatures

    torch.manual_seed(seed)
    config = CLIPVisionConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                              image_size=32, patch_size=8, projection_dim=8)
    return ClipImageFeatures(CLIPVisionModelWithProjection(config))


def tiny_identity(seed: int = 0):
    import torch

    from fxcli.train.pixelsmile_encoders import IdentityFeatures

    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 5, stride=4), torch.nn.PReLU(4), torch.nn.Conv2d(4, 8, 3, stride=2),
                              torch.nn.Flatten(), torch.nn.Linear(8 * 13 * 13, 16))
    return IdentityFeatures(net)


def tiny_components(seed: int = 0):
    from fxcli.train.pixelsmile_trainer import Components

    return Components(tiny_pipeline(seed), tiny_clip(seed), tiny_identity(seed))


def _face_like(rng, size: int, mouth: float) -> np.ndarray:
    """A smooth synthetic picture: a skin-coloured disc with eyes and a mouth whose curve is `mouth`."""
    yy, xx = np.mgrid[0:size, 0:size] / size
    img = np.zeros((size, size, 3), np.float32) + rng.uniform(0.2, 0.4, 3)
    disc = (xx - 0.5) ** 2 + (yy - 0.5) ** 2 < 0.16
    img[disc] = [0.85, 0.65, 0.5]
    for ex in (0.37, 0.63):
        img[(xx - ex) ** 2 + (yy - 0.42) ** 2 < 0.003] = [0.1, 0.1, 0.1]
    curve = 0.68 + mouth * 0.08 * ((xx - 0.5) / 0.15) ** 2
    img[(np.abs(yy - curve) < 0.02) & (np.abs(xx - 0.5) < 0.15)] = [0.6, 0.1, 0.1]
    return (np.clip(img, 0, 1) * 255).astype(np.uint8)


def tiny_triplets(folder: Path, n: int = 2, size: int = 64) -> Path:
    """n triplets of synthetic pictures (neutral source, 'happy' and 'sad' targets) and their JSONL file."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    lines = []
    for i in range(n):
        names = {}
        for label, mouth in (("neutral", 0.0), ("happy", -1.0), ("sad", 1.0)):
            names[label] = f"p{i}_{label}.png"
            Image.fromarray(_face_like(rng, size, mouth)).save(folder / names[label])
        lines.append({"source": names["neutral"],
                      "targets": [{"image": names["happy"], "category": "happy", "score": 0.9 - 0.2 * i},
                                  {"image": names["sad"], "category": "sad", "score": 0.6}]})
    path = folder / "triplets.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path
