"""PixelSmile training: a LoRA on Qwen-Image-Edit's transformer, fully symmetric dual-branch (paper Sec. 4).

For every triplet (source S, target P_a with category a and score alpha_a, target P_b with b, alpha_b):

    e_a = e_neutral + alpha_a (e_a_prompt - e_neutral)      text conditioning of branch a (both encoded with S)
    x_t = (1 - s) x_a + s eps,  v = transformer([x_t ; latents(S)], s, e_a)    (S's latents as the edit input)
    L_FM^a = |v - (eps - x_a)|^2
    G_a = VAE.decode(x_t - s v)                            the one-step prediction of the edited photo
    ... the same for branch b, with the same s ...
    L = 1/2 (L_FM^a + L_FM^b) + 1.0 L_SC(CLIP(G), CLIP(P)) + 0.1 L_ID(ArcFace(G), ArcFace(P)) [t <= 600]

Only the LoRA (rank 64, alpha 128 on the attention and MLP projections of every block, through peft)
trains; AdamW 1e-4 (betas 0.9/0.999, weight decay 1e-3), cosine schedule with warm-up. accelerate runs it
on 1..N processes (DDP; gloo on CPU); only the main process writes. The checkpoint folder
(see pixelsmile_checkpoint) loads with `fxe edit --model pixelsmile:CKPT_DIR`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fxcli.errors import InvalidInputError, UsageError
from fxcli.train import pixelsmile_losses as losses

LORA_TARGETS = ("to_q", "to_k", "to_v", "to_out.0", "add_q_proj", "add_k_proj", "add_v_proj", "to_add_out",
                "img_mlp.net.0.proj", "img_mlp.net.2", "txt_mlp.net.0.proj", "txt_mlp.net.2")
CACHE_LIMIT = 2048  # triplets whose frozen encodings are kept in CPU memory between epochs


@dataclass
class Components:
    """What training needs: the Qwen-Image-Edit pipeline (its transformer gets the LoRA) and the two judges."""

    pipe: Any  # QwenImageEditPlusPipeline
    clip: Any  # ClipImageFeatures
    identity: Any  # IdentityFeatures


@dataclass
class Settings:
    lr: float = 1e-4
    warmup: int = 500
    rank: int = 64
    alpha: int = 128
    size: int = 512  # target / prediction resolution (as `fxe edit` outputs)
    source_size: int | None = None  # source latents resolution (None: the pipeline's own, as at inference)
    lambda_sc: float = losses.LAMBDA_SC
    lambda_id: float = losses.LAMBDA_ID
    tau: float = losses.TAU
    id_max_timestep: float = losses.ID_MAX_TIMESTEP
    weight_decay: float = 1e-3
    subject: str = "person"
    extra: dict = field(default_factory=dict)


def load_components(base: str | None, clip: str | None, arcface: str | None, dtype: Any) -> Components:
    """The real components from local weights (registry names or paths); ModelMissingError (exit 4) when absent."""
    from diffusers import QwenImageEditPlusPipeline

    from fxcli import registry
    from fxcli.backends.edit_pixelsmile import BASE_MODEL
    from fxcli.errors import ModelMissingError
    from fxcli.train.pixelsmile_encoders import ClipImageFeatures, IdentityFeatures

    resolved = registry.resolve(BASE_MODEL, base)
    try:
        pipe = QwenImageEditPlusPipeline.from_pretrained(str(resolved.path), torch_dtype=dtype, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise ModelMissingError(f"model {BASE_MODEL} in {resolved.path} cannot be loaded: {str(exc).splitlines()[0]}",
                                hint=registry.fix_hint(resolved.spec)) from exc
    return Components(pipe, ClipImageFeatures.load(clip, dtype=dtype), IdentityFeatures.load(arcface))


def add_lora(transformer: Any, rank: int, alpha: int) -> Any:
    """Freeze the transformer and give it a peft LoRA on LORA_TARGETS; returns the LoraConfig."""
    from peft import LoraConfig

    config = LoraConfig(r=rank, lora_alpha=alpha, lora_dropout=0.0, init_lora_weights=True,
                        target_modules=list(LORA_TARGETS))
    transformer.requires_grad_(False)
    transformer.add_adapter(config)
    for p in transformer.parameters():  # trainable LoRA weights in float32 even on a bf16 base
        if p.requires_grad:
            p.data = p.data.float()
    return config


def _pack(pipe: Any, latents: Any) -> Any:
    """(B, C, 1, h, w) VAE latents -> (B, h/2 * w/2, 4C) transformer tokens."""
    b, c, _, h, w = latents.shape
    return pipe._pack_latents(latents[:, :, 0], b, c, h, w)


def _unpack(pipe: Any, tokens: Any, size: int) -> Any:
    return pipe._unpack_latents(tokens, size, size, pipe.vae_scale_factor)  # (B, C, 1, h, w)


def _to_tensor(image: np.ndarray, device: Any, dtype: Any) -> Any:
    import torch

    x = torch.from_numpy(np.array(image, copy=True)).permute(2, 0, 1).float() / 127.5 - 1.0  # (3, H, W) in [-1, 1]
    return x.unsqueeze(0).to(device=device, dtype=dtype)


class Example:
    """The frozen encodings of one triplet (computed once, kept on the CPU when the set is small)."""

    def __init__(self, **tensors: Any):
        self.__dict__.update(tensors)

    def to(self, device: Any) -> Example:
        import torch

        return Example(**{k: (v.to(device) if isinstance(v, torch.Tensor) else v) for k, v in self.__dict__.items()})


def _module_base():
    import torch

    return torch.nn.Module


class PixelSmileLoss(_module_base()):
    """The transformer (with its LoRA) plus the loss of a batch in one forward, so DDP syncs every gradient.

    Frozen parts (VAE, CLIP, ArcFace) are held outside the module's parameters.
    """

    def __init__(self, components: Components, settings: Settings):
        super().__init__()
        self.transformer = components.pipe.transformer
        object.__setattr__(self, "frozen", components)
        self.settings = settings

    def decode(self, tokens: Any) -> Any:
        pipe = self.frozen.pipe
        lat = _unpack(pipe, tokens, self.settings.size).to(pipe.vae.dtype)
        mean = lat.new_tensor(pipe.vae.config.latents_mean).view(1, -1, 1, 1, 1)
        std = lat.new_tensor(pipe.vae.config.latents_std).view(1, -1, 1, 1, 1)
        return pipe.vae.decode(lat * std + mean, return_dict=False)[0][:, :, 0]  # (B, 3, H, W) in ~[-1, 1]

    def branch(self, ex: Example, which: str, sigma: Any, noise: Any) -> tuple[Any, Any]:
        """Flow-matching loss and decoded prediction of one branch ('a' or 'b')."""
        import torch

        x0 = getattr(ex, f"x_{which}")  # (1, L, 4C)
        cond, mask = getattr(ex, f"e_{which}"), getattr(ex, f"m_{which}")
        xt = (1.0 - sigma) * x0 + sigma * noise
        dtype = self.transformer.dtype
        out = self.transformer(hidden_states=torch.cat([xt, ex.src], dim=1).to(dtype),
                               timestep=sigma.view(1).to(dtype), encoder_hidden_states=cond.to(dtype),
                               encoder_hidden_states_mask=mask, img_shapes=[ex.img_shapes], return_dict=False)[0]
        v = out[:, : x0.shape[1]].float()
        fm = losses.flow_matching_loss(v, noise, x0)
        return fm, self.decode(xt - sigma * v)

    def forward(self, batch: list[Example], sigmas: Any, noises: list[tuple[Any, Any]]) -> dict[str, Any]:
        import torch

        s = self.settings
        fm_terms, g_a, g_b, p_a, p_b, a_ga, a_gb, id_pa, id_pb = [], [], [], [], [], [], [], [], []
        for ex, sigma, (na, nb) in zip(batch, sigmas, noises, strict=True):
            fm_a, img_a = self.branch(ex, "a", sigma, na)
            fm_b, img_b = self.branch(ex, "b", sigma, nb)
            fm_terms.append(0.5 * (fm_a + fm_b))
            g_a.append(img_a)
            g_b.append(img_b)
            p_a.append(ex.clip_a)
            p_b.append(ex.clip_b)
            a_ga.append(ex.aff_a)
            a_gb.append(ex.aff_b)
            id_pa.append(ex.id_a)
            id_pb.append(ex.id_b)
        g_a, g_b = torch.cat(g_a), torch.cat(g_b)  # (B, 3, H, W)
        clip, ident = self.frozen.clip, self.frozen.identity
        sc = losses.symmetric_contrastive(clip(g_a), clip(g_b), torch.cat(p_a), torch.cat(p_b), s.tau)
        active = losses.identity_active(sigmas.view(-1), s.id_max_timestep)
        if float(active.sum()) > 0 and s.lambda_id > 0:
            idl = losses.identity_loss(ident(g_a, torch.cat(a_ga)), ident(g_b, torch.cat(a_gb)), torch.cat(id_pa),
                                       torch.cat(id_pb), active)
        else:
            idl = g_a.sum() * 0.0  # keeps the graph identical on every process (DDP)
        fm = torch.stack(fm_terms).mean()
        total = fm + s.lambda_sc * sc + s.lambda_id * idl
        return {"loss": total, "fm": fm.detach(), "sc": sc.detach(), "id": idl.detach(),
                "id_active": active.mean().detach()}


def encode_example(components: Components, triplet: Any, settings: Settings, device: Any, dtype: Any,
                   offload_text: bool = False) -> Example:
    """Everything frozen about one triplet: conditionings e(alpha) of both branches, latents, judge features."""
    import torch
    from diffusers.pipelines.qwenimage.pipeline_qwenimage_edit_plus import (
        CONDITION_IMAGE_SIZE,
        VAE_IMAGE_SIZE,
        calculate_dimensions,
    )
    from PIL import Image

    from fxcli.backends.edit_pixelsmile import pixelsmile_word
    from fxcli.models import pixelsmile_conditioning as pc
    from fxcli.train.pixelsmile_data import load_image
    from fxcli.train.pixelsmile_encoders import arcface_affine, face_points

    pipe, size = components.pipe, settings.size
    src = load_image(triplet.source, size)
    pa, pb = load_image(triplet.a.image, size), load_image(triplet.b.image, size)
    with torch.no_grad():
        work = Image.fromarray(src)
        cw, ch = calculate_dimensions(CONDITION_IMAGE_SIZE, 1.0)
        cond_image = pipe.image_processor.resize(work, ch, cw)
        te = pipe.text_encoder
        if offload_text:
            te.to(device)
        neutral = pc.encode(pipe, pc.neutral_prompt(settings.subject), cond_image, device=device)
        ea = pc.interpolate(neutral, pc.encode(pipe, pc.edit_prompt(pixelsmile_word(triplet.a.category),
                                                                    settings.subject), cond_image, device=device),
                            triplet.a.score)
        eb = pc.interpolate(neutral, pc.encode(pipe, pc.edit_prompt(pixelsmile_word(triplet.b.category),
                                                                    settings.subject), cond_image, device=device),
                            triplet.b.score)
        if offload_text:
            te.to("cpu")
        if settings.source_size:
            vw = vh = int(settings.source_size)
        else:
            vw, vh = calculate_dimensions(VAE_IMAGE_SIZE, 1.0)
        vae_dtype = pipe.vae.dtype
        src_px = pipe.image_processor.preprocess(work, vh, vw).unsqueeze(2).to(device, vae_dtype)  # (1, 3, 1, H, W)
        src_lat = _pack(pipe, pipe._encode_vae_image(src_px, generator=None))
        lats = [_pack(pipe, pipe._encode_vae_image(_to_tensor(p, device, vae_dtype).unsqueeze(2), generator=None))
                for p in (pa, pb)]
        ta, tb = _to_tensor(pa, device, torch.float32), _to_tensor(pb, device, torch.float32)
        aff = [torch.from_numpy(arcface_affine(face_points(p), size)).unsqueeze(0).to(device) for p in (pa, pb)]
        clip_a, clip_b = components.clip(ta), components.clip(tb)
        id_a, id_b = components.identity(ta, aff[0]), components.identity(tb, aff[1])
    f = pipe.vae_scale_factor * 2
    img_shapes = [(1, size // f, size // f), (1, vh // f, vw // f)]
    return Example(src=src_lat.float(), x_a=lats[0].float(), x_b=lats[1].float(), e_a=ea.embeds.float(),
                   m_a=ea.mask, e_b=eb.embeds.float(), m_b=eb.mask, clip_a=clip_a, clip_b=clip_b, id_a=id_a, id_b=id_b,
                   aff_a=aff[0], aff_b=aff[1], img_shapes=img_shapes)


def train_pixelsmile(data: str, output: str, *, epochs: int = 100, batch_size: int = 4, precision: str = "bf16",
                     resume: bool = False, dry_run: bool = False, seed: int = 0, device: str = "auto",
                     settings: Settings | None = None, gradient_checkpointing: bool = False,
                     offload: bool = False, base: str | None = None, clip: str | None = None,
                     arcface: str | None = None, components: Components | None = None, log_every: int = 10,
                     log: Callable[[str], None] = print) -> dict[str, Any]:
    """Train (or resume) the PixelSmile LoRA on a triplet JSONL; the checkpoint is rewritten after each epoch.

    `components` injects ready components (tests build tiny random ones); otherwise local weights load
    through the registry. Returns the last epoch's record plus `fingerprint` and `process_index`
    (with `dry_run`: the dry-run report, nothing written).
    """
    import torch
    from diffusers.optimization import get_cosine_schedule_with_warmup

    from fxcli.train import pixelsmile_checkpoint as ckpt
    from fxcli.train.cteg_trainer import weights_fingerprint
    from fxcli.train.pixelsmile_data import load_triplets
    from fxcli.train.run_setup import check_output_folder, make_accelerator, runs_on_cpu
    from fxcli.train.training_log import TrainingLog, dry_run_report

    s = settings or Settings()
    for name, value, low in (("epochs", epochs, 1), ("batch size", batch_size, 1), ("rank", s.rank, 1),
                             ("alpha", s.alpha, 1), ("warmup", s.warmup, 0), ("size", s.size, 16)):
        if value < low:
            raise UsageError(f"{name} must be >= {low}, got {value}")
    if not (s.lr > 0 and math.isfinite(s.lr)):
        raise UsageError(f"learning rate must be a positive number, got {s.lr}")
    out = check_output_folder(output, ckpt.CONFIG, resume=resume, dry_run=dry_run)
    if offload and runs_on_cpu(device):
        raise UsageError("--offload moves models between the CPU and a GPU; there is no GPU here",
                         hint="drop --offload on the CPU")
    triplets = load_triplets(data)

    from accelerate.utils import DistributedDataParallelKwargs

    # the last block's text-stream projections (to_add_out, txt_mlp) feed nothing: their LoRA gets no
    # gradient, and DDP must be told so, or it never all-reduces the bucket they share (ranks would drift)
    acc = make_accelerator(device, precision,
                           kwargs_handlers=[DistributedDataParallelKwargs(find_unused_parameters=True)])
    main = acc.is_main_process
    say = log if main else (lambda _m: None)
    weight_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision, torch.float32)
    info: dict[str, Any] = {}
    if resume:
        info = ckpt.read_config(out)
        s.rank, s.alpha, s.size = int(info["lora"]["r"]), int(info["lora"]["alpha"]), int(info["size"])
        s.source_size = info.get("source_size")
    if components is None:
        components = load_components(base, clip, arcface, weight_dtype)
    pipe = components.pipe
    pipe.set_progress_bar_config(disable=True)
    torch.manual_seed(seed)  # the same LoRA initialisation in every process
    lora_config = add_lora(pipe.transformer, s.rank, s.alpha)
    if resume:
        ckpt.load_lora_into(pipe.transformer, out)
    if gradient_checkpointing:
        pipe.transformer.enable_gradient_checkpointing()
    for module in (pipe.vae, components.clip, components.identity):
        module.requires_grad_(False).to(acc.device)
    pipe.text_encoder.requires_grad_(False).to("cpu" if offload else acc.device)
    pipe.transformer.to(acc.device)
    say(f"data: {len(triplets)} triplets; {acc.num_processes} process(es) on {acc.device}, {precision}")

    trainable = [p for p in pipe.transformer.parameters() if p.requires_grad]
    steps_per_epoch = math.ceil(len(triplets) / (batch_size * acc.num_processes))
    total_steps = epochs * steps_per_epoch
    optimizer = torch.optim.AdamW(trainable, lr=s.lr, betas=(0.9, 0.999), weight_decay=s.weight_decay, eps=1e-8)
    schedule = get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=min(s.warmup, total_steps),
                                               num_training_steps=total_steps)
    history, first_epoch, step = list(info.get("history", [])), int(info.get("epoch", 0)), int(info.get("step", 0))
    if resume:
        state = ckpt.load_training_state(out)
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
    wrapped, optimizer = acc.prepare(PixelSmileLoss(components, s), optimizer)
    train_log = TrainingLog(out, enabled=main and not dry_run, resume=resume)

    cache: dict[int, Example] = {}

    def example(i: int) -> Example:
        if i in cache:
            return cache[i].to(acc.device)
        ex = encode_example(components, triplets[i], s, acc.device, weight_dtype, offload_text=offload)
        if len(triplets) <= CACHE_LIMIT:
            cache[i] = ex.to("cpu")
        return ex

    noise_gen = torch.Generator().manual_seed(seed + 7919 * (acc.process_index + 1) + first_epoch)
    records: dict[str, Any] = history[-1] if history else {}
    for epoch in range(first_epoch, epochs if not dry_run else first_epoch + 1):
        order = torch.Generator().manual_seed(seed + epoch)
        loader = torch.utils.data.DataLoader(list(range(len(triplets))), batch_size=batch_size, shuffle=True,
                                             generator=order, collate_fn=list)
        loader = acc.prepare_data_loader(loader)
        sums: dict[str, float] = {}
        n = 0
        for indices in loader:
            batch = [example(int(i)) for i in indices]
            sigmas = torch.rand(len(batch), generator=noise_gen).to(acc.device)
            noises = [(torch.randn(ex.x_a.shape, generator=noise_gen).to(acc.device),
                       torch.randn(ex.x_b.shape, generator=noise_gen).to(acc.device)) for ex in batch]
            out_losses = wrapped(batch, sigmas, noises)
            if not torch.isfinite(out_losses["loss"]):
                raise InvalidInputError(f"training diverged at step {step + 1}; lower --lr")
            optimizer.zero_grad(set_to_none=True)
            acc.backward(out_losses["loss"])
            optimizer.step()
            schedule.step()
            step += 1
            n += 1
            values = {k: float(v.detach()) for k, v in out_losses.items()}
            for k, v in values.items():
                sums[k] = sums.get(k, 0.0) + v
            train_log.step(step=step, epoch=epoch + 1, loss=values["loss"],
                           terms={k: v for k, v in values.items() if k not in ("loss", "id_active")},
                           lr=schedule.get_last_lr()[0], extra={"id_active": values["id_active"]})
            if log_every and step % log_every == 0:
                say(f"epoch {epoch + 1}/{epochs} step {step}/{total_steps} loss {values['loss']:.4f} "
                    f"fm {values['fm']:.4f} sc {values['sc']:.4f} id {values['id']:.4f}")
            if dry_run:
                modules = {"transformer": pipe.transformer, "text_encoder": pipe.text_encoder, "vae": pipe.vae,
                           "clip": components.clip, "identity": components.identity}
                report = dry_run_report("pixelsmile", device=acc.device, modules=modules, step={"step": step, **values},
                                        triplets=len(triplets), processes=acc.num_processes, precision=precision,
                                        lora={"r": s.rank, "alpha": s.alpha, "targets": list(LORA_TARGETS)},
                                        gradient_checkpointing=gradient_checkpointing, offload=offload)
                acc.end_training()
                return {**report, "process_index": acc.process_index}
        records = {"epoch": epoch + 1, "step": step, **{f"train_{k}": v / max(n, 1) for k, v in sums.items()}}
        if main:
            history.append(records)
            ckpt.save(out, acc.unwrap_model(wrapped).transformer, lora_config, settings=s,
                      extra={"epoch": epoch + 1, "step": step, "history": history, "total_steps": total_steps},
                      training_state={"optimizer": optimizer.state_dict(), "schedule": schedule.state_dict()})
            skip = ("epoch", "step", "train_loss", "train_id_active")
            train_log.epoch(step=step, epoch=epoch + 1, loss=records.get("train_loss"),
                            terms={k: v for k, v in records.items() if k not in skip},
                            lr=schedule.get_last_lr()[0], extra={"id_active": records.get("train_id_active")})
            say(f"epoch {epoch + 1}/{epochs}: " + ", ".join(f"{k} {v:.4g}" for k, v in records.items()
                                                            if k not in ("epoch", "step")))
        acc.wait_for_everyone()
    from peft.utils import get_peft_model_state_dict

    lora_state = get_peft_model_state_dict(acc.unwrap_model(wrapped).transformer)
    fingerprint = weights_fingerprint(_StateHolder(lora_state))
    log(f"process {acc.process_index + 1}/{acc.num_processes}: LoRA weights sha256 {fingerprint}")
    acc.end_training()
    return {**records, "fingerprint": fingerprint, "process_index": acc.process_index}


class _StateHolder:
    def __init__(self, state: dict[str, Any]):
        self._state = state

    def state_dict(self) -> dict[str, Any]:
        return self._state
