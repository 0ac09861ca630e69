"""The frozen feature extractors PixelSmile's losses use, as differentiable torch modules.

    ClipImageFeatures   CLIP ViT-L/14 image embeddings (contrastive loss); images in [-1, 1], (B, 3, H, W)
    IdentityFeatures    ArcFace embeddings of the face aligned to the 112x112 template (identity loss)

Both take images as tensors in [-1, 1] so gradients flow from the features back to the decoded
prediction. The preprocessing (resize, CLIP normalisation, ArcFace alignment) is done with torch ops.
Tests build tiny random networks of the same shape contract; the real ones load local weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fxcli.errors import ModelMissingError

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
CLIP_MODEL = "clip-vit-large-patch14"
ARCFACE_SIZE = 112


def _torch_module_base():
    import torch

    return torch.nn.Module


class ClipImageFeatures(_torch_module_base()):
    """A transformers CLIPVisionModelWithProjection with its image preprocessing done in torch."""

    def __init__(self, vision: Any):
        super().__init__()
        import torch

        self.vision = vision.eval().requires_grad_(False)
        self.size = int(vision.config.image_size)
        self.register_buffer("mean", torch.tensor(CLIP_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(CLIP_STD).view(1, 3, 1, 1), persistent=False)

    def forward(self, images):  # (B, 3, H, W) in [-1, 1] -> (B, D)
        import torch.nn.functional as F

        x = (images.float() + 1.0) / 2.0
        x = F.interpolate(x, size=(self.size, self.size), mode="bilinear", align_corners=False)
        x = (x - self.mean) / self.std
        dtype = next(self.vision.parameters()).dtype
        return self.vision(pixel_values=x.to(dtype)).image_embeds.float()

    @classmethod
    def load(cls, path: str | None = None, *, dtype: Any = None) -> ClipImageFeatures:
        from transformers import CLIPVisionModelWithProjection

        from fxcli import registry

        resolved = registry.resolve(CLIP_MODEL, path)
        try:
            vision = CLIPVisionModelWithProjection.from_pretrained(str(resolved.path), local_files_only=True,
                                                                   torch_dtype=dtype)
        except (OSError, ValueError) as exc:
            raise ModelMissingError(f"CLIP vision weights in {resolved.path} cannot be loaded: "
                                    f"{str(exc).splitlines()[0]}", hint=registry.fix_hint(resolved.spec)) from exc
        return cls(vision)


def arcface_affine(points: np.ndarray | None, size: int) -> np.ndarray:
    """2x3 matrix for torch's affine_grid mapping the 112x112 ArcFace crop into a size x size image.

    `points`: the five face points (eyes, nose tip, mouth corners) in pixels of the size x size image,
    or None (no face found): then the whole image is resized to 112 x 112.
    """
    if points is None:
        return np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], np.float32)
    from fxcli.judges.arcface import TEMPLATE, similarity_transform

    m = similarity_transform(TEMPLATE, np.asarray(points, np.float64))  # crop pixel -> image pixel
    # normalised coordinates (align_corners=False): u = (2 p + 1) / n - 1
    to_crop = np.array([[ARCFACE_SIZE / 2, 0, ARCFACE_SIZE / 2 - 0.5], [0, ARCFACE_SIZE / 2, ARCFACE_SIZE / 2 - 0.5],
                        [0, 0, 1]])
    from_image = np.array([[2 / size, 0, 1 / size - 1], [0, 2 / size, 1 / size - 1], [0, 0, 1]])
    full = from_image @ np.vstack([m, [0, 0, 1]]) @ to_crop
    return full[:2].astype(np.float32)


class IdentityFeatures(_torch_module_base()):
    """Align the face with a per-image affine (see arcface_affine), then an ArcFace-like network -> (B, 512)."""

    def __init__(self, net: Any):
        super().__init__()
        self.net = net.eval().requires_grad_(False)

    def forward(self, images, affine):  # images (B, 3, H, W) in [-1, 1]; affine (B, 2, 3)
        import torch.nn.functional as F

        grid = F.affine_grid(affine.float(), [images.shape[0], 3, ARCFACE_SIZE, ARCFACE_SIZE], align_corners=False)
        crop = F.grid_sample(images.float(), grid, mode="bilinear", padding_mode="border", align_corners=False)
        dtype = next(self.net.parameters()).dtype
        return self.net(crop.to(dtype)).float()

    @classmethod
    def load(cls, arg: str | None = None, *, device: str = "cpu") -> IdentityFeatures:
        """ArcFace (antelopev2 glintr100 or buffalo_l w600k_r50) from the user's onnx file, run as torch ops."""
        from fxcli.train.pixelsmile_arcface import load_arcface_torch

        return cls(load_arcface_torch(arg))


def face_points(image: np.ndarray) -> np.ndarray | None:
    """The five ArcFace points of the largest face in an RGB uint8 image, or None when no face is found."""
    from fxcli.errors import NoFaceError
    from fxcli.face import find_face
    from fxcli.judges.arcface import five_points

    try:
        return five_points(find_face(image))
    except NoFaceError:
        return None
