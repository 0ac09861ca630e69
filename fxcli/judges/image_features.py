"""CLIP and DINOv2 judges (full): whole-image embeddings from the user's local transformers weights.

Both work on the whole image (the papers compare generated images with prompts and references, not face
crops). Preprocessing is done here with numpy/Pillow (resize the short side, centre crop, normalise) so
that no image-processor backend beyond transformers' models is needed.
"""

from __future__ import annotations

import numpy as np

CLIP_MEAN, CLIP_STD = (0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711)
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def center_crop_tensor(image: np.ndarray, resize: int, crop: int, mean, std) -> np.ndarray:
    """RGB uint8 H×W×3 -> float32 (3, crop, crop): short side to `resize` (bicubic), centre crop, normalise."""
    from PIL import Image

    h, w = image.shape[:2]
    scale = resize / min(h, w)
    img = Image.fromarray(image).resize((max(crop, round(w * scale)), max(crop, round(h * scale))),
                                        Image.Resampling.BICUBIC)
    left, top = (img.width - crop) // 2, (img.height - crop) // 2
    arr = np.asarray(img.crop((left, top, left + crop, top + crop)), np.float32) / 255.0
    return ((arr - np.array(mean, np.float32)) / np.array(std, np.float32)).transpose(2, 0, 1)


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


class ClipJudge:
    """CLIP ViT-L/14: image–text (CLIP score) and image–image similarity, as cosines in [-1, 1]."""

    name = "clip"

    def __init__(self, path: str | None = None, *, device: str = "cpu"):
        import torch
        from transformers import CLIPModel, CLIPTokenizerFast

        from fxcli import registry

        folder = registry.resolve("clip-vit-large-patch14", path).path
        self.device = torch.device(device)
        self.model = CLIPModel.from_pretrained(str(folder)).eval().to(self.device)
        self.tokenizer = CLIPTokenizerFast.from_pretrained(str(folder))
        self.size = self.model.config.vision_config.image_size

    def image_embed(self, image: np.ndarray) -> np.ndarray:
        import torch

        x = torch.from_numpy(center_crop_tensor(image, self.size, self.size, CLIP_MEAN, CLIP_STD))[None]
        with torch.no_grad():
            feats = self.model.get_image_features(pixel_values=x.to(self.device))
        feats = feats if isinstance(feats, torch.Tensor) else feats.pooler_output
        return _unit(feats[0].float().cpu().numpy().astype(np.float64))

    def text_embed(self, text: str) -> np.ndarray:
        import torch

        tok = self.tokenizer([text], padding=True, truncation=True, max_length=77, return_tensors="pt")
        with torch.no_grad():
            feats = self.model.get_text_features(**{k: v.to(self.device) for k, v in tok.items()})
        feats = feats if isinstance(feats, torch.Tensor) else feats.pooler_output
        return _unit(feats[0].float().cpu().numpy().astype(np.float64))


class DinoJudge:
    """DINOv2 base: image–image similarity of the CLS embeddings (cosine)."""

    name = "dino"

    def __init__(self, path: str | None = None, *, device: str = "cpu"):
        import torch
        from transformers import AutoModel

        from fxcli import registry

        folder = registry.resolve("dinov2-base", path).path
        self.device = torch.device(device)
        self.model = AutoModel.from_pretrained(str(folder)).eval().to(self.device)

    def image_embed(self, image: np.ndarray) -> np.ndarray:
        import torch

        x = torch.from_numpy(center_crop_tensor(image, 256, 224, IMAGENET_MEAN, IMAGENET_STD))[None]
        with torch.no_grad():
            out = self.model(pixel_values=x.to(self.device))
        return _unit(out.last_hidden_state[0, 0].float().cpu().numpy().astype(np.float64))
