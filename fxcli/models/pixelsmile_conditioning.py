"""PixelSmile's textual latent interpolation: prompts, their encodings, and e(alpha).

PixelSmile edits an expression's intensity by moving the text conditioning of Qwen-Image-Edit along the
line from a neutral prompt to the target prompt: e(alpha) = e_neutral + alpha * (e_target - e_neutral),
over every token of the encoded prompt (both prompts are encoded together with the input image).
alpha in [0, 1] interpolates, alpha > 1 extrapolates (the authors allow up to 3). Several expressions
blend as a sum of directions: e = e_neutral + sum_k alpha_k * (e_k - e_neutral).

The two encodings must have the same token count; when they differ (an expression word that splits
into more tokens than "neutral"), the shorter one is padded with zero vectors and the attention mask
marks which positions are real. A combined conditioning keeps a position when any prompt that enters
it with a non-zero weight has a real token there, so alpha = 0 gives exactly the neutral conditioning
and alpha = 1 exactly the target one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fxcli.contracts import MAX_ALPHA  # noqa: F401  (the authors' extrapolation limit; re-exported)

if TYPE_CHECKING:
    import torch

# The 12 expressions the PixelSmile LoRA was trained on.
PIXELSMILE_EXPRESSIONS = ("happy", "sad", "angry", "fear", "surprised", "disgust", "confused", "contempt",
                          "confident", "shy", "sleepy", "anxious")
NEUTRAL = "neutral"
SUBJECTS = ("person", "character")  # "character" for anime/cartoon inputs


def edit_prompt(expression: str, subject: str = "person") -> str:
    """The editing instruction PixelSmile was trained with."""
    return f"Edit the {subject} to show a {expression} expression"


def neutral_prompt(subject: str = "person") -> str:
    return edit_prompt(NEUTRAL, subject)


@dataclass
class Conditioning:
    """Encoded prompt: embeds (1, L, D) and mask (1, L) int64, 1 where a token is real."""

    embeds: torch.Tensor
    mask: torch.Tensor

    @property
    def length(self) -> int:
        return int(self.embeds.shape[1])


def encode(pipe: Any, prompt: str, condition_image: Any, device: Any = None) -> Conditioning:
    """Encode `prompt` with the image through the pipeline's own `encode_prompt`.

    diffusers returns `None` for an all-ones mask; a ones mask is rebuilt so every conditioning
    carries one and conditionings of different lengths can be combined.
    """
    import torch

    embeds, mask = pipe.encode_prompt([prompt], image=[condition_image], device=device)
    if mask is None:
        mask = torch.ones(embeds.shape[:2], dtype=torch.long, device=embeds.device)  # (1, L)
    return Conditioning(embeds, mask.to(torch.long))


def pad_to(cond: Conditioning, length: int) -> Conditioning:
    """Zero-pad a conditioning at the end to `length` tokens (masked out)."""
    import torch

    extra = length - cond.length
    if extra < 0:
        raise ValueError(f"cannot pad a {cond.length}-token conditioning to {length}")
    if extra == 0:
        return cond
    b, _, d = cond.embeds.shape
    embeds = torch.cat([cond.embeds, cond.embeds.new_zeros(b, extra, d)], dim=1)  # (1, length, D)
    mask = torch.cat([cond.mask, cond.mask.new_zeros(b, extra)], dim=1)  # (1, length)
    return Conditioning(embeds, mask)


def combine(neutral: Conditioning, terms: list[tuple[Conditioning, float]]) -> Conditioning:
    """e = e_neutral + sum_k alpha_k (e_k - e_neutral), on a common, masked token length."""
    import torch

    length = max([neutral.length] + [c.length for c, _ in terms])
    base = pad_to(neutral, length)
    padded = [(pad_to(c, length), float(a)) for c, a in terms]
    if len(padded) == 1:
        # lerp returns its end point exactly at weight 1, so alpha = 1 reproduces the target bit for bit
        (target, alpha), = padded
        embeds = torch.lerp(base.embeds, target.embeds, alpha)
    else:
        embeds = base.embeds.clone()
        for cond, alpha in padded:
            embeds = embeds + alpha * (cond.embeds - base.embeds)
    # which prompts contribute: the neutral one with weight 1 - sum(alpha), each target with its alpha
    contributing = [c.mask for c, a in padded if a != 0.0]
    if 1.0 - sum(a for _, a in padded) != 0.0:
        contributing.append(base.mask)
    mask = torch.zeros_like(base.mask)
    for m in contributing:
        mask = torch.maximum(mask, m)
    # positions no contributing prompt covers are zeros anyway; keep them zero exactly
    embeds = embeds * mask.unsqueeze(-1).to(embeds.dtype)
    return Conditioning(embeds, mask)


def interpolate(neutral: Conditioning, target: Conditioning, alpha: float) -> Conditioning:
    """e(alpha) = e_neutral + alpha (e_target - e_neutral)."""
    return combine(neutral, [(target, alpha)])


def blend(neutral: Conditioning, terms: list[tuple[Conditioning, float]]) -> Conditioning:
    """Several expressions at once: the sum of their directions from neutral, each scaled by its weight."""
    if not terms:
        raise ValueError("blend needs at least one term")
    return combine(neutral, terms)
