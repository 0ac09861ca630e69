"""A tiny random StableDiffusionXLPipeline built offline, for the SDXL backends' and trainer's tests.

Every component comes from a small seeded config (the shapes diffusers' own SDXL tests use): a CLIP
BPE tokenizer whose vocabulary is written in the test (every byte as a token, no merges), two 2-layer
CLIP text encoders (hidden 32; the second with a projection), a UNet with `addition_embed_type="text_time"`
(SDXL's size/crop conditioning) and cross-attention dim 64 (the two encoders side by side), and a 2-level
VAE. Nothing is downloaded; the real backends are the same code with real weights.
"""

from __future__ import annotations

import json
from pathlib import Path


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2 / CLIP's reversible byte -> printable character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs], strict=True))


def tiny_tokenizer(folder: Path):
    from transformers import CLIPTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    chars = list(bytes_to_unicode().values())
    vocab = {c: i for i, c in enumerate(chars)}
    for c in chars:
        vocab[c + "</w>"] = len(vocab)
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    return CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=32)


def tiny_sdxl(folder: Path, seed: int = 0):
    """A StableDiffusionXLPipeline of tiny random components (32x32 latents decode to 64x64 images)."""
    import torch
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionXLPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    torch.manual_seed(seed)
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64), layers_per_block=1, sample_size=16, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4), use_linear_projection=True, addition_embed_type="text_time",
        addition_time_embed_dim=8, transformer_layers_per_block=(1, 1), projection_class_embeddings_input_dim=80,
        cross_attention_dim=64, norm_num_groups=1)
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, steps_offset=1,
                                       beta_schedule="scaled_linear", timestep_spacing="leading")
    torch.manual_seed(seed + 1)
    vae = AutoencoderKL(block_out_channels=[16, 32], in_channels=3, out_channels=3,
                        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
                        up_block_types=["UpDecoderBlock2D", "UpDecoderBlock2D"], latent_channels=4, sample_size=64,
                        norm_num_groups=16)
    tok = tiny_tokenizer(folder / "tokenizer")
    config = CLIPTextConfig(bos_token_id=len(tok) - 2, eos_token_id=len(tok) - 1, hidden_size=32,
                            intermediate_size=37, layer_norm_eps=1e-05, num_attention_heads=4, num_hidden_layers=2,
                            pad_token_id=len(tok) - 1, vocab_size=len(tok), hidden_act="gelu", projection_dim=32,
                            max_position_embeddings=32)
    torch.manual_seed(seed + 2)
    te = CLIPTextModel(config)
    torch.manual_seed(seed + 3)
    te2 = CLIPTextModelWithProjection(config)
    pipe = StableDiffusionXLPipeline(vae=vae, text_encoder=te, text_encoder_2=te2, tokenizer=tok, tokenizer_2=tok,
                                     unet=unet, scheduler=scheduler)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def save_tiny_sdxl(folder: Path, seed: int = 0) -> Path:
    """The tiny pipeline saved in diffusers' layout (what `fxe models` finds for sdxl-base)."""
    pipe = tiny_sdxl(folder / "_build", seed)
    out = folder / "sdxl"
    pipe.save_pretrained(out, safe_serialization=True)
    return out
