"""Training CTEG with Hugging Face accelerate: one process by default, many under `accelerate launch`.

    fxe train cteg --data DIR -o CKPT_DIR                                  # one process
    accelerate launch --multi_gpu --num_processes 2 -m fxcli train cteg ... --device cpu
    torchrun --nproc_per_node 2 -m fxcli train cteg ... --device cpu        # the same, without accelerate's launcher

(accelerate's own `--cpu` launch of several processes needs MPI; the torch.distributed launcher above
runs the same DDP training with the gloo backend when the device is the CPU.)

Each process builds the same seeded model (DDP also broadcasts rank 0's weights) and reads its shard
of every batch; gradients are averaged, so all processes hold identical weights. Only the main process
writes the checkpoint and the log lines; at the end every process logs a fingerprint of its weights.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from fxcli.errors import InvalidInputError, UsageError
from fxcli.tracks.channels import DEFAULT_CHANNELS

TEXT_ENCODERS = ("minilm", "bert-base-cased")
def channel_std(train: list[tuple[str, np.ndarray]]) -> np.ndarray:
    """Per-channel standard deviation of all training frames (the sampling noise scale), floored at 1e-3."""
    frames = np.concatenate([f for _, f in train], axis=0)  # (sum T_i, C)
    return np.maximum(frames.std(axis=0), 1e-3)


def start_frame_for(space: str, train: list[tuple[str, np.ndarray]]) -> np.ndarray:
    """BOS frame: EmoAva's dataset mean for FLAME frames (registry `emoava-stats`), else the training mean."""
    if space == "flame":
        from fxcli import registry

        return np.load(registry.resolve("emoava-stats").file("stage1_mean.npy"), allow_pickle=False).astype(
            np.float32).reshape(-1)
    return np.concatenate([f for _, f in train]).mean(0).astype(np.float32)


def weights_fingerprint(model: Any) -> str:
    """sha256 over every parameter and buffer in name order (identical weights <=> same string)."""
    h = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def _encode(encoder: Any, texts: list[str], max_tokens: int, device: Any):
    hidden, mask = encoder.encode_tokens(texts, max_length=max_tokens)
    return hidden.clone().float().to(device), mask.clone().to(device)  # clone: leave inference mode


def _dev_scores(model: Any, encoder: Any, dev: list, start: np.ndarray, space: str, *, seed: int,
                batch_size: int, device: Any, n_samples: int) -> dict[str, float]:
    """Teacher-forced dev loss (posterior z, fixed noise) and, when available, CTEG metrics of samples."""
    import torch

    from fxcli.train.cteg_data import collate

    model.eval()
    totals: dict[str, float] = {}
    n = 0
    gen = torch.Generator(device="cpu").manual_seed(seed)
    with torch.no_grad():
        for i in range(0, len(dev), batch_size):
            texts, frames, lengths = collate(dev[i : i + batch_size], start)
            hidden, mask = _encode(encoder, texts, model.cfg.max_text_tokens, device)
            noise_gen = gen if str(device).startswith("cpu") else None
            out = model.loss(frames.to(device), lengths.to(device), hidden, mask, generator=noise_gen)
            for k, v in out.items():
                totals[k] = totals.get(k, 0.0) + float(v) * len(texts)
            n += len(texts)
    scores = {f"dev_{k}": v / n for k, v in totals.items()}
    try:
        from fxcli.metrics.cteg_metrics import score_tracks
    except ImportError:
        score_tracks = None
    if score_tracks is not None and n_samples > 0:
        from fxcli.tracks.track import Track

        items = dev[:n_samples]
        hidden, mask = _encode(encoder, [t for t, _ in items], model.cfg.max_text_tokens, device)
        seqs = model.sample(hidden, mask, torch.from_numpy(start), seed=seed)
        names = list(DEFAULT_CHANNELS[space])
        gen_tracks = [Track(space=space, channels=names, fps=25.0, frames=s.cpu().numpy(), text=t)
                      for s, (t, _) in zip(seqs, items, strict=True)]
        ref_tracks = [Track(space=space, channels=names, fps=25.0, frames=f, text=t) for t, f in items]
        scores.update({f"dev_{k}": float(v) for k, v in score_tracks(gen_tracks, ref_tracks).items()})
    model.train()
    return scores


