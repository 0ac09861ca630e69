"""Consistent self-attention across the images of one identity (Gen-AFFECT's consistency module).

In each self-attention layer of the UNet, an image's queries attend to its own tokens AND to the tokens
of the other images of the same identity in the batch (keys and values concatenated along the token
axis); cross-attention to the text is unchanged. Images of one identity so share appearance (hair,
colours, face shape) while each keeps its own prompt (its expression). `share` < 1 takes an evenly
strided fraction of the other images' tokens (less memory; StoryDiffusion samples similarly).

    set_consistent_attention(pipe.unet, groups=[0, 0, 0, 1, 1, 1])   # 2 identities x 3 expressions
    images = pipe(prompts, ...).images
    clear_consistent_attention(pipe.unet)

Under classifier-free guidance the pipeline runs the batch twice ([unconditional..., conditional...]);
each half is grouped on its own. Only the UNet's `attn1` (self-attention) modules get the processor.
"""

from __future__ import annotations

from collections.abc import Sequence


class ConsistentSelfAttnProcessor:
    """A diffusers attention processor: self-attention over the own tokens plus the same group's tokens."""

    def __init__(self, groups: Sequence[int], share: float = 1.0, min_resolution_tokens: int = 0):
        if not groups:
            raise ValueError("groups must name the identity of each image in the batch")
        if not 0.0 < share <= 1.0:
            raise ValueError("share must be in (0, 1]")
        self.groups = [int(g) for g in groups]
        self.share = float(share)
        self.min_tokens = int(min_resolution_tokens)

    def batch_groups(self, batch: int) -> list[int]:
        n = len(self.groups)
        if batch == n:
            return list(self.groups)
        if batch % n == 0:  # CFG (2n) or several images per prompt (k n): each copy grouped on its own
            top = max(self.groups) + 1
            return [g + top * (i // n) for i in range(batch) for g in [self.groups[i % n]]]
        return list(range(batch))  # unknown layout: no sharing

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, temb=None,
                 *args, **kwargs):
        import torch
        import torch.nn.functional as F  # noqa: N812 - torch's convention

        residual = hidden_states
        if attn.spatial_norm is not None:
            hidden_states = attn.spatial_norm(hidden_states, temb)
        input_ndim = hidden_states.ndim
        if input_ndim == 4:
            b, c, h, w = hidden_states.shape
            hidden_states = hidden_states.view(b, c, h * w).transpose(1, 2)
        batch, tokens, _ = hidden_states.shape
        self_attention = encoder_hidden_states is None
        if attn.group_norm is not None:
            hidden_states = attn.group_norm(hidden_states.transpose(1, 2)).transpose(1, 2)
        query = attn.to_q(hidden_states)
        context = hidden_states if self_attention else encoder_hidden_states
        if not self_attention and attn.norm_cross:
            context = attn.norm_encoder_hidden_states(context)
        key, value = attn.to_k(context), attn.to_v(context)
        heads = attn.heads
        head_dim = key.shape[-1] // heads

        def split(x):
            return x.view(x.shape[0], -1, heads, head_dim).transpose(1, 2)

        query, key, value = split(query), split(key), split(value)
        if attn.norm_q is not None:
            query = attn.norm_q(query)
        if attn.norm_k is not None:
            key = attn.norm_k(key)
        share = self_attention and attention_mask is None and tokens >= self.min_tokens
        groups = self.batch_groups(batch) if share else None
        if not share or len(set(groups)) == batch:
            if attention_mask is not None:
                attention_mask = attn.prepare_attention_mask(attention_mask, key.shape[2], batch)
                attention_mask = attention_mask.view(batch, heads, -1, attention_mask.shape[-1])
            out = F.scaled_dot_product_attention(query, key, value, attn_mask=attention_mask)
        else:
            step = max(1, round(1.0 / self.share))
            outs = []
            for i in range(batch):
                others = [j for j in range(batch) if j != i and groups[j] == groups[i]]
                ks = [key[i:i + 1]] + [key[j:j + 1, :, ::step] for j in others]
                vs = [value[i:i + 1]] + [value[j:j + 1, :, ::step] for j in others]
                outs.append(F.scaled_dot_product_attention(query[i:i + 1], torch.cat(ks, 2), torch.cat(vs, 2)))
            out = torch.cat(outs, 0)
        out = out.transpose(1, 2).reshape(batch, -1, heads * head_dim).to(query.dtype)
        out = attn.to_out[1](attn.to_out[0](out))
        if input_ndim == 4:
            out = out.transpose(-1, -2).reshape(b, c, h, w)
        if attn.residual_connection:
            out = out + residual
        return out / attn.rescale_output_factor


def set_consistent_attention(unet, groups: Sequence[int], share: float = 1.0) -> dict:
    """Give every self-attention (`attn1`) of `unet` the consistent processor; other processors (text
    cross-attention, IP-Adapter) are kept. Returns the previous processors, for `clear_consistent_attention`."""
    previous = dict(unet.attn_processors)
    processor = ConsistentSelfAttnProcessor(groups, share)
    unet.set_attn_processor({name: processor if name.endswith("attn1.processor") else proc
                             for name, proc in previous.items()})
    return previous


def clear_consistent_attention(unet, previous: dict) -> None:
    """Put back the processors `set_consistent_attention` replaced."""
    unet.set_attn_processor(dict(previous))


def count_consistent(unet) -> int:
    return sum(isinstance(p, ConsistentSelfAttnProcessor) for p in unet.attn_processors.values())
