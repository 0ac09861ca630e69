"""CTEG (When Words Smile): text -> sequence of 3D expression frames.

A frozen transformer text encoder conditions an autoregressive decoder over expression frames:

    frames (B, T, C) --EwA--> Linear(C -> D) + sinusoidal positions
      -> CVAD layer(s): masked self-attention -> cross-attention to text -> Latent Temporal Attention
         -> prior / posterior heads -> z added to the hidden state -> cross-attention -> FFN
      -> Linear(D -> C) = mean of the next frame

C is 53 for FLAME (exp00..exp49, jaw0..jaw2) or 52 for ARKit blendshapes, D = d_model. Layers are
post-LN (residual, then LayerNorm). Each sequence starts with a mean frame (BOS); the end target is the
all-zero "standard face"; sampling stops at the first frame whose L2 norm is below `stop_threshold` or
at `max_len` frames (MSL).

Deviation from the official code: Expression-wise Attention (EwA) builds its channel tokens from a
per-channel time average of the input frames. The official code averages over the whole teacher-forced
sequence, so during training every position sees future frames it will not have at inference. Here the
average is a causal running mean (frames 0..t for position t), which is what sampling can compute, so
training and sampling see the same function.

Losses (`CtegModel.loss`): per-frame Euclidean distance with jaw channels weighted x5 (over real frames
and the end frame), KL(posterior || prior) of the per-step latents, and the paper's target-guided
loss L_g (the frame predicted from z alone through an FFN and a linear layer). Optimiser: Adam with the
Noam schedule (`noam_factor`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

ARKIT_JAW = (14, 15, 16, 17)  # jawForward, jawLeft, jawRight, jawOpen in ARKIT52 order
FLAME_JAW = (50, 51, 52)  # jaw0..jaw2 in the CTEG53 layout


@dataclass
class CtegConfig:
    frame_width: int = 53  # 53 = 50 FLAME expression coefficients + 3 jaw axis-angle values; 52 = ARKit
    space: str = "flame"  # track space of the frames: "flame" (CTEG53 channels) or "arkit52"
    d_model: int = 768  # width of every hidden state and of z (the paper: the same as BERT's)
    n_heads: int = 12  # heads of every attention module (EwA, self, cross, LTA)
    d_ffn: int = 2048  # inner width of the position-wise feed-forward networks
    n_layers: int = 1  # CVAD layers; the paper uses one (deeper ones hurt in its Appendix C)
    dropout: float = 0.1
    max_len: int = 256  # MSL: longest sequence trained on and sampled
    text_encoder: str = "bert-base-cased"  # registry name of the frozen encoder ("minilm" runs offline)
    text_dim: int = 768  # hidden size of that encoder (384 for minilm)
    max_text_tokens: int = 128  # text truncation, as in the paper
    jaw_channels: tuple[int, ...] = field(default=FLAME_JAW)  # jaw part of a frame (EwA queries, x5 in the loss)
    jaw_weight: float = 5.0  # loss weight of the jaw channels (official code)
    stop_threshold: float = 1.0  # sampling stops at the first mean frame with L2 norm below this
    sample_noise_std: float = 1.0  # psi_hat = mu + sigma * scale_c * eps at sampling (the paper's sigma = 1; 0 = means)
    # Per-channel scale of that noise: the training frames' standard deviation. The official code adds
    # N(0, 1) to every value, which fits FLAME expression coefficients (std ~1 in EmoAva) but not jaw
    # angles (std ~0.03 rad) or ARKit weights (in [0, 1]); empty = 1 for every channel (official).
    noise_scale: tuple[float, ...] = ()
    lr_mul: float = 2.0  # Noam schedule: lr = lr_mul * d_model^-0.5 * min(step^-0.5, step * warmup^-1.5)
    warmup: int = 4000

    def __post_init__(self) -> None:
        self.jaw_channels = tuple(int(c) for c in self.jaw_channels)
        self.noise_scale = tuple(float(c) for c in self.noise_scale)
        if self.noise_scale and len(self.noise_scale) != self.frame_width:
            raise ValueError(f"noise_scale has {len(self.noise_scale)} values for frames of {self.frame_width}")

    @classmethod
    def for_space(cls, space: str, **kw: Any) -> CtegConfig:
        """Config with frame width and jaw channels of a track space ("flame" or "arkit52")."""
        if space == "flame":
            return cls(space=space, frame_width=53, jaw_channels=FLAME_JAW, **kw)
        if space == "arkit52":
            # ARKit weights spread ~10x less than FLAME coefficients: the stop norm shrinks with them
            return cls(space=space, frame_width=52, jaw_channels=ARKIT_JAW, **{"stop_threshold": 0.1, **kw})
        raise ValueError(f"CTEG models flame or arkit52 frames, not {space!r}")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["jaw_channels"] = list(self.jaw_channels)
        d["noise_scale"] = list(self.noise_scale)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CtegConfig:
        known = set(cls.__dataclass_fields__)
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown CTEG config key(s): {', '.join(sorted(unknown))}")
        return cls(**d)


def noam_factor(step: int, d_model: int, warmup: int, lr_mul: float) -> float:
    """Learning rate at optimiser step `step` (1-based) of the Noam schedule (Vaswani et al. 2017)."""
    step = max(step, 1)
    return lr_mul * d_model**-0.5 * min(step**-0.5, step * warmup**-1.5)


def sinusoidal_positions(n: int, d: int) -> torch.Tensor:
    pos = torch.arange(n, dtype=torch.float32)[:, None]  # (n, 1)
    freq = torch.exp(torch.arange(0, d, 2, dtype=torch.float32) * (-math.log(10000.0) / d))  # (d/2,)
    pe = torch.zeros(n, d)
    pe[:, 0::2] = torch.sin(pos * freq)
    pe[:, 1::2] = torch.cos(pos * freq[: d // 2])
    return pe  # (n, d)


class Attention(nn.Module):
    """Multi-head attention with an optional key/value cache for step-by-step decoding."""

    def __init__(self, d: int, heads: int, dropout: float):
        super().__init__()
        self.h, self.dh, self.p = heads, d // heads, dropout
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))

    def split(self, x: torch.Tensor) -> torch.Tensor:
        return x.view(x.shape[0], x.shape[1], self.h, self.dh).transpose(1, 2)  # (B, h, L, dh)

    def kv(self, memory: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.split(self.k(memory)), self.split(self.v(memory))  # (B, h, L, dh) each

    def forward(self, x: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        q = self.split(self.q(x))  # (B, h, Tq, dh)
        p = self.p if self.training else 0.0
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)  # (B, h, Tq, dh)
        return self.o(y.transpose(1, 2).reshape(x.shape[0], x.shape[1], -1))  # (B, Tq, D)


class SelfAttention(Attention):
    """Causal self-attention; with a cache dict it appends this call's keys/values and attends over all."""

    def forward(self, x: torch.Tensor, cache: dict | None = None) -> torch.Tensor:  # type: ignore[override]
        k, v = self.kv(x)  # (B, h, Tq, dh)
        if cache is None:
            t = x.shape[1]
            mask = torch.ones(t, t, dtype=torch.bool, device=x.device).tril()  # (Tq, Tq) True = may attend
            return super().forward(x, k, v, mask)
        n = cache.get("n", 0)
        if "k" not in cache or n + k.shape[2] > cache["k"].shape[2]:  # grow by doubling: O(T) copies in total
            size = max(2 * (n + k.shape[2]), 16)
            for name, new in (("k", k), ("v", v)):
                buf = new.new_empty(new.shape[0], new.shape[1], size, new.shape[3])  # (B, h, capacity, dh)
                if n:
                    buf[:, :, :n] = cache[name][:, :, :n]
                cache[name] = buf
        cache["k"][:, :, n : n + k.shape[2]] = k
        cache["v"][:, :, n : n + k.shape[2]] = v
        cache["n"] = n = n + k.shape[2]
        # the new query may see every cached key
        return super().forward(x, cache["k"][:, :, :n], cache["v"][:, :, :n], None)  # (B, Tq, D)


