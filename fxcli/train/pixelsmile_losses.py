"""PixelSmile's loss terms (paper Sec. 4 and Appendix A), each a small function of tensors.

    L_total = 1/2 (L_FM^a + L_FM^b) + lambda_sc L_SC + lambda_id L_ID            (eq. 9; 1.0 and 0.1)
    L_FM    = || v_theta(x_t, t, e(alpha)) - (eps - x_0) ||^2,  x_t = (1 - s) x_0 + s eps   (rectified flow)
    L_SC    = 1/2 [T(G_a, P_a, P_b) + T(G_b, P_b, P_a)]                          (eq. 7)
    T       = -log( exp(s_GP / tau) / (exp(s_GP / tau) + exp(s_GN / tau)) ),  s = cosine, tau 0.07  (eq. 12)
    L_ID    = 1/2 sum_i [1 - cos(ArcFace(G_i), ArcFace(P_i))]                   (eq. 8), only where t <= 600

G_i are the decoded one-step predictions x_0_hat = x_t - s v of each branch, P_i the branch's target
photo, N the other branch's target (the hard negative). Features are compared after l2 normalisation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

TAU = 0.07
LAMBDA_SC = 1.0
LAMBDA_ID = 0.1
ID_MAX_TIMESTEP = 600.0  # the identity loss is off for t > 600 (t = 1000 s); too noisy a prediction to judge


def flow_matching_loss(v_pred: torch.Tensor, noise: torch.Tensor, x0: torch.Tensor) -> torch.Tensor:
    """Mean squared error between the predicted velocity and eps - x0 (computed in float32)."""
    import torch.nn.functional as F

    return F.mse_loss(v_pred.float(), (noise - x0).float())


def info_nce(g: torch.Tensor, p: torch.Tensor, n: torch.Tensor, tau: float = TAU) -> torch.Tensor:
    """T(G, P, N) per row: features (B, D) -> (B,); cosine similarities over temperature, softmax over {P, N}."""
    import torch
    import torch.nn.functional as F

    g, p, n = (F.normalize(x.float(), dim=-1) for x in (g, p, n))
    s_p = (g * p).sum(-1) / tau  # (B,)
    s_n = (g * n).sum(-1) / tau  # (B,)
    return torch.logsumexp(torch.stack([s_p, s_n], dim=-1), dim=-1) - s_p


def symmetric_contrastive(g_a: torch.Tensor, g_b: torch.Tensor, p_a: torch.Tensor, p_b: torch.Tensor,
                          tau: float = TAU) -> torch.Tensor:
    """L_SC = 1/2 [T(G_a, P_a, P_b) + T(G_b, P_b, P_a)], averaged over the batch."""
    return 0.5 * (info_nce(g_a, p_a, p_b, tau) + info_nce(g_b, p_b, p_a, tau)).mean()


def identity_loss(f_ga: torch.Tensor, f_gb: torch.Tensor, f_pa: torch.Tensor, f_pb: torch.Tensor,
                  active: torch.Tensor) -> torch.Tensor:
    """L_ID = 1/2 sum_i [1 - cos(Phi(G_i), Phi(P_i))] per row, times `active` (B,) 0/1, averaged over the batch."""
    import torch.nn.functional as F

    per_row = 0.5 * ((1 - F.cosine_similarity(f_ga.float(), f_pa.float(), dim=-1))
                     + (1 - F.cosine_similarity(f_gb.float(), f_pb.float(), dim=-1)))  # (B,)
    return (per_row * active.float()).mean()


def identity_active(sigma: torch.Tensor, max_timestep: float = ID_MAX_TIMESTEP) -> torch.Tensor:
    """1 where the timestep t = 1000 sigma is <= `max_timestep`, else 0 (B,)."""
    return (sigma * 1000.0 <= max_timestep).float()
