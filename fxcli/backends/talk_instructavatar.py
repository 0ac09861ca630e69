"""`talk --model instructavatar:CKPT_DIR`: InstructAvatar's motion generator (trained with `fxe train
instructavatar`) turns audio features + the instruction into a track (52 ARKit weights + head pose)."""

from __future__ import annotations

import numpy as np

from fxcli.errors import UsageError


class InstructAvatarTalk:
    name = "instructavatar"

    def __init__(self, arg: str | None = None, *, device: str = "auto", dtype: str = "auto"):
        if not arg:
            raise UsageError("--model instructavatar needs a checkpoint folder: instructavatar:CKPT_DIR",
                             hint="train one with `fxe train instructavatar`")
        from fxcli.devices import resolve_device
        from fxcli.train.instructavatar_checkpoint import load_checkpoint

        self.device = str(resolve_device(device))
        self.ckpt = load_checkpoint(arg, device=self.device)
        self.model_id = f"instructavatar:{arg}"

    def generate(self, audio, *, transcript: str | None, instruction: str | None, seed: int, fps: float = 25.0,
                 alpha: float = 1.0):
        import torch

        from fxcli.provenance import make_meta
        from fxcli.tracks.channels import ARKIT52
        from fxcli.tracks.track import Track
        from fxcli.train.instructavatar_checkpoint import audio_features, encode_instructions

        model, cfg = self.ckpt.model, self.ckpt.model.cfg
        n = max(2, int(round(audio.duration * cfg.fps)))
        feats = torch.from_numpy(audio_features(cfg.audio_features, audio, n, cfg.fps))[None].to(self.device)
        text = encode_instructions(cfg.text_encoder, [instruction or ""], cfg.max_text_tokens)[instruction or ""]
        tokens = text[None].to(self.device)  # (1, L, H)
        mask = torch.ones(1, tokens.shape[1], dtype=torch.long, device=self.device)
        key = torch.zeros(1, cfg.motion_dim, device=self.device)  # the normalised mean frame: a neutral start
        x = model.sample(feats, key, tokens, mask, seed=seed)[0].cpu().numpy()  # (n, 55) normalised
        motion = x * self.ckpt.std + self.ckpt.mean
        n_out = max(1, int(round(audio.duration * fps)))
        t_src, t_dst = np.arange(n) / cfg.fps, np.arange(n_out) / fps
        motion = np.stack([np.interp(t_dst, t_src, motion[:, c]) for c in range(motion.shape[1])], 1)
        frames = np.clip(motion[:, :52], 0, 1).astype(np.float32)
        meta = make_meta("talk", model=self.model_id, seed=seed,
                         params={"fps": fps, "instruction": instruction, "transcript": transcript},
                         backend="instructavatar", timing="learned", audio_duration=round(audio.duration, 4))
        notes = [] if alpha == 1.0 else ["--alpha does not apply to --model instructavatar; ignored"]
        return Track(space="arkit52", channels=list(ARKIT52), fps=float(fps), frames=frames,
                     pose=motion[:, 52:55].astype(np.float32), text=transcript, meta=meta), notes
