"""BLAS on one thread for the small matrices of the CPU paths (threadpoolctl).

numpy's OpenBLAS starts as many threads as there are cores and keeps them spinning between calls. For the
few-hundred-square systems of a landmark fit or the editor's warp that doubles the CPU an image costs for no
gain in time (`fxe edit --jobs`, 12 portraits: 0.12-0.15 s per image and 0.13-0.16 s of CPU on one thread,
0.14-0.15 s and 0.26-0.27 s of CPU with two) and slows everything else on a busy machine.
"""

from __future__ import annotations

from contextlib import AbstractContextManager


def one_blas_thread() -> AbstractContextManager:
    """A context in which every BLAS library loaded (numpy's, scipy's) runs on one thread; restored on exit.
    The libraries are looked up on each call (~0.4 ms): one loaded since the last call is limited too."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")
