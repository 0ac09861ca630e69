"""An expression LoRA for SDXL (GenEAva's recipe: fine-tune on (image, expression) pairs with expression prompts).

LoRA adapters (peft) on the UNet's attention projections (to_q, to_k, to_v, to_out.0); everything else is
frozen. Each example's prompt is the one `gen-avatar --model sdxl` uses for its expression (library name
and AU description), so the trained words are the words asked for at generation. Standard denoising
objective: noise the VAE latents at a random timestep and regress the scheduler's target (epsilon or v).
`accelerate` handles devices and mixed precision. A held-out probe (fixed noise and timesteps over the
training examples) is scored before and after: `probe_loss_start` / `probe_loss_end`.

Data: a gen-avatar index.json (its items' `path` and `expression`, the record's fine-grained name when
present) or JSON Lines of {"image": PATH, "expression": NAME}.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fxcli.errors import InvalidInputError

TARGET_MODULES = ["to_q", "to_k", "to_v", "to_out.0"]
LORA_FILE = "pytorch_lora_weights.safetensors"


@dataclass
class Example:
    image: str
    expression: str


def read_examples(data: str) -> list[Example]:
    """(image, expression) pairs from a gen-avatar index or a JSON Lines file."""
    from fxcli.io.inputs import read_text

    text = read_text(data)
    base = Path(data).expanduser().resolve().parent
    out: list[Example] = []
    stripped = text.lstrip()
    if stripped.startswith("{") and '"items"' in text[:100000]:
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"{data}: malformed JSON ({exc.msg})") from None
        records = {r.get("path"): r for r in (obj.get("meta") or {}).get("records", []) if isinstance(r, dict)}
        for i, item in enumerate(obj.get("items", [])):
            if not isinstance(item, dict) or "path" not in item:
                raise InvalidInputError(f"{data}: items[{i}] needs 'path'")
            name = (records.get(item["path"]) or {}).get("expression") or item.get("expression")
            if not name:
                raise InvalidInputError(f"{data}: items[{i}] has no expression")
            out.append(Example(str(base / item["path"]), str(name)))
    else:
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidInputError(f"{data}:{lineno}: malformed JSON ({exc.msg})") from None
            if not isinstance(obj, dict) or not obj.get("image") or not obj.get("expression"):
                raise InvalidInputError(f"{data}:{lineno}: expected {{\"image\": PATH, \"expression\": NAME}}")
            p = Path(obj["image"]).expanduser()
            out.append(Example(str(p if p.is_absolute() else base / p), str(obj["expression"])))
    if not out:
        raise InvalidInputError(f"{data}: no training pairs")
    return out


def expression_prompt(name: str) -> str:
    """The prompt of an expression, as gen-avatar --model sdxl writes it (identity words left out)."""
    from fxcli.avatar.targets import resolve_targets

    target = resolve_targets(name, None)[0]
    return f"a cartoon avatar of one person, head and shoulders, front view, {target.description()} expression"


def _load_pixels(path: str, resolution: int):
    from fxcli.backends.edit_pixelsmile import cover_crop
    from fxcli.face import load_image

    pil = cover_crop(load_image(path), resolution)
    return np.asarray(pil, np.float32) / 127.5 - 1.0


def train_sdxl_lora(pipe, examples: list[Example], *, output: str | None, steps: int, lr: float = 1e-4,
                    rank: int = 8, resolution: int = 1024, batch_size: int = 1, seed: int = 0,
                    precision: str = "no", log: Callable[[dict], None] | None = None,
                    probe_timesteps: int = 4) -> dict[str, Any]:
    """Train a LoRA on `pipe.unet`; write it to `output` (None: keep it on the pipeline only)."""
    import torch
    from accelerate import Accelerator
    from diffusers import DDPMScheduler
    from peft import LoraConfig

    accelerator = Accelerator(mixed_precision=precision, cpu=not torch.cuda.is_available())
    device = accelerator.device
    torch.manual_seed(seed)
    unet, vae = pipe.unet, pipe.vae
    for module in (unet, vae, pipe.text_encoder, pipe.text_encoder_2):
        module.requires_grad_(False)
        module.to(device)
    unet.add_adapter(LoraConfig(r=rank, lora_alpha=rank, init_lora_weights="gaussian",
                                target_modules=TARGET_MODULES))
    params = [p for p in unet.parameters() if p.requires_grad]
    for p in params:
        p.data = p.data.float()
    scheduler = DDPMScheduler.from_config(pipe.scheduler.config)
    with torch.no_grad():
        pixels = torch.from_numpy(np.stack([_load_pixels(e.image, resolution) for e in examples])).permute(0, 3, 1, 2)
        latents = []
        for k in range(0, len(pixels), 4):
            dist = vae.encode(pixels[k:k + 4].to(device, vae.dtype)).latent_dist
            latents.append(dist.mean * vae.config.scaling_factor)
        latents = torch.cat(latents).float()
        prompts = [expression_prompt(e.expression) for e in examples]
        embeds, _, pooled, _ = pipe.encode_prompt(prompts, device=device, num_images_per_prompt=1,
                                                  do_classifier_free_guidance=False)
        embeds, pooled = embeds.float(), pooled.float()
    time_ids = torch.tensor([[resolution, resolution, 0, 0, resolution, resolution]], device=device,
                            dtype=torch.float32)
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    unet, opt = accelerator.prepare(unet, opt)
    n_train = scheduler.config.num_train_timesteps
    g = torch.Generator().manual_seed(seed + 1)
    probe_noise = torch.randn(latents.shape, generator=g).to(device)
    probe_t = torch.linspace(n_train * 0.1, n_train * 0.9, probe_timesteps).long()

    def loss_on(idx, noise, t):
        noisy = scheduler.add_noise(latents[idx], noise, t.to(device))
        target = noise if scheduler.config.prediction_type == "epsilon" else \
            scheduler.get_velocity(latents[idx], noise, t.to(device))
        pred = unet(noisy.to(unet.dtype), t.to(device), encoder_hidden_states=embeds[idx].to(unet.dtype),
                    added_cond_kwargs={"text_embeds": pooled[idx].to(unet.dtype),
                                       "time_ids": time_ids.repeat(len(idx), 1).to(unet.dtype)}).sample
        return torch.nn.functional.mse_loss(pred.float(), target.float())

    def probe() -> float:
        with torch.no_grad():
            idx = torch.arange(len(latents))
            return float(np.mean([loss_on(idx, probe_noise, t.repeat(len(idx))).item() for t in probe_t]))

    start = probe()
    rng = np.random.default_rng(seed)
    losses = []
    unet.train()
    for step in range(steps):
        idx = torch.from_numpy(rng.choice(len(latents), size=min(batch_size, len(latents)), replace=False))
        noise = torch.randn(latents[idx].shape, generator=g).to(device)
        t = torch.randint(0, n_train, (len(idx),), generator=g)
        loss = loss_on(idx, noise, t)
        accelerator.backward(loss)
        opt.step()
        opt.zero_grad()
        losses.append(float(loss.item()))
        if log:
            log({"step": step + 1, "loss": round(losses[-1], 6)})
    unet.eval()
    end = probe()
    result = {"examples": len(examples), "steps": steps, "rank": rank, "lr": lr, "resolution": resolution,
              "trainable_parameters": int(sum(p.numel() for p in params)), "probe_loss_start": round(start, 6),
              "probe_loss_end": round(end, 6), "train_loss_first": round(float(np.mean(losses[:5])), 6) if losses
              else None, "train_loss_last": round(float(np.mean(losses[-5:])), 6) if losses else None}
    if output:
        save_lora(accelerator.unwrap_model(unet), output, result)
    return result


def save_lora(unet, output: str, result: dict) -> None:
    from diffusers import StableDiffusionXLPipeline
    from diffusers.utils import convert_state_dict_to_diffusers
    from peft.utils import get_peft_model_state_dict

    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    layers = convert_state_dict_to_diffusers(get_peft_model_state_dict(unet))
    StableDiffusionXLPipeline.save_lora_weights(str(out), unet_lora_layers=layers, safe_serialization=True)
    from fxcli.io.atomic import write_text_atomic

    write_text_atomic(out / "train_result.json", json.dumps(result, indent=1) + "\n")
