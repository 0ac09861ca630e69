"""The PixelSmile backend end to end on a tiny random Qwen-Image-Edit pipeline built offline."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from fxcli.backends.edit_pixelsmile import PixelSmileEditor, cover_crop, pixelsmile_word  # noqa: E402
from fxcli.errors import ModelMissingError, UsageError  # noqa: E402
from fxcli.models import pixelsmile_conditioning as pc  # noqa: E402

SIZE = 32


@pytest.fixture(scope="module")
def editor():
    import diffusers.pipelines.qwenimage.pipeline_qwenimage_edit_plus as plus

    from tests.pixelsmile_tiny import tiny_pipeline

    # The pipeline encodes the reference image for the VAE at 1024x1024; at 64x64 the tiny test runs in
    # a fraction of a second and exercises the same code.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plus, "VAE_IMAGE_SIZE", 64 * 64)
        pipe = tiny_pipeline(seed=0)
        pipe.set_progress_bar_config(disable=True)
        yield PixelSmileEditor(pipeline=pipe, steps=2, size=SIZE)


@pytest.fixture(scope="module")
def face():
    rng = np.random.default_rng(0)
    return (rng.random((40, 48, 3)) * 255).astype(np.uint8)


def test_missing_mask_is_rebuilt_as_ones(editor, face):
    editor._prepare(face)
    raw_embeds, raw_mask = editor.pipe.encode_prompt([pc.neutral_prompt()], image=[editor._cache["condition"]])
    assert raw_mask is None  # what diffusers returns for an all-ones mask
    c = editor.conditioning(face, pc.neutral_prompt())
    assert torch.equal(c.embeds, raw_embeds)
    assert c.mask.dtype == torch.long and c.mask.shape == raw_embeds.shape[:2] and bool(c.mask.all())


def test_alpha_end_points_are_the_encoded_prompts(editor, face):
    neutral = editor.conditioning(face, pc.neutral_prompt())
    target = editor.conditioning(face, pc.edit_prompt("bewildered"))
    # a word the tiny vocabulary never saw splits into several tokens: a real unequal-length case
    assert neutral.length != target.length
    zero = editor.combined_conditioning(face, [("Bewildered", 0.0)])
    one = editor.combined_conditioning(face, [("bewildered", 1.0)])
    assert torch.equal(zero.embeds[:, :neutral.length], neutral.embeds)
    assert int(zero.mask.sum()) == neutral.length
    assert torch.equal(one.embeds[:, :target.length], target.embeds)
    assert int(one.mask.sum()) == target.length
    half = editor.combined_conditioning(face, [("bewildered", 0.5)])
    n = pc.pad_to(neutral, half.length).embeds
    t = pc.pad_to(target, half.length).embeds
    assert torch.allclose(half.embeds, (n + t) / 2, atol=1e-6)
    two = editor.combined_conditioning(face, [("bewildered", 2.0)])
    assert torch.allclose(two.embeds, 2 * t - n, atol=1e-5)


def test_blend_of_two_expressions_is_the_sum_of_directions(editor, face):
    n = editor.conditioning(face, pc.neutral_prompt())
    h = editor.conditioning(face, pc.edit_prompt("happy"))
    s = editor.conditioning(face, pc.edit_prompt("sad"))
    got = editor.combined_conditioning(face, [("happy", 0.6), ("sad", 0.4)])
    L = got.length
    n, h, s = (pc.pad_to(c, L).embeds for c in (n, h, s))
    assert torch.allclose(got.embeds, n + 0.6 * (h - n) + 0.4 * (s - n), atol=1e-5)


def test_sweep_runs_end_to_end_with_shared_initial_latents(editor, face):
    seen_latents, seen_text = [], []
    pipe = editor.pipe
    original_prepare = pipe.prepare_latents
    original_forward = pipe.transformer.forward

    def record_prepare(*args, **kwargs):
        latents, image_latents = original_prepare(*args, **kwargs)
        seen_latents.append(latents.clone())
        return latents, image_latents

    def record_forward(*args, **kwargs):
        seen_text.append(kwargs["encoder_hidden_states"].clone())
        return original_forward(*args, **kwargs)

    pipe.prepare_latents = record_prepare
    pipe.transformer.forward = record_forward
    try:
        outs = [editor.edit(face, [("happy", a)], seed=7) for a in (0.0, 0.5, 1.0)]
        other_seed = editor.edit(face, [("happy", 0.5)], seed=8)
    finally:
        del pipe.prepare_latents
        del pipe.transformer.forward
    for img in outs:
        assert img.shape == (SIZE, SIZE, 3) and img.dtype == np.uint8
    assert torch.equal(seen_latents[0], seen_latents[1]) and torch.equal(seen_latents[1], seen_latents[2])
    assert not torch.equal(seen_latents[0], seen_latents[3])
    # the transformer sees e(alpha): at 0.5 the midpoint of what it saw at 0 and 1 (first step of each run)
    steps = len(seen_text) // 4
    e0, e05, e1 = seen_text[0], seen_text[steps], seen_text[2 * steps]
    assert torch.allclose(e05, (e0 + e1) / 2, atol=1e-5)
    # the conditioning changes the picture, the seed changes it, and the same call repeats exactly
    assert not np.array_equal(outs[0], outs[2])
    assert not np.array_equal(outs[1], other_seed)
    assert np.array_equal(editor.edit(face, [("happy", 0.5)], seed=7), outs[1])


def test_cover_crop_keeps_aspect_and_centres():
    img = np.zeros((100, 200, 3), np.uint8)
    img[:, 50:150] = 255  # the centre half is white
    out = np.asarray(cover_crop(img, 50))
    assert out.shape == (50, 50, 3)
    assert out.mean() > 250  # the crop is the white centre square


def test_expression_words():
    assert pixelsmile_word("Surprise") == "surprised"
    assert pixelsmile_word("fearful") == "fear"
    assert pixelsmile_word("happy") == "happy"
    with pytest.raises(UsageError):
        pixelsmile_word("  ")


def test_missing_weights_name_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("FXE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("FXE_MODEL_QWEN_IMAGE_EDIT_2511", raising=False)
    with pytest.raises(ModelMissingError) as err:
        PixelSmileEditor(device="cpu")
    assert "qwen-image-edit-2511" in str(err.value) and "fxe models pull" in str(err.value)
    assert err.value.exit_code == 4


def test_offload_needs_cuda():
    with pytest.raises(UsageError, match="CUDA"):
        PixelSmileEditor(device="cpu", offload="model")
    with pytest.raises(UsageError, match="offload"):
        PixelSmileEditor(device="cpu", offload="everything")


@pytest.mark.cuda
@pytest.mark.parametrize("offload", ["none", "model", "sequential"])
def test_tiny_pipeline_on_cuda_with_offload(offload, face):
    if not torch.cuda.is_available():
        pytest.skip("needs CUDA")
    import diffusers.pipelines.qwenimage.pipeline_qwenimage_edit_plus as plus

    from fxcli.backends.edit_pixelsmile import place_pipeline
    from tests.pixelsmile_tiny import tiny_pipeline

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plus, "VAE_IMAGE_SIZE", 64 * 64)
        pipe = tiny_pipeline(seed=0)
        place_pipeline(pipe, torch.device("cuda"), offload)
        ed = PixelSmileEditor(pipeline=pipe, steps=2, size=SIZE)
        a = ed.edit(face, [("happy", 0.5)], seed=1)
        b = ed.edit(face, [("happy", 0.5)], seed=1)
    assert a.shape == (SIZE, SIZE, 3) and np.array_equal(a, b)