def train_cteg(data: str, output: str, *, epochs: int = 100, batch_size: int = 256, lr_mul: float = 2.0,
               warmup: int = 4000, text_encoder: str = "bert-base-cased", resume: bool = False,
               dev_fraction: float = 0.05, seed: int = 0, device: str = "auto", d_model: int = 768,
               heads: int = 12, ffn: int = 2048, layers: int = 1, dropout: float = 0.1, max_len: int = 256,
               metric_samples: int = 16, log_every: int = 50, encoder: Any = None, precision: str = "fp32",
               dry_run: bool = False, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Train (or resume) a CTEG model on a data folder; writes the checkpoint to `output` after each epoch.

    `encoder` overrides the registry text encoder (an object with `encode_tokens` and `hidden_size`).
    Returns the final history entry plus `fingerprint` (see `weights_fingerprint`) and `process_index`.
    Every step and epoch also goes to `output`/train_log.jsonl, and the curve to `output`/loss.png.
    `dry_run`: build everything, run one optimiser step, write nothing, and return the dry-run report
    (parameter counts, the step's losses, peak memory) plus `process_index`.
    """
    import torch

    from fxcli.models.cteg import CtegConfig, CtegModel, noam_factor
    from fxcli.train.cteg_checkpoint import CONFIG, load_checkpoint, load_training_state, save_checkpoint
    from fxcli.train.cteg_data import collate, load_cteg_data
    from fxcli.train.run_setup import check_output_folder, make_accelerator
    from fxcli.train.training_log import TrainingLog, dry_run_report

    for name, value, low in (("epochs", epochs, 1), ("batch size", batch_size, 1), ("warmup", warmup, 1),
                             ("max length", max_len, 1), ("layers", layers, 1), ("heads", heads, 1)):
        if value < low:
            raise UsageError(f"{name} must be >= {low}, got {value}")
    if not (lr_mul > 0 and math.isfinite(lr_mul)):
        raise UsageError(f"lr multiplier must be a positive number, got {lr_mul}")
    if not 0.0 <= dev_fraction < 1.0:
        raise UsageError(f"dev fraction must be in [0, 1), got {dev_fraction}")
    if not 0.0 <= dropout < 1.0 or metric_samples < 0:
        raise UsageError(f"dropout must be in [0, 1) and metric samples >= 0, got {dropout} and {metric_samples}")
    if encoder is None and text_encoder not in TEXT_ENCODERS:
        raise UsageError(f"unknown text encoder {text_encoder!r}", hint=f"choose from {', '.join(TEXT_ENCODERS)}")
    out = check_output_folder(output, CONFIG, resume=resume, dry_run=dry_run)
    acc = make_accelerator(device, precision)
    main = acc.is_main_process
    say = log if main else (lambda _msg: None)

    history: list[dict[str, Any]] = []
    first_epoch, step = 0, 0
    if resume:
        ckpt = load_checkpoint(out)
        model, start, info = ckpt.model.train(), ckpt.mean_frame, ckpt.info
        cfg, space = model.cfg, model.cfg.space
        history, first_epoch, step = list(info.get("history", [])), int(info["epoch"]), int(info["step"])
        data_split_seed = int(info.get("data_seed", seed))
        dev_fraction = float(info.get("dev_fraction", dev_fraction))
        text_encoder = cfg.text_encoder
    else:
        data_split_seed = seed
    dataset = load_cteg_data(data, dev_fraction=dev_fraction, seed=data_split_seed,
                             max_len=cfg.max_len if resume else max_len)
    if encoder is None:
        from fxcli.text.encoder import load_text_encoder

        encoder = load_text_encoder(text_encoder, device=str(acc.device))
    if resume:
        if dataset.space != space:
            raise InvalidInputError(f"{data}: {dataset.space} data cannot continue a {space} checkpoint")
    else:
        space = dataset.space
        start = start_frame_for(space, dataset.train)
        cfg = CtegConfig.for_space(space, d_model=d_model, n_heads=heads, d_ffn=ffn, n_layers=layers,
                                   dropout=dropout, max_len=max_len, text_encoder=text_encoder,
                                   text_dim=int(encoder.hidden_size), lr_mul=lr_mul, warmup=warmup,
                                   noise_scale=tuple(channel_std(dataset.train)))
        torch.manual_seed(seed)  # the same initial weights in every process
        try:
            model = CtegModel(cfg)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if int(encoder.hidden_size) != cfg.text_dim:
        raise UsageError(f"text encoder width {encoder.hidden_size} does not match the checkpoint's {cfg.text_dim}")
    say(f"data: {len(dataset.train)} train / {len(dataset.dev)} dev sequences ({space}, {cfg.frame_width} values"
        f" per frame); {acc.num_processes} process(es) on {acc.device}")

    class LossOf(torch.nn.Module):  # DDP syncs gradients of what goes through forward()
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, frames, lengths, hidden, mask):
            return self.m.loss(frames, lengths, hidden, mask)

    optimizer = torch.optim.Adam(model.parameters(), lr=1.0, betas=(0.9, 0.98), eps=1e-9)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda i: noam_factor(i + 1, cfg.d_model, cfg.warmup, cfg.lr_mul))
    if resume:
        state = load_training_state(out)
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
    wrapped, optimizer = acc.prepare(LossOf(model), optimizer)
    torch.manual_seed(seed + 1000 * (acc.process_index + 1) + first_epoch)  # z / dropout noise per process
    train_log = TrainingLog(out, enabled=main and not dry_run, resume=resume)

    records: dict[str, Any] = history[-1] if history else {}
    if dry_run:
        epochs = min(epochs, first_epoch + 1)
    for epoch in range(first_epoch, epochs):
        order = torch.Generator().manual_seed(seed + epoch)
        loader = torch.utils.data.DataLoader(
            dataset.train, batch_size=batch_size, shuffle=True, generator=order,
            collate_fn=lambda b: collate(b, start))
        loader = acc.prepare_data_loader(loader)
        wrapped.train()
        sums: dict[str, float] = {}
        n_batches = 0
        for texts, frames, lengths in loader:
            hidden, mask = _encode(encoder, texts, cfg.max_text_tokens, acc.device)
            losses = wrapped(frames, lengths, hidden, mask)
            if not torch.isfinite(losses["loss"]):
                raise InvalidInputError(f"training diverged at step {step + 1} (loss {float(losses['loss'])});"
                                        " lower --lr-mul or raise --warmup")
            optimizer.zero_grad(set_to_none=True)
            acc.backward(losses["loss"])
            optimizer.step()
            schedule.step()
            step += 1
            n_batches += 1
            for k, v in losses.items():
                sums[k] = sums.get(k, 0.0) + float(v.detach())
            train_log.step(step=step, epoch=epoch + 1, loss=float(losses["loss"].detach()),
                           terms={k: float(v.detach()) for k, v in losses.items() if k != "loss"},
                           lr=schedule.get_last_lr()[0])
            if dry_run:
                report = dry_run_report("cteg", device=acc.device, modules={"cteg": model},
                                        step={"step": step, **{k: float(v.detach()) for k, v in losses.items()}},
                                        train_sequences=len(dataset.train), dev_sequences=len(dataset.dev),
                                        processes=acc.num_processes, precision=precision)
                acc.end_training()
                return {**report, "process_index": acc.process_index}
            if log_every and step % log_every == 0:
                say(f"epoch {epoch + 1}/{epochs} step {step} loss {float(losses['loss'].detach()):.4f} "
                    f"lr {schedule.get_last_lr()[0]:.3g}")
        records = {"epoch": epoch + 1, "step": step, **{f"train_{k}": v / max(n_batches, 1) for k, v in sums.items()}}
        if main:
            if dataset.dev:
                records.update(_dev_scores(model, encoder, dataset.dev, start, space, seed=seed,
                                           batch_size=batch_size, device=acc.device, n_samples=metric_samples))
            history.append(records)
            save_checkpoint(out, model, start, list(DEFAULT_CHANNELS[space]),
                            {"epoch": epoch + 1, "step": step, "history": history, "data_seed": data_split_seed,
                             "dev_fraction": dev_fraction},
                            {"optimizer": optimizer.state_dict(), "schedule": schedule.state_dict()})
            train_log.epoch(step=step, epoch=epoch + 1, loss=records.get("train_loss"),
                            terms={k: v for k, v in records.items() if k not in ("epoch", "step", "train_loss")},
                            lr=schedule.get_last_lr()[0])
            say(f"epoch {epoch + 1}/{epochs}: " + ", ".join(f"{k} {v:.4g}" for k, v in records.items()
                                                            if k not in ("epoch", "step")))
        acc.wait_for_everyone()
    fingerprint = weights_fingerprint(model)
    log(f"process {acc.process_index + 1}/{acc.num_processes}: weights sha256 {fingerprint}")
    acc.end_training()
    return {**records, "fingerprint": fingerprint, "process_index": acc.process_index}
