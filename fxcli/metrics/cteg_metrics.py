"""CTEG's diversity metrics for expression tracks (When Words Smile, Appendix D, eqs. 11-15).

A sequence E_i is a track's frames (T_i x C, the track's channels; head pose is not included).
Conventions the paper leaves open, fixed here:
- Distance between two sequences ||E_i - E_j|| (Diversity, MModality, DoT): the Euclidean (Frobenius)
  norm of the frame-by-frame difference; the shorter sequence is padded with zero frames, the
  "standard face" that ends every CTEG sequence.
- Variation (eq. 13): var(E_ij) is frame j's squared deviation from its sequence's mean frame, averaged
  over channels, so (1/n_i) sum_j var(E_ij) is the per-channel temporal variance (population) averaged
  over channels; then averaged over sequences.
- FgD (eq. 14): mean adjacent-frame distance per sequence, averaged over sequences (equal to eq. 14 when
  all sequences have T frames); one-frame sequences are skipped.
- Diversity (eq. 11): N_d = min(750, N // 2) disjoint random pairs of the whole set (fixed seed 0).
- MModality (eq. 12): tracks with the same `text` are generations for one text; disjoint pairs within
  each text, at most N_m = 1500 pairs. Absent when no text has two tracks.
- DoT (eq. 15): mean distance over all N(N-1)/2 pairs.
With a reference set (e.g. ground truth), its Variation, FgD and DoT are reported as `reference_*` and
the absolute differences as `*_gap` (the paper's "closer to GT is better" metrics).
"""

from __future__ import annotations

import numpy as np

from fxcli.errors import InvalidInputError
from fxcli.tracks.track import Track

CTEG_METRICS: dict[str, str] = {
    "Diversity": "mean distance between random pairs of sequences, text ignored (higher = more diverse)",
    "MModality": "mean distance between two sequences generated for the same text (higher = more one-to-many)",
    "Variation": "per-channel temporal variance within a sequence, averaged (closer to the reference is better)",
    "FgD": "mean distance between adjacent frames (fine-grained motion; closer to the reference is better)",
    "DoT": "mean distance over all pairs of sequences (closer to the reference is better)",
}
N_DIVERSITY = 750
N_MMODALITY = 1500
_TIME_CHUNK = 64  # frames per block of the pairwise Gram matrix (bounds memory for long tracks)


def _sequences(tracks: list[Track], what: str) -> list[np.ndarray]:
    if not tracks:
        raise InvalidInputError(f"no {what} tracks to score")
    first = tracks[0]
    for i, t in enumerate(tracks[1:], 2):
        if t.space != first.space or list(t.channels) != list(first.channels):
            raise InvalidInputError(f"{what} track {i} has space/channels different from track 1 "
                                    f"({t.space}, {len(t.channels)} channels vs {first.space}, "
                                    f"{len(first.channels)})", hint="convert the tracks to one channel set first")
    return [np.asarray(t.frames, np.float64) for t in tracks]


def pair_distance(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| with the shorter sequence padded by zero frames."""
    n = max(len(a), len(b))
    pa = np.zeros((n, a.shape[1])); pa[: len(a)] = a  # noqa: E702
    pb = np.zeros((n, b.shape[1])); pb[: len(b)] = b  # noqa: E702
    return float(np.linalg.norm(pa - pb))


def variation(seqs: list[np.ndarray]) -> float:
    return float(np.mean([s.var(axis=0).mean() for s in seqs]))


def fgd(seqs: list[np.ndarray]) -> float | None:
    per = [np.linalg.norm(np.diff(s, axis=0), axis=1).mean() for s in seqs if len(s) > 1]
    return float(np.mean(per)) if per else None


def dot(seqs: list[np.ndarray]) -> float | None:
    """Mean padded distance over all pairs, from a Gram matrix accumulated over blocks of frames."""
    n = len(seqs)
    if n < 2:
        return None
    t_max = max(len(s) for s in seqs)
    c = seqs[0].shape[1]
    gram = np.zeros((n, n))
    for t0 in range(0, t_max, _TIME_CHUNK):
        block = np.zeros((n, min(_TIME_CHUNK, t_max - t0) * c))
        for i, s in enumerate(seqs):
            part = s[t0 : t0 + _TIME_CHUNK]
            block[i, : part.size] = part.ravel()
        gram += block @ block.T
    sq = np.diag(gram)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * gram, 0.0)
    iu = np.triu_indices(n, 1)
    return float(np.sqrt(d2[iu]).mean())


def diversity(seqs: list[np.ndarray]) -> float | None:
    n_pairs = min(N_DIVERSITY, len(seqs) // 2)
    if n_pairs < 1:
        return None
    perm = np.random.default_rng(0).permutation(len(seqs))
    return float(np.mean([pair_distance(seqs[perm[2 * k]], seqs[perm[2 * k + 1]]) for k in range(n_pairs)]))


def mmodality(tracks: list[Track], seqs: list[np.ndarray]) -> float | None:
    groups: dict[str, list[int]] = {}
    for i, t in enumerate(tracks):
        if t.text is not None:
            groups.setdefault(t.text, []).append(i)
    pairs = [(g[k], g[k + 1]) for g in groups.values() for k in range(0, len(g) - 1, 2)]
    if not pairs:
        return None
    if len(pairs) > N_MMODALITY:
        keep = np.sort(np.random.default_rng(0).choice(len(pairs), N_MMODALITY, replace=False))
        pairs = [pairs[k] for k in keep]
    return float(np.mean([pair_distance(seqs[i], seqs[j]) for i, j in pairs]))


def score_tracks(tracks: list[Track], reference: list[Track] | None = None) -> dict[str, float]:
    """CTEG's Diversity, MModality, Variation, FgD and DoT of `tracks` (see the module docstring)."""
    seqs = _sequences(tracks, "input")
    out = {
        "Diversity": diversity(seqs),
        "MModality": mmodality(tracks, seqs),
        "Variation": variation(seqs),
        "FgD": fgd(seqs),
        "DoT": dot(seqs),
    }
    if reference is not None:
        ref = _sequences(reference, "reference")
        if list(reference[0].channels) != list(tracks[0].channels) or reference[0].space != tracks[0].space:
            raise InvalidInputError("reference tracks have other channels than the input tracks")
        for name, fn in (("Variation", variation), ("FgD", fgd), ("DoT", dot)):
            value = fn(ref)
            if value is not None:
                out[f"reference_{name}"] = value
                if out[name] is not None:
                    out[f"{name}_gap"] = abs(out[name] - value)
    return {k: v for k, v in out.items() if v is not None}
