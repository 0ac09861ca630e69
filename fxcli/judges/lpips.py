"""LPIPS perceptual distance (full judge), AlexNet variant v0.1, from the user's local weight files.

LPIPS(x, y) = Σ_l mean_{h,w} ‖ w_l ⊙ (f̂_l(x) − f̂_l(y)) ‖²  where f̂_l are AlexNet's five ReLU feature maps
unit-normalised along channels and w_l the learned per-channel weights (Zhang et al. 2018). Inputs are
RGB in [-1, 1], shifted and scaled by LPIPS's fixed ScalingLayer. The AlexNet trunk is defined here (the
standard 5-conv layout) so that the weights load into plain torch with no torchvision.

Weights ("lpips-alex" in the registry): torchvision's ImageNet AlexNet `alexnet-owt-7be5be79.pth` and
LPIPS's linear layers `alex.pth` (from the lpips package, weights/v0.1). Both images are resized to
256×256 before comparison so that any two images can be compared.
"""

from __future__ import annotations

import numpy as np

SHIFT = (-0.030, -0.088, -0.188)
SCALE = (0.458, 0.448, 0.450)
CHANNELS = (64, 192, 384, 256, 256)
SIZE = 256


def build_lpips_net(channels: tuple[int, ...] = CHANNELS):
    """(trunk, lins): AlexNet features as torchvision lays them out (same state-dict keys), 1×1 heads."""
    from torch import nn

    c = channels
    trunk = nn.Sequential(
        nn.Conv2d(3, c[0], 11, 4, 2), nn.ReLU(),  # 0, 1 -> tap 1
        nn.MaxPool2d(3, 2), nn.Conv2d(c[0], c[1], 5, 1, 2), nn.ReLU(),  # 2, 3, 4 -> tap 2
        nn.MaxPool2d(3, 2), nn.Conv2d(c[1], c[2], 3, 1, 1), nn.ReLU(),  # 5, 6, 7 -> tap 3
        nn.Conv2d(c[2], c[3], 3, 1, 1), nn.ReLU(),  # 8, 9 -> tap 4
        nn.Conv2d(c[3], c[4], 3, 1, 1), nn.ReLU(),  # 10, 11 -> tap 5
    )
    lins = nn.ModuleList(nn.Conv2d(ch, 1, 1, bias=False) for ch in c)
    return trunk, lins


TAPS = (1, 4, 7, 9, 11)


def lpips_distance(trunk, lins, x, y):
    """LPIPS between two batches (B, 3, H, W) in [-1, 1] -> (B,)."""
    import torch

    shift = torch.tensor(SHIFT, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
    scale = torch.tensor(SCALE, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
    fx, fy = (x - shift) / scale, (y - shift) / scale
    total = torch.zeros(x.shape[0], dtype=x.dtype, device=x.device)
    layer = 0
    for i, module in enumerate(trunk):
        fx, fy = module(fx), module(fy)
        if i in TAPS:
            nx = fx / (fx.pow(2).sum(1, keepdim=True).sqrt() + 1e-10)
            ny = fy / (fy.pow(2).sum(1, keepdim=True).sqrt() + 1e-10)
            total = total + lins[layer]((nx - ny) ** 2).mean(dim=(1, 2, 3))
            layer += 1
    return total


class LpipsJudge:
    name = "lpips"

    def __init__(self, path: str | None = None, *, device: str = "cpu"):
        import pickle
        import struct

        import torch

        from fxcli import registry
        from fxcli.errors import ModelMissingError

        folder = registry.resolve("lpips-alex", path)
        self.device = torch.device(device)
        self.trunk, self.lins = build_lpips_net()
        try:
            alex = torch.load(folder.file("alexnet-owt-*.pth"), map_location="cpu", weights_only=True)
            lin = torch.load(folder.file("alex.pth"), map_location="cpu", weights_only=True)
            self.trunk.load_state_dict({k[len("features."):]: v for k, v in alex.items() if k.startswith("features.")})
            self.lins.load_state_dict({f"{i}.weight": lin[f"lin{i}.model.1.weight"] for i in range(len(CHANNELS))})
        except (RuntimeError, KeyError, OSError, ValueError, EOFError, pickle.UnpicklingError, struct.error) as exc:
            raise ModelMissingError(f"model lpips-alex in {folder.path} is not usable ({str(exc).splitlines()[0]})",
                                    hint=registry.fix_hint(folder.spec)) from None
        self.trunk.eval().to(self.device)
        self.lins.eval().to(self.device)

    def distance(self, a: np.ndarray, b: np.ndarray) -> float:
        import torch

        with torch.no_grad():
            x, y = (to_lpips_input(im).to(self.device) for im in (a, b))
            return float(lpips_distance(self.trunk, self.lins, x, y)[0])


def to_lpips_input(image: np.ndarray):
    """RGB uint8 H×W×3 -> torch float32 (1, 3, 256, 256) in [-1, 1]."""
    import torch
    from PIL import Image

    img = np.asarray(Image.fromarray(image).resize((SIZE, SIZE), Image.Resampling.BILINEAR), np.float32)
    return torch.from_numpy(img / 127.5 - 1.0).permute(2, 0, 1)[None]
