"""Transformer text encoders from local weights (registry names: `minilm`, `bert-base-cased`).

Loaded with plain transformers (no sentence-transformers) and cached per process, so `--jobs`
loads each encoder once. Torch and transformers are imported here, never at CLI start-up.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Any


@dataclass
class TextEncoder:
    name: str
    tokenizer: Any
    model: Any
    hidden_size: int

    def encode_tokens(self, texts: list[str], max_length: int = 128) -> tuple[Any, Any]:
        """Last hidden states (B, L, H) and attention mask (B, L) of a batch of texts."""
        import torch

        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
        device = next(self.model.parameters()).device
        batch = {k: v.to(device) for k, v in batch.items()}
        with torch.inference_mode():
            hidden = self.model(**batch).last_hidden_state  # (B, L, H)
        return hidden, batch["attention_mask"]

    def embed(self, texts: list[str], batch_size: int = 64) -> Any:
        """Mean-pooled, L2-normalised sentence embeddings as a float32 numpy array (N, H)."""
        import numpy as np
        import torch

        out = []
        for i in range(0, len(texts), batch_size):
            hidden, mask = self.encode_tokens(texts[i : i + batch_size])
            m = mask.unsqueeze(-1).to(hidden.dtype)  # (B, L, 1)
            pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)  # (B, H)
            out.append(torch.nn.functional.normalize(pooled, dim=-1).float().cpu().numpy())
        return np.concatenate(out, axis=0) if out else np.zeros((0, self.hidden_size), np.float32)


@functools.lru_cache(maxsize=4)
def load_text_encoder(name: str = "minilm", path: str | None = None, device: str = "cpu") -> TextEncoder:
    """Load a registry text encoder (raises ModelMissingError with the fix when absent)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    from fxcli import registry

    folder = str(registry.resolve(name, path).path)
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = AutoModel.from_pretrained(folder, local_files_only=True).eval().to(device)
    return TextEncoder(name=name, tokenizer=tokenizer, model=model, hidden_size=model.config.hidden_size)
