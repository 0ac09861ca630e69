"""Precomputed MiniLM embeddings of the library's names, synonyms and the emotion anchor sentences.

Shipping them (`fxcli/assets/expressions/embeddings.npy`, float16, rows described by
`embeddings_index.json`) means a run
embeds only its own input text. The index records a hash of the source files; `load_embeddings` refuses
stale files. Rebuild after editing library.json or emotion_text.json:

    python3 -m fxcli.expressions.embeddings
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass

import numpy as np

from fxcli.assets import asset_path

HERE = asset_path("expressions")
MATRIX_FILE = HERE / "embeddings.npy"
INDEX_FILE = HERE / "embeddings_index.json"
SOURCE_FILES = ("library.json", "emotion_text.json")


def sources_hash() -> str:
    h = hashlib.sha256()
    for name in SOURCE_FILES:
        h.update((HERE / name).read_bytes())
    return h.hexdigest()


def embedding_rows() -> list[tuple[str, str, str]]:
    """(kind, label, text) per row: kind 'name' (label = entry name) or 'anchor' (label = basic class)."""
    lib = json.loads((HERE / "library.json").read_text(encoding="utf-8"))
    emo = json.loads((HERE / "emotion_text.json").read_text(encoding="utf-8"))
    rows = []
    for e in lib["entries"]:
        for text in (e["name"], *e.get("synonyms", ())):
            rows.append(("name", e["name"], text))
    for label, sentences in emo["anchors"].items():
        rows.extend(("anchor", label, s) for s in sentences)
    return rows


@dataclass
class Embeddings:
    matrix: np.ndarray  # (K, 384) float32, L2-normalised
    kinds: list[str]
    labels: list[str]
    texts: list[str]

    def rows_of(self, kind: str) -> np.ndarray:
        return np.array([i for i, k in enumerate(self.kinds) if k == kind])


@functools.lru_cache(maxsize=1)
def load_embeddings() -> Embeddings:
    index = json.loads(INDEX_FILE.read_text(encoding="utf-8"))
    if index["sources_sha256"] != sources_hash():
        raise RuntimeError("fxcli/assets/expressions/embeddings.npy is stale: run python3 -m fxcli.expressions.embeddings")
    matrix = np.load(MATRIX_FILE).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    kinds, labels, texts = (list(x) for x in zip(*index["rows"], strict=False))
    return Embeddings(matrix=matrix, kinds=kinds, labels=labels, texts=texts)


def build(path: str | None = None) -> int:
    """Embed every row with the lean MiniLM and write the .npy and index files; returns the row count."""
    from fxcli.io.atomic import write_bytes_atomic, write_text_atomic
    from fxcli.text.minilm_lean import load_lean_minilm

    rows = embedding_rows()
    matrix = load_lean_minilm(path).embed([r[2] for r in rows]).astype(np.float16)
    import io

    buf = io.BytesIO()
    np.save(buf, matrix)
    write_bytes_atomic(MATRIX_FILE, buf.getvalue())
    index = {"model": "minilm (all-MiniLM-L6-v2), mean pooling, L2-normalised", "sources_sha256": sources_hash(),
             "rows": [list(r) for r in rows]}
    write_text_atomic(INDEX_FILE, json.dumps(index, ensure_ascii=False, indent=0) + "\n")
    for f in (MATRIX_FILE, INDEX_FILE):
        f.chmod(0o644)  # package data, readable by everyone like the rest of the package
    return len(rows)


if __name__ == "__main__":
    print(f"{build()} rows written to {MATRIX_FILE}")
