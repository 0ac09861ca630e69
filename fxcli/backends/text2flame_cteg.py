"""`fxe text2flame --model cteg:CKPT_DIR`: sample expression tracks from a trained CTEG checkpoint.

The checkpoint (written by `fxe train cteg`) names its text encoder; the encoder comes from the model
registry (`minilm` ships with fxe, `bert-base-cased` needs `fxe models pull bert-base-cased`).
"""

from __future__ import annotations

from fxcli.errors import UsageError
from fxcli.tracks.track import Track


class CtegText2Flame:
    """Loads the checkpoint and its text encoder once; `generate` samples one track per text."""

    def __init__(self, arg: str | None, *, device: str = "auto", dtype: str = "auto"):
        if not arg:
            raise UsageError("--model cteg needs a checkpoint folder", hint="use --model cteg:CKPT_DIR")
        from fxcli.train.cteg_checkpoint import load_checkpoint, preflight

        preflight(arg)  # a forged or damaged checkpoint fails here, before torch is imported
        from fxcli.devices import resolve_device
        from fxcli.text.encoder import load_text_encoder

        self.device = resolve_device(device)
        self.ckpt = load_checkpoint(arg, device=self.device)
        self.encoder = load_text_encoder(self.ckpt.model.cfg.text_encoder, device=str(self.device))
        if self.encoder.hidden_size != self.ckpt.model.cfg.text_dim:
            raise UsageError(f"{arg}: checkpoint expects {self.ckpt.model.cfg.text_dim}-d text features, "
                             f"{self.ckpt.model.cfg.text_encoder} gives {self.encoder.hidden_size}")
        self.model_id = f"cteg:{arg}"

    def generate(self, texts: list[str], *, seed: int, fps: float = 25.0, max_frames: int | None = None,
                 expression: str | None = None, alpha: float = 1.0) -> list[Track]:
        """One track per text; text i uses noise seed `seed + i` (see CtegModel.sample)."""
        import torch

        from fxcli.provenance import make_meta

        if expression is not None:
            raise UsageError("--expression is not supported by --model cteg (it follows the text only)")
        if alpha != 1.0:
            raise UsageError("--alpha is not supported by --model cteg")
        cfg = self.ckpt.model.cfg
        if max_frames is not None and not 1 <= max_frames <= cfg.max_len:
            raise UsageError(f"--max-frames must be in 1..{cfg.max_len} for this checkpoint, got {max_frames}")
        hidden, mask = self.encoder.encode_tokens(texts, max_length=cfg.max_text_tokens)
        seqs = self.ckpt.model.sample(hidden.float(), mask, torch.from_numpy(self.ckpt.mean_frame), seed=seed,
                                      max_len=max_frames)
        tracks = []
        for i, (text, seq) in enumerate(zip(texts, seqs, strict=True)):
            meta = make_meta("text2flame", model=self.model_id, model_hash=self.ckpt.weights_hash, seed=seed + i,
                             params={"fps": fps, "max_frames": max_frames})
            frames = seq.float().cpu().numpy()
            if cfg.space == "arkit52":
                frames = frames.clip(0.0, 1.0)  # ARKit weights are defined on [0, 1]; sampling noise can leave it
            tracks.append(Track(space=cfg.space, channels=self.ckpt.channels, fps=fps, frames=frames, text=text,
                                meta=meta))
        return tracks
