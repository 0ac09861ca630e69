"""The expression vocabulary: library entries (AU recipes -> ARKit-52), name resolution, emotion from text.

Data lives in `fxcli/assets/expressions/`: `library.json` (entries and their sources),
`emotion_text.json` (prototype sentences and lexicon) and the precomputed MiniLM embeddings.
"""

from fxcli.expressions.library import BASIC_LABELS, Expression, load_library
from fxcli.expressions.resolve import Resolution, resolve_expression

__all__ = ["BASIC_LABELS", "Expression", "Resolution", "load_library", "resolve_expression"]
