"""BLAS on one thread for the CPU paths' small matrices (fxcli/blas_threads.py)."""

from __future__ import annotations

import numpy as np


def test_one_blas_thread_limits_and_restores():
    from threadpoolctl import threadpool_info

    from fxcli.blas_threads import one_blas_thread

    def blas_threads() -> list[int]:
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    assert before  # numpy's BLAS is found
    with one_blas_thread():
        assert blas_threads() == [1] * len(before)
        a = np.random.default_rng(0).normal(size=(300, 300)) + 300 * np.eye(300)
        x = np.linalg.solve(a, np.ones(300))
        assert np.allclose(a @ x, 1.0)
    assert blas_threads() == before


def test_the_editor_runs_its_warp_on_one_blas_thread(monkeypatch):
    """EmbeddedEditor.edit enters the one-thread context around the whole edit (its systems are a few hundred
    square: more threads only spin)."""
    from threadpoolctl import threadpool_info

    from fxcli.backends import edit_embedded
    from fxcli.face import detect_faces, load_image
    from tests.conftest import PORTRAITS

    seen = []

    def spy(self, image, terms, face):
        seen.append([i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"])
        return image

    monkeypatch.setattr(edit_embedded.EmbeddedEditor, "_edit", spy)
    image = load_image(str(PORTRAITS / "interfaces-001.jpg"))
    edit_embedded.EmbeddedEditor().edit(image, [("happy", 1.0)], seed=0, face=detect_faces(image)[0])
    assert seen and all(n == 1 for n in seen[0])
