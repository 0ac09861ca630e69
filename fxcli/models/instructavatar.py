"""InstructAvatar's text-guided motion generator (Wang et al., 2024), generating fxe tracks.

The paper generates the motion latents of a withheld talking-face VAE (GAIA); its weights and that VAE are
not public. Here the same generator produces the fxe track space instead: per frame the 52 ARKit weights
plus the head pose (3), at 25 frames/s. Everything else follows the paper and its released notes:

- Diffusion: variance-preserving SDE with a linear beta(t) from 0.05 to 20 on t in [0, 1]; the network
  predicts x0; sampling takes 150 deterministic steps (x_s = alpha_s x0_hat + sigma_s eps_hat).
- Backbone: Conformer blocks (d 768, 12 heads, FFN 2048, depth-wise kernel 13, 12 blocks by default).
  The audio features (log-mel, or wav2vec2 from local weights) are projected and added to the hidden
  states in every block; a key frame (the first frame of the clip, the track-space stand-in for GAIA's
  appearance frame) enters through cross-attention.
- Instruction: token embeddings of a frozen text encoder (CLIP ViT-L/14 text from local weights, else the
  shipped MiniLM). Two branches per block: the emotion branch attends to the pooled embedding (one
  token), the motion branch to all tokens. Each branch has an adapter (text' = 0.4 text + 0.6 adapter(text)),
  its own cross-attention and a zero-initialised 1x1 convolution gate, so a new model starts as an
  audio-only generator and learns how much each instruction kind steers it.
- Losses: L1 on x0, L1 on the implied noise, MSE on the head pose, plus the paper's auxiliary heads:
  active AUs (BCE; from the FaceMesh-proxy AUs the target's ARKit weights imply) and emotion intensity (MSE).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812

AU_NAMES = ("AU1", "AU2", "AU4", "AU5", "AU6", "AU7", "AU9", "AU12", "AU15", "AU17", "AU20", "AU23", "AU25", "AU26",
            "AU43")


@dataclass
class InstructAvatarConfig:
    motion_dim: int = 55  # 52 ARKit weights + 3 head pose (pitch, yaw, roll)
    pose_dims: tuple[int, ...] = (52, 53, 54)  # which motion channels are the head pose (pose loss)
    d_model: int = 768
    n_layers: int = 12
    n_heads: int = 12
    d_ffn: int = 2048
    kernel: int = 13  # depth-wise convolution of the Conformer
    dropout: float = 0.1
    audio_dim: int = 80  # log-mel bands (768 for wav2vec2-base)
    audio_features: str = "logmel"  # or "wav2vec2"
    text_dim: int = 384  # MiniLM (768 for CLIP ViT-L/14 text)
    text_encoder: str = "minilm"  # or "clip-vit-large-patch14"
    max_text_tokens: int = 64
    adapter_mix: float = 0.4  # text' = mix * text + (1 - mix) * adapter(text)
    beta_min: float = 0.05
    beta_max: float = 20.0
    sample_steps: int = 150
    t_min: float = 1e-3  # the smallest diffusion time trained and sampled
    fps: float = 25.0
    max_len: int = 250  # frames per training window (10 s)
    n_aus: int = len(AU_NAMES)
    loss_weights: dict = field(default_factory=lambda: {"x0": 1.0, "noise": 0.1, "pose": 1.0, "au": 0.1,
                                                        "intensity": 0.1})

    def to_dict(self) -> dict:
        d = asdict(self)
        d["pose_dims"] = list(self.pose_dims)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> InstructAvatarConfig:
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        if "pose_dims" in known:
            known["pose_dims"] = tuple(known["pose_dims"])
        return cls(**known)


# ---------------------------------------------------------------------------- the VP-SDE

def vp_alpha_sigma(t: torch.Tensor, beta_min: float, beta_max: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean scale alpha(t) = exp(-1/2 int_0^t beta) and std sigma(t) = sqrt(1 - alpha^2) for linear beta."""
    log_alpha = -0.5 * (beta_min * t + 0.5 * (beta_max - beta_min) * t ** 2)
    alpha = torch.exp(log_alpha)
    return alpha, torch.sqrt(torch.clamp(1.0 - alpha ** 2, min=1e-12))


