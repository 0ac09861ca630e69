"""Training InstructAvatar's motion generator with Hugging Face accelerate (one process, or many under
`accelerate launch` / `torchrun`; on the CPU the processes talk over gloo).

Every process builds the same seeded model and reads its shard of each batch; DDP averages the gradients,
so all processes end with identical weights (each logs a sha256 fingerprint of its weights at the end).
Only the main process writes the checkpoint (after every epoch) and the training log.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from fxcli.errors import InvalidInputError, UsageError


def weights_fingerprint(model: Any) -> str:
    h = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def train_instructavatar(data: str, output: str, *, epochs: int = 100, batch_size: int = 16, lr: float = 1e-4,
                         seed: int = 0, device: str = "auto", d_model: int = 768, layers: int = 12, heads: int = 12,
                         ffn: int = 2048, kernel: int = 13, dropout: float = 0.1, max_len: int = 250,
                         sample_steps: int = 150, text_encoder: str = "minilm", audio_features: str = "logmel",
                         precision: str = "fp32", resume: bool = False, dry_run: bool = False,
                         log: Callable[[str], None] = print) -> dict[str, Any]:
    """Train (or resume) on a data folder (see fxcli.train.instructavatar_data); returns the last epoch's record
    plus `fingerprint` and `process_index` (with `dry_run`: the dry-run report after one step)."""
    import torch

    from fxcli.models.instructavatar import AU_NAMES, InstructAvatarConfig, InstructAvatarModel
    from fxcli.train.instructavatar_checkpoint import (
        AUDIO_FEATURES,
        CONFIG,
        TEXT_ENCODERS,
        encode_instructions,
        instruction_encoder,
        load_checkpoint,
        save_checkpoint,
    )
    from fxcli.train.instructavatar_checkpoint import audio_features as features_of
    from fxcli.train.instructavatar_data import collate, load_examples
    from fxcli.train.run_setup import check_output_folder, make_accelerator
    from fxcli.train.training_log import TrainingLog, dry_run_report

    for name, value in (("epochs", epochs), ("batch size", batch_size), ("layers", layers), ("heads", heads),
                        ("max length", max_len), ("sample steps", sample_steps)):
        if value < 1:
            raise UsageError(f"{name} must be >= 1, got {value}")
    if not (lr > 0 and math.isfinite(lr)):
        raise UsageError(f"learning rate must be a positive number, got {lr}")
    if text_encoder not in TEXT_ENCODERS or audio_features not in AUDIO_FEATURES:
        raise UsageError(f"unknown text encoder {text_encoder!r} or audio features {audio_features!r}",
                         hint=f"text: {', '.join(TEXT_ENCODERS)}; audio: {', '.join(AUDIO_FEATURES)}")
    out = check_output_folder(output, CONFIG, resume=resume, dry_run=dry_run)
    acc = make_accelerator(device, precision)
    main = acc.is_main_process
    say = log if main else (lambda _msg: None)

    history: list[dict[str, Any]] = []
    first_epoch, step = 0, 0
    if resume:
        ckpt = load_checkpoint(out)
        model, cfg = ckpt.model.train(), ckpt.model.cfg
        mean, std = ckpt.mean, ckpt.std
        history, first_epoch, step = list(ckpt.info.get("history", [])), int(ckpt.info["epoch"]), int(ckpt.info["step"])
    else:
        enc = instruction_encoder(text_encoder)
        cfg = InstructAvatarConfig(d_model=d_model, n_layers=layers, n_heads=heads, d_ffn=ffn, kernel=kernel,
                                   dropout=dropout, max_len=max_len, sample_steps=sample_steps,
                                   text_encoder=text_encoder, text_dim=int(enc.hidden_size),
                                   audio_features=audio_features, audio_dim=80 if audio_features == "logmel" else 768)
    examples = load_examples(data, max_len=cfg.max_len, fps=cfg.fps, au_names=AU_NAMES,
                             audio_features=lambda clip, n: features_of(cfg.audio_features, clip, n, cfg.fps))
    if not resume:
        frames = np.concatenate([e.motion for e in examples])
        mean, std = frames.mean(0), np.maximum(frames.std(0), 1e-3)
        torch.manual_seed(seed)  # the same initial weights in every process
        try:
            model = InstructAvatarModel(cfg)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    texts = encode_instructions(cfg.text_encoder, [e.instruction for e in examples], cfg.max_text_tokens)
    say(f"data: {len(examples)} windows of up to {cfg.max_len} frames, {len(texts)} distinct instructions; "
        f"{acc.num_processes} process(es) on {acc.device}")

    class LossOf(torch.nn.Module):  # DDP synchronises the gradients of what goes through forward()
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, *batch):
            return self.m.loss(*batch)

    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    if resume and (out / "optimizer.pt").exists():
        optimizer.load_state_dict(torch.load(out / "optimizer.pt", weights_only=True))
    wrapped, optimizer = acc.prepare(LossOf(model), optimizer)
    torch.manual_seed(seed + 1000 * (acc.process_index + 1) + first_epoch)  # diffusion noise per process
    train_log = TrainingLog(out, enabled=main and not dry_run, resume=resume)
    record: dict[str, Any] = history[-1] if history else {}
    if dry_run:
        epochs = min(epochs, first_epoch + 1)
    for epoch in range(first_epoch, epochs):
        order = torch.Generator().manual_seed(seed + epoch)
        loader = torch.utils.data.DataLoader(examples, batch_size=batch_size, shuffle=True, generator=order,
                                             collate_fn=lambda b: collate(b, mean, std, texts))
        loader = acc.prepare_data_loader(loader)
        wrapped.train()
        sums: dict[str, float] = {}
        n_batches = 0
        for batch in loader:
            losses = wrapped(*batch)
            if not torch.isfinite(losses["loss"]):
                raise InvalidInputError(f"training diverged at step {step + 1}; lower --lr")
            optimizer.zero_grad(set_to_none=True)
            acc.backward(losses["loss"])
            acc.clip_grad_norm_(wrapped.parameters(), 1.0)
            optimizer.step()
            step += 1
            n_batches += 1
            values = {k: float(v.detach()) for k, v in losses.items()}
            for k, v in values.items():
                sums[k] = sums.get(k, 0.0) + v
            train_log.step(step=step, epoch=epoch + 1, loss=values["loss"],
                           terms={k: v for k, v in values.items() if k != "loss"}, lr=lr)
            if dry_run:
                report = dry_run_report("instructavatar", device=acc.device, modules={"instructavatar": model},
                                        step={"step": step, **values}, train_sequences=len(examples),
                                        dev_sequences=0, processes=acc.num_processes, precision=precision)
                acc.end_training()
                return {**report, "process_index": acc.process_index}
        record = {"epoch": epoch + 1, "step": step, **{f"train_{k}": v / max(n_batches, 1) for k, v in sums.items()}}
        if main:
            history.append(record)
            save_checkpoint(out, model, mean, std, {"epoch": epoch + 1, "step": step, "history": history})
            from fxcli.io.atomic import atomic_path

            with atomic_path(out / "optimizer.pt") as tmp:
                torch.save(optimizer.state_dict(), tmp)
            train_log.epoch(step=step, epoch=epoch + 1, loss=record.get("train_loss"),
                            terms={k: v for k, v in record.items() if k not in ("epoch", "step", "train_loss")},
                            lr=lr, plot=epoch + 1 == epochs)
            say(f"epoch {epoch + 1}/{epochs}: " + ", ".join(f"{k} {v:.4g}" for k, v in record.items()
                                                            if k not in ("epoch", "step")))
        acc.wait_for_everyone()
    fingerprint = weights_fingerprint(model)
    log(f"process {acc.process_index + 1}/{acc.num_processes}: weights sha256 {fingerprint}")
    acc.end_training()
    return {**record, "fingerprint": fingerprint, "process_index": acc.process_index}