class ExpressionWiseAttention(nn.Module):
    """EwA: jaw channels attend over the other channels; the result is added to the jaw values.

    Each channel's causal running mean is a token. In the official code a token is Linear(1 -> D) of
    the scalar, then the attention's query/key/value projections; a Linear(1 -> D) followed by a
    Linear(D -> D) is again an affine map of the scalar, so each of q, k, v is one Linear(1 -> D) here
    and the attention is evaluated in closed form (scores are affine in the key scalar), which keeps it
    cheap at every time step without changing the function class. The output projection back to a
    scalar is likewise one Linear(D -> 1).
    """

    def __init__(self, cfg: CtegConfig):
        super().__init__()
        jaw = list(cfg.jaw_channels)
        face = [c for c in range(cfg.frame_width) if c not in set(jaw)]
        self.register_buffer("jaw_idx", torch.tensor(jaw), persistent=False)
        self.register_buffer("face_idx", torch.tensor(face), persistent=False)
        self.h, self.dh = cfg.n_heads, cfg.d_model // cfg.n_heads
        self.q, self.k, self.v = nn.Linear(1, cfg.d_model), nn.Linear(1, cfg.d_model), nn.Linear(1, cfg.d_model)
        self.out = nn.Linear(cfg.d_model, 1)

    def forward(self, frames: torch.Tensor, running_mean: torch.Tensor) -> torch.Tensor:
        m_jaw = running_mean[..., self.jaw_idx]  # (B, T, J)
        m_face = running_mean[..., self.face_idx]  # (B, T, F)
        lead = m_jaw.shape[:-1]
        q = self.q(m_jaw[..., None]).view(*lead, -1, self.h, self.dh)  # (B, T, J, h, dh)
        ka, kb = self.k.weight[:, 0].view(self.h, self.dh), self.k.bias.view(self.h, self.dh)  # (h, dh)
        va, vb = self.v.weight[:, 0].view(self.h, self.dh), self.v.bias.view(self.h, self.dh)  # (h, dh)
        # key of channel c = m_c * ka + kb, so score = m_c * (q . ka) + (q . kb)
        qa, qb = (q * ka).sum(-1), (q * kb).sum(-1)  # (B, T, J, h)
        scores = (m_face[..., None, :, None] * qa[..., None, :] + qb[..., None, :]) / math.sqrt(self.dh)
        attn = scores.softmax(dim=-2)  # (B, T, J, F, h): over the F face channels
        # value of channel c = m_c * va + vb, and the weights sum to 1
        mixed = (attn * m_face[..., None, :, None]).sum(-2)  # (B, T, J, h)
        y = mixed[..., None] * va + vb  # (B, T, J, h, dh)
        delta = self.out(y.reshape(*lead, -1, self.h * self.dh))[..., 0]  # (B, T, J)
        return frames.index_add(-1, self.jaw_idx, delta)  # (B, T, C): E' = [E_f, E_j + E_j']