def timestep_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal embedding (B, dim) of continuous times t (B,) in [0, 1] (scaled by 1000 as in DDPM)."""
    half = dim // 2
    freqs = torch.exp(-math.log(10_000.0) * torch.arange(half, device=t.device, dtype=torch.float32) / half)
    args = 1000.0 * t.float()[:, None] * freqs[None]  # (B, half)
    emb = torch.cat([torch.sin(args), torch.cos(args)], dim=-1)
    return F.pad(emb, (0, dim % 2))


def sinusoidal_positions(n: int, dim: int, device) -> torch.Tensor:
    pos = torch.arange(n, device=device, dtype=torch.float32)[:, None]
    i = torch.arange(0, dim, 2, device=device, dtype=torch.float32)
    angle = pos / (10_000.0 ** (i / dim))  # (n, dim/2)
    pe = torch.zeros(n, dim, device=device)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle[:, : dim // 2])
    return pe


# ---------------------------------------------------------------------------- blocks

class FeedForward(nn.Module):
    def __init__(self, d: int, d_ffn: int, dropout: float):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.up = nn.Linear(d, d_ffn)
        self.down = nn.Linear(d_ffn, d)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop(self.down(self.drop(F.silu(self.up(self.norm(x))))))


class ConvModule(nn.Module):
    """Conformer convolution: pointwise + GLU, depth-wise conv, norm, swish, pointwise (masked padding)."""

    def __init__(self, d: int, kernel: int, dropout: float):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.pointwise_in = nn.Conv1d(d, 2 * d, 1)
        self.depthwise = nn.Conv1d(d, d, kernel, padding=kernel // 2, groups=d)
        self.mid_norm = nn.GroupNorm(1, d)  # batch-size independent (the paper's BatchNorm would tie samples)
        self.pointwise_out = nn.Conv1d(d, d, 1)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        h = self.norm(x).transpose(1, 2)  # (B, d, T)
        h = F.glu(self.pointwise_in(h), dim=1)  # (B, d, T)
        h = h * keep[:, None, :]
        h = F.silu(self.mid_norm(self.depthwise(h)))
        return self.drop(self.pointwise_out(h).transpose(1, 2))  # (B, T, d)


class InstructionBranch(nn.Module):
    """Adapter on the instruction tokens, cross-attention from the motion, zero-initialised 1x1 conv gate."""

    def __init__(self, d: int, heads: int, mix: float, dropout: float):
        super().__init__()
        self.mix = mix
        self.adapter = nn.Sequential(nn.Linear(d, d // 4), nn.GELU(), nn.Linear(d // 4, d))
        self.norm = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, dropout=dropout, batch_first=True)
        self.gate = nn.Conv1d(d, d, 1)
        nn.init.zeros_(self.gate.weight)
        nn.init.zeros_(self.gate.bias)

    def forward(self, x: torch.Tensor, text: torch.Tensor, text_pad: torch.Tensor | None) -> torch.Tensor:
        ctx = self.mix * text + (1.0 - self.mix) * self.adapter(text)  # (B, L, d)
        out, _ = self.attn(self.norm(x), ctx, ctx, key_padding_mask=text_pad, need_weights=False)  # (B, T, d)
        return self.gate(out.transpose(1, 2)).transpose(1, 2)  # (B, T, d), zero at initialisation


class ConformerBlock(nn.Module):
    def __init__(self, cfg: InstructAvatarConfig):
        super().__init__()
        d = cfg.d_model
        self.audio = nn.Linear(d, d)  # the audio features enter every block
        self.ff1 = FeedForward(d, cfg.d_ffn, cfg.dropout)
        self.self_norm = nn.LayerNorm(d)
        self.self_attn = nn.MultiheadAttention(d, cfg.n_heads, dropout=cfg.dropout, batch_first=True)
        self.conv = ConvModule(d, cfg.kernel, cfg.dropout)
        self.key_norm = nn.LayerNorm(d)
        self.key_attn = nn.MultiheadAttention(d, cfg.n_heads, dropout=cfg.dropout, batch_first=True)
        self.emotion = InstructionBranch(d, cfg.n_heads, cfg.adapter_mix, cfg.dropout)
        self.motion = InstructionBranch(d, cfg.n_heads, cfg.adapter_mix, cfg.dropout)
        self.ff2 = FeedForward(d, cfg.d_ffn, cfg.dropout)
        self.out_norm = nn.LayerNorm(d)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x, audio, pad, key, pooled, tokens, token_pad):
        keep = (~pad).to(x.dtype)  # (B, T)
        x = x + self.audio(audio)
        x = x + 0.5 * self.ff1(x)
        h = self.self_norm(x)
        x = x + self.drop(self.self_attn(h, h, h, key_padding_mask=pad, need_weights=False)[0])
        x = x + self.conv(x, keep)
        h = self.key_norm(x)
        x = x + self.drop(self.key_attn(h, key, key, need_weights=False)[0])
        x = x + self.emotion(x, pooled, None)  # emotion branch: the pooled instruction (B, 1, d)
        x = x + self.motion(x, tokens, token_pad)  # motion branch: every instruction token (B, L, d)
        x = x + 0.5 * self.ff2(x)
        return self.out_norm(x) * keep[..., None]


class InstructAvatarModel(nn.Module):
    def __init__(self, cfg: InstructAvatarConfig):
        super().__init__()
        if cfg.d_model % cfg.n_heads:
            raise ValueError(f"d_model {cfg.d_model} is not a multiple of heads {cfg.n_heads}")
        self.cfg = cfg
        d = cfg.d_model
        self.motion_in = nn.Linear(cfg.motion_dim, d)
        self.audio_in = nn.Sequential(nn.Linear(cfg.audio_dim, d), nn.SiLU(), nn.Linear(d, d))
        self.text_in = nn.Linear(cfg.text_dim, d)
        self.key_in = nn.Linear(cfg.motion_dim, d)
        self.time_mlp = nn.Sequential(nn.Linear(d, d), nn.SiLU(), nn.Linear(d, d))
        self.blocks = nn.ModuleList(ConformerBlock(cfg) for _ in range(cfg.n_layers))
        self.motion_out = nn.Linear(d, cfg.motion_dim)
        self.au_head = nn.Linear(2 * d, cfg.n_aus)  # from the pooled motion + pooled instruction
        self.intensity_head = nn.Linear(2 * d, 1)

    def forward(self, x_t, t, audio, pad, key_frame, text, text_mask):
        """x0 prediction (B, T, M), AU logits (B, n_aus) and intensity (B,).

        x_t (B, T, M) noisy motion; t (B,) in (0, 1]; audio (B, T, audio_dim); pad (B, T) True where padded;
        key_frame (B, M); text (B, L, text_dim) with text_mask (B, L) 1 for real tokens.
        """
        b, n, _ = x_t.shape
        h = self.motion_in(x_t) + sinusoidal_positions(n, self.cfg.d_model, x_t.device)[None]  # (B, T, d)
        h = h + self.time_mlp(timestep_embedding(t, self.cfg.d_model))[:, None, :]
        a = self.audio_in(audio)  # (B, T, d)
        key = self.key_in(key_frame)[:, None, :]  # (B, 1, d)
        tokens = self.text_in(text)  # (B, L, d)
        m = text_mask.to(tokens.dtype)[..., None]  # (B, L, 1)
        pooled = (tokens * m).sum(1, keepdim=True) / m.sum(1, keepdim=True).clamp(min=1.0)  # (B, 1, d)
        token_pad = text_mask == 0
        for block in self.blocks:
            h = block(h, a, pad, key, pooled, tokens, token_pad)
        x0 = self.motion_out(h)  # (B, T, M)
        keep = (~pad).to(h.dtype)[..., None]
        motion_pooled = (h * keep).sum(1) / keep.sum(1).clamp(min=1.0)  # (B, d)
        summary = torch.cat([motion_pooled, pooled[:, 0]], dim=-1)  # (B, 2d)
        return x0, self.au_head(summary), self.intensity_head(summary)[:, 0]

    # ------------------------------------------------------------------ training and sampling

    def loss(self, x0, audio, pad, text, text_mask, aus, intensity, generator=None) -> dict[str, torch.Tensor]:
        """The training losses for clean motion x0 (B, T, M) (normalised), AU targets (B, n_aus) in {0, 1},
        intensity targets (B,). Padded frames do not count."""
        cfg = self.cfg
        b = x0.shape[0]
        t = cfg.t_min + (1 - cfg.t_min) * torch.rand(b, device=x0.device, generator=generator)
        alpha, sigma = vp_alpha_sigma(t, cfg.beta_min, cfg.beta_max)  # (B,)
        noise = torch.randn(x0.shape, device=x0.device, generator=generator)
        x_t = alpha[:, None, None] * x0 + sigma[:, None, None] * noise
        x0_hat, au_logits, inten = self(x_t, t, audio, pad, x0[:, 0], text, text_mask)
        keep = (~pad).to(x0.dtype)[..., None]  # (B, T, 1)
        count = keep.sum() * x0.shape[-1]
        l_x0 = ((x0_hat - x0).abs() * keep).sum() / count
        noise_hat = (x_t - alpha[:, None, None] * x0_hat) / sigma[:, None, None]
        l_noise = ((noise_hat - noise).abs() * keep).sum() / count
        pose = list(cfg.pose_dims)
        l_pose = (((x0_hat[..., pose] - x0[..., pose]) ** 2) * keep).sum() / (keep.sum() * len(pose))
        l_au = F.binary_cross_entropy_with_logits(au_logits, aus)
        l_int = F.mse_loss(inten, intensity)
        w = cfg.loss_weights
        total = (w["x0"] * l_x0 + w["noise"] * l_noise + w["pose"] * l_pose + w["au"] * l_au
                 + w["intensity"] * l_int)
        return {"loss": total, "x0": l_x0, "noise": l_noise, "pose": l_pose, "au": l_au, "intensity": l_int}

    @torch.no_grad()
    def sample(self, audio, key_frame, text, text_mask, *, seed: int = 0, steps: int | None = None) -> torch.Tensor:
        """Motion (B, T, M) (normalised) from noise: `steps` deterministic x0-prediction steps from t = 1."""
        cfg = self.cfg
        steps = steps or cfg.sample_steps
        b, n, _ = audio.shape
        gen = torch.Generator(device="cpu").manual_seed(int(seed))
        x = torch.randn((b, n, cfg.motion_dim), generator=gen).to(audio.device)
        pad = torch.zeros(b, n, dtype=torch.bool, device=audio.device)
        times = torch.linspace(1.0, cfg.t_min, steps + 1, device=audio.device)
        x0_hat = x
        for i in range(steps):
            t, s = times[i], times[i + 1]
            tb = t.expand(b)
            x0_hat, _, _ = self(x, tb, audio, pad, key_frame, text, text_mask)
            a_t, s_t = vp_alpha_sigma(t, cfg.beta_min, cfg.beta_max)
            a_s, s_s = vp_alpha_sigma(s, cfg.beta_min, cfg.beta_max)
            eps = (x - a_t * x0_hat) / s_t
            x = a_s * x0_hat + s_s * eps
        return x0_hat


# ---------------------------------------------------------------------------- audio features

def mel_filterbank(n_fft: int, rate: int, n_mels: int, fmin: float = 20.0, fmax: float | None = None) -> torch.Tensor:
    """(n_mels, n_fft // 2 + 1) triangular filters on the HTK mel scale."""
    fmax = fmax or rate / 2

    def mel(f):
        return 2595.0 * math.log10(1.0 + f / 700.0)

    pts = torch.linspace(mel(fmin), mel(fmax), n_mels + 2)
    hz = 700.0 * (10 ** (pts / 2595.0) - 1.0)
    bins = torch.linspace(0, rate / 2, n_fft // 2 + 1)
    lower, centre, upper = hz[:-2, None], hz[1:-1, None], hz[2:, None]
    up = (bins[None] - lower) / (centre - lower)
    down = (upper - bins[None]) / (upper - centre)
    return torch.clamp(torch.minimum(up, down), min=0.0)


def log_mel_features(samples, rate: int, n_frames: int, fps: float = 25.0, n_mels: int = 80) -> torch.Tensor:
    """(n_frames, n_mels) log-mel energies averaged over each video frame (25 ms windows every 10 ms)."""
    x = torch.as_tensor(samples, dtype=torch.float32)
    n_fft, hop = int(0.025 * rate), int(0.010 * rate)
    if len(x) < n_fft:
        x = F.pad(x, (0, n_fft - len(x)))
    spec = torch.stft(x, n_fft=n_fft, hop_length=hop, window=torch.hann_window(n_fft), center=True,
                      return_complex=True).abs() ** 2  # (F, frames)
    mel = torch.log(mel_filterbank(n_fft, rate, n_mels) @ spec + 1e-6).T  # (frames, n_mels)
    # average the 100 Hz frames falling in each video frame
    idx = torch.clamp((torch.arange(mel.shape[0]) * (hop / rate) * fps).long(), max=n_frames - 1)
    out = torch.zeros(n_frames, n_mels).index_add_(0, idx, mel)
    counts = torch.zeros(n_frames).index_add_(0, idx, torch.ones(mel.shape[0])).clamp(min=1.0)
    out = out / counts[:, None]
    return (out - out.mean()) / out.std().clamp(min=1e-6)