class CvadLayer(nn.Module):
    """Conditional Variational Autoregressive Decoder layer with Latent Temporal Attention."""

    def __init__(self, cfg: CtegConfig):
        super().__init__()
        d, h, p = cfg.d_model, cfg.n_heads, cfg.dropout
        self.self_attn, self.ln1 = SelfAttention(d, h, p), nn.LayerNorm(d)
        self.cross1, self.ln2 = Attention(d, h, p), nn.LayerNorm(d)
        self.lta, self.ln3 = SelfAttention(d, h, p), nn.LayerNorm(d)  # Latent Temporal Attention
        self.prior = nn.Linear(d, 2 * d)  # -> mean, log-variance of P(z_t | psi_<t, x)
        self.posterior = nn.Linear(d, 2 * d)  # -> mean, log-variance of Q(z_t | psi_<=t, x)
        self.cross2, self.ln4 = Attention(d, h, p), nn.LayerNorm(d)
        self.ffn = nn.Sequential(nn.Linear(d, cfg.d_ffn), nn.ReLU(), nn.Dropout(p), nn.Linear(cfg.d_ffn, d))
        self.ln5 = nn.LayerNorm(d)
        self.guide_ffn = nn.Sequential(nn.Linear(d, cfg.d_ffn), nn.ReLU(), nn.Linear(cfg.d_ffn, d))  # FFN_i of L_g
        self.drop = nn.Dropout(p)

    def latent_stream(self, x: torch.Tensor, text_kv: tuple, text_mask: torch.Tensor,
                      cache: dict | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Hidden state after text cross-attention and the LTA output o that the z heads read."""
        a = self.ln1(x + self.drop(self.self_attn(x, None if cache is None else cache.setdefault("self", {}))))
        c = self.ln2(a + self.drop(self.cross1(a, *text_kv, text_mask)))  # (B, T, D)
        o = self.ln3(c + self.drop(self.lta(c, None if cache is None else cache.setdefault("lta", {}))))
        return c, o  # (B, T, D) each

    def generate(self, c: torch.Tensor, z: torch.Tensor, text_kv: tuple, text_mask: torch.Tensor) -> torch.Tensor:
        h = c + z  # (B, T, D): z added to the hidden state
        h = self.ln4(h + self.drop(self.cross2(h, *text_kv, text_mask)))
        return self.ln5(h + self.drop(self.ffn(h)))  # (B, T, D)

    def forward(self, x: torch.Tensor, text_kv: tuple[tuple, tuple], text_mask: torch.Tensor, *,
                z_from: str = "prior", eps: torch.Tensor | None = None, cache: dict | None = None,
                generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """One CVAD layer: (B, T, D) hidden states -> (next layer's input, z, KL per position or None).

        `text_kv` = (keys/values of cross1, of cross2) from `CtegModel.text_memory`; `text_mask` (B, 1, 1, L).
        Where z comes from:
          "posterior"   training: x holds T = n+1 positions [BOS, psi_1..psi_n (, EOS)]; z_t ~ Q(z | o_{t+1})
                        (reparameterised with noise from `generator`), KL(Q || P(z | o_t)) per position;
                        the output keeps the last input position (only Q reads it), so it is (B, T, D) again
                        and z, KL are (B, T-1, D), (B, T-1)
          "prior"       sampling: z = mu_p + sigma_p * eps, `eps` (B, T, D) standard normal noise; `cache`
                        makes it one step of cached decoding (x is then the newest position only)
          "prior-mean"  deterministic: z = mu_p (teacher-forced means for Cppl)
        """
        kv1, kv2 = text_kv
        c, o = self.latent_stream(x, kv1, text_mask, cache)  # (B, T, D) each
        if z_from == "posterior":
            mu_p, lv_p = gaussian(self.prior(o[:, :-1]))  # position t: frames <= t   (B, T-1, D)
            mu_q, lv_q = gaussian(self.posterior(o[:, 1:]))  # position t+1: also sees the target
            noise = torch.randn(mu_q.shape, generator=generator, device=mu_q.device, dtype=mu_q.dtype)
            z = mu_q + (0.5 * lv_q).exp() * noise  # (B, T-1, D) reparameterised
            kl = 0.5 * (lv_p - lv_q + ((lv_q.exp() + (mu_q - mu_p) ** 2) / lv_p.exp()) - 1.0).sum(-1)  # (B, T-1)
            return torch.cat([self.generate(c[:, :-1], z, kv2, text_mask), x[:, -1:]], 1), z, kl  # (B, T, D)
        mu_p, lv_p = gaussian(self.prior(o))  # (B, T, D)
        if z_from == "prior-mean":
            z = mu_p
        elif z_from == "prior":
            z = mu_p + (0.5 * lv_p).exp() * eps
        else:
            raise ValueError(f"z_from must be posterior, prior or prior-mean, not {z_from!r}")
        return self.generate(c, z, kv2, text_mask), z, None  # (B, T, D)


def gaussian(params: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    mu, logvar = params.chunk(2, dim=-1)
    return mu, logvar.clamp(-20.0, 10.0)  # (…, D) each; clamped so exp() stays finite


class CtegModel(nn.Module):
    def __init__(self, cfg: CtegConfig):
        super().__init__()
        if cfg.d_model % cfg.n_heads:
            raise ValueError(f"d_model {cfg.d_model} is not divisible by n_heads {cfg.n_heads}")
        rng = torch.random.get_rng_state()  # _init_weights replays the draws construction made (see there)
        self.cfg = cfg
        d = cfg.d_model
        self.ewa = ExpressionWiseAttention(cfg)
        self.embed = nn.Linear(cfg.frame_width, d)
        self.register_buffer("pos", sinusoidal_positions(cfg.max_len + 2, d), persistent=False)  # (MSL+2, D)
        self.text_proj = nn.Linear(cfg.text_dim, d) if cfg.text_dim != d else nn.Identity()
        self.layers = nn.ModuleList(CvadLayer(cfg) for _ in range(cfg.n_layers))
        self.head = nn.Linear(d, cfg.frame_width)  # mu_g: mean of the next frame
        self.guide = nn.Linear(d, cfg.frame_width)  # f_gamma of L_g
        self.drop = nn.Dropout(cfg.dropout)
        weights = torch.ones(cfg.frame_width)
        weights[list(cfg.jaw_channels)] = cfg.jaw_weight
        self.register_buffer("loss_weights", weights, persistent=False)  # (C,)
        torch.random.set_rng_state(rng)
        for module in self.modules():  # registration order = construction order: the same draws, the same weights
            self._init_weights(module)

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        """The initialisation policy, stated once (the official code's, i.e. PyTorch's defaults):

        Linear: weight ~ U(-b, b), b = 1/sqrt(fan_in) (kaiming_uniform with a = sqrt(5)), bias ~ U(-b, b);
        LayerNorm: weight 1, bias 0. No scaled or zero-initialised projections. The draws are made in
        module order from the seeded generator, so a seed gives the same weights as before this policy
        was written out (tests/test_golden_outputs.py pins them).
        """
        if isinstance(module, nn.Linear):
            nn.init.kaiming_uniform_(module.weight, a=math.sqrt(5))
            if module.bias is not None:
                bound = 1 / math.sqrt(module.weight.shape[1]) if module.weight.shape[1] > 0 else 0.0
                nn.init.uniform_(module.bias, -bound, bound)
        elif isinstance(module, nn.LayerNorm):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)

    # -- building blocks shared by training and sampling ------------------------------------------------
    def text_memory(self, text_hidden: torch.Tensor, text_mask: torch.Tensor) -> tuple[list, torch.Tensor]:
        """Per-layer cross-attention keys/values of the text, and the (B, 1, 1, L) boolean key mask."""
        mem = self.text_proj(text_hidden)  # (B, L, D)
        mask = text_mask.bool()[:, None, None, :]  # (B, 1, 1, L)
        return [(layer.cross1.kv(mem), layer.cross2.kv(mem)) for layer in self.layers], mask

    def frame_embedding(self, frames: torch.Tensor, running_mean: torch.Tensor, start: int) -> torch.Tensor:
        x = self.embed(self.ewa(frames, running_mean))  # (B, T, D)
        return self.drop(x + self.pos[start : start + frames.shape[1]])  # (B, T, D)

    # -- training ----------------------------------------------------------------------------------------
    def forward(self, frames: torch.Tensor, text_hidden: torch.Tensor, text_mask: torch.Tensor,
                generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
        """Teacher-forced pass. `frames` (B, T+2, C) = [BOS, psi_1..psi_T, EOS] (padded).

        Returns per-position outputs for the T+1 predictions psi_1..psi_T, EOS: `mean` (B, T+1, C)
        (from z ~ posterior), `guide` (B, T+1, C), and `kl` (B, T+1).
        """
        run_mean = frames.cumsum(1) / torch.arange(1, frames.shape[1] + 1, device=frames.device)[:, None]
        x = self.frame_embedding(frames, run_mean, 0)  # (B, T+2, D)
        text_kv, tmask = self.text_memory(text_hidden, text_mask)
        kl = guide_hidden = None
        for layer, kv in zip(self.layers, text_kv, strict=True):
            # the next layer reads this layer's output; the last position (EOS input) is only for Q
            x, z, step_kl = layer(x, kv, tmask, z_from="posterior", generator=generator)  # (B, T+2, D)
            kl = step_kl if kl is None else kl + step_kl  # (B, T+1)
            g = layer.guide_ffn(z)  # (B, T+1, D)
            guide_hidden = g if guide_hidden is None else guide_hidden + g  # o_t = sum_i FFN_i(z^i)
        return {"mean": self.head(x[:, :-1]), "guide": self.guide(guide_hidden), "kl": kl}

    def weighted_distance(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Per-frame Euclidean distance with jaw channels weighted (B, T); eps keeps the gradient finite at 0."""
        return (((pred - target) * self.loss_weights) ** 2).sum(-1).add(1e-12).sqrt()

    def loss(self, frames: torch.Tensor, lengths: torch.Tensor, text_hidden: torch.Tensor,
             text_mask: torch.Tensor, generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
        """Total = reconstruction + KL + L_g, each the mean over real predictions (T_i frames + EOS)."""
        out = self(frames, text_hidden, text_mask, generator)
        target = frames[:, 1:]  # (B, T+1, C): psi_1..psi_T, EOS (zeros)
        steps = torch.arange(target.shape[1], device=frames.device)
        valid = (steps[None, :] <= lengths[:, None]).to(target.dtype)  # (B, T+1): frames and the EOS
        n = valid.sum()
        rec = (self.weighted_distance(out["mean"], target) * valid).sum() / n
        guide = (self.weighted_distance(out["guide"], target) * valid).sum() / n
        kl = (out["kl"] * valid).sum() / n
        return {"loss": rec + kl + guide, "rec": rec, "kl": kl, "guide": guide}

    @torch.no_grad()
    def teacher_forced_means(self, frames: torch.Tensor, text_hidden: torch.Tensor,
                             text_mask: torch.Tensor) -> torch.Tensor:
        """Predicted next-frame means given the true prefix, with z at its prior mean (deterministic).

        `frames` (B, T+1, C) = [BOS, psi_1..psi_T]; returns (B, T+1, C): the mean for psi_1..psi_T, EOS.
        This is the model's predictive distribution used by Cppl (the posterior would see the answer).
        """
        t = frames.shape[1]
        run_mean = frames.cumsum(1) / torch.arange(1, t + 1, device=frames.device)[:, None]
        x = self.frame_embedding(frames, run_mean, 0)  # (B, T+1, D)
        text_kv, tmask = self.text_memory(text_hidden, text_mask)
        for layer, kv in zip(self.layers, text_kv, strict=True):
            x, _, _ = layer(x, kv, tmask, z_from="prior-mean")  # (B, T+1, D)
        return self.head(x)  # (B, T+1, C)

    # -- sampling ----------------------------------------------------------------------------------------
    def _step(self, frame: torch.Tensor, run_mean: torch.Tensor, t: int, text_kv: list, tmask: torch.Tensor,
              caches: list[dict], eps_z: torch.Tensor) -> torch.Tensor:
        """One cached decoding step: input frame t (B, 1, C) -> mean of frame t+1 (B, 1, C).

        `eps_z` (B, 1, n_layers, D) is this step's standard normal noise of each layer's z.
        """
        x = self.frame_embedding(frame, run_mean, t)  # (B, 1, D)
        for i, (layer, kv, cache) in enumerate(zip(self.layers, text_kv, caches, strict=True)):
            x, _, _ = layer(x, kv, tmask, z_from="prior", eps=eps_z[:, :, i], cache=cache)  # (B, 1, D)
        return self.head(x)  # (B, 1, C)

    def _full_prefix(self, prefix: torch.Tensor, text_kv: list, tmask: torch.Tensor,
                     eps_z: torch.Tensor) -> torch.Tensor:
        """Reference decoding without a cache: run the whole prefix again, keep the last position.

        `prefix` (B, t+1, C); `eps_z` (B, t+1, n_layers, D) = the noise drawn at every step so far, so each
        position's z (from its prior) is the one the cached decoder used.
        """
        t = prefix.shape[1]
        run_mean = prefix.cumsum(1) / torch.arange(1, t + 1, device=prefix.device)[:, None]
        x = self.frame_embedding(prefix, run_mean, 0)  # (B, t+1, D)
        for i, (layer, kv) in enumerate(zip(self.layers, text_kv, strict=True)):
            x, _, _ = layer(x, kv, tmask, z_from="prior", eps=eps_z[:, :, i])  # (B, t+1, D)
        return self.head(x[:, -1:])  # (B, 1, C)

    @torch.no_grad()
    def sample(self, text_hidden: torch.Tensor, text_mask: torch.Tensor, start_frame: torch.Tensor, *,
               seed: int, max_len: int | None = None, noise_std: float | None = None,
               stop_threshold: float | None = None, use_cache: bool = True) -> list[torch.Tensor]:
        """Sample one frame sequence per text (z from the prior); item i draws its noise from seed + i.

        A sequence ends before its first mean frame with L2 norm < stop_threshold, or at max_len frames;
        it keeps at least one frame. Returns a list of (T_i, C) tensors.
        """
        cfg = self.cfg
        max_len = cfg.max_len if max_len is None else max_len
        if not 1 <= max_len <= cfg.max_len:
            raise ValueError(f"max_len must be in 1..{cfg.max_len} (the model's MSL), got {max_len}")
        noise_std = cfg.sample_noise_std if noise_std is None else noise_std
        threshold = cfg.stop_threshold if stop_threshold is None else stop_threshold
        b, dev = text_hidden.shape[0], text_hidden.device
        scale = torch.tensor(cfg.noise_scale or [1.0] * cfg.frame_width, device=dev, dtype=text_hidden.dtype)
        gens = [torch.Generator().manual_seed(seed + i) for i in range(b)]  # CPU generators: same draws on any device
        text_kv, tmask = self.text_memory(text_hidden, text_mask)
        frame = start_frame.to(dev, text_hidden.dtype).expand(b, 1, -1)  # (B, 1, C) BOS
        prefix, run_sum = frame, frame.clone()
        caches: list[dict] = [{} for _ in self.layers]
        outputs, lengths = [], torch.full((b,), max_len, dtype=torch.long)
        n_z = len(self.layers) * cfg.d_model
        eps_history = []
        for t in range(max_len):
            eps = torch.stack([torch.randn(n_z + cfg.frame_width, generator=g) for g in gens])
            eps = eps.to(dev, frame.dtype)[:, None]  # (B, 1, n_layers * D + C)
            eps_z = eps[..., :n_z].reshape(b, 1, len(self.layers), cfg.d_model)  # (B, 1, n_layers, D)
            eps_out = eps[..., n_z:]  # (B, 1, C)
            if use_cache:
                mean = self._step(frame, run_sum / (t + 1), t, text_kv, tmask, caches, eps_z)
            else:
                eps_history.append(eps_z)
                mean = self._full_prefix(prefix, text_kv, tmask, torch.cat(eps_history, 1))
            stopped = (mean[:, 0].norm(dim=-1) < threshold).cpu() & (lengths == max_len)
            lengths[stopped] = max(t, 1)
            frame = mean + noise_std * scale * eps_out  # (B, 1, C): psi_hat = mu + sigma * scale * eps, fed back
            outputs.append(frame)
            run_sum = run_sum + frame
            if not use_cache:
                prefix = torch.cat([prefix, frame], 1)
            if bool((lengths < max_len).all()):
                break
        seq = torch.cat(outputs, 1)  # (B, steps, C)
        return [seq[i, : int(lengths[i])] for i in range(b)]
