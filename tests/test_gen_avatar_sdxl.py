"""The SDXL paths with tiny random components built here: consistent attention, gen-avatar and stylize
end to end through the CLI, and the expression LoRA trainer."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import PORTRAITS, assert_one_error_line, run_fxe

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")


def _attention(dim: int = 16, heads: int = 2, seed: int = 0):
    from diffusers.models.attention_processor import Attention

    torch.manual_seed(seed)
    return Attention(query_dim=dim, heads=heads, dim_head=dim // heads).eval()


def test_processor_matches_plain_attention_when_every_image_is_its_own_identity():
    from diffusers.models.attention_processor import AttnProcessor2_0

    from fxcli.models.consistent_attention import ConsistentSelfAttnProcessor

    attn = _attention()
    x = torch.randn(3, 10, 16)
    with torch.no_grad():
        attn.set_processor(AttnProcessor2_0())
        plain = attn(x)
        attn.set_processor(ConsistentSelfAttnProcessor([0, 1, 2]))
        mine = attn(x)
    assert torch.allclose(plain, mine, atol=1e-6)


def test_processor_against_a_hand_written_softmax():
    """Image 0 of a group of two: softmax(q0 [k0; k1]^T / sqrt(d)) [v0; v1], per head, then to_out."""
    from fxcli.models.consistent_attention import ConsistentSelfAttnProcessor

    attn = _attention(seed=3)
    x = torch.randn(2, 6, 16)
    with torch.no_grad():
        attn.set_processor(ConsistentSelfAttnProcessor([7, 7]))
        got = attn(x)
        q, k, v = attn.to_q(x), attn.to_k(x), attn.to_v(x)
        heads, d = 2, 8
        outs = []
        for i in range(2):
            rows = []
            for h in range(heads):
                qs = q[i, :, h * d:(h + 1) * d]
                ks = torch.cat([k[i, :, h * d:(h + 1) * d], k[1 - i, :, h * d:(h + 1) * d]])
                vs = torch.cat([v[i, :, h * d:(h + 1) * d], v[1 - i, :, h * d:(h + 1) * d]])
                w = torch.softmax(qs @ ks.T / d ** 0.5, dim=-1)
                rows.append(w @ vs)
            outs.append(torch.cat(rows, dim=-1))
        want = attn.to_out[0](torch.stack(outs))
    assert torch.allclose(got, want, atol=1e-5)


def test_identities_do_not_mix_and_cfg_halves_are_grouped_apart():
    from fxcli.models.consistent_attention import ConsistentSelfAttnProcessor

    attn = _attention(seed=5)
    proc = ConsistentSelfAttnProcessor([0, 0, 1, 1])
    attn.set_processor(proc)
    x = torch.randn(4, 8, 16)
    y = x.clone()
    y[0] += torch.randn(8, 16)  # change one image of identity 0
    with torch.no_grad():
        a, b = attn(x), attn(y)
    assert not torch.allclose(a[1], b[1])  # its companion of identity 0 sees the change
    assert torch.equal(a[2:], b[2:])  # identity 1 does not
    assert proc.batch_groups(8) == [0, 0, 1, 1, 2, 2, 3, 3]  # [uncond..., cond...] each grouped on its own
    assert proc.batch_groups(3) == [0, 1, 2]  # unknown layout: no sharing


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from tests.sdxl_tiny import save_tiny_sdxl, tiny_sdxl

    folder = tmp_path_factory.mktemp("sdxl")
    return tiny_sdxl(folder / "mem"), save_tiny_sdxl(folder)


def _within_similarity(features: list) -> float:
    sims = []
    for f in features:
        x = f.reshape(f.shape[0], -1).double()
        x = x - x.mean(1, keepdim=True)
        x = x / x.norm(dim=1, keepdim=True)
        n = len(x)
        sims.append((x @ x.T)[~torch.eye(n, dtype=bool)].mean().item())
    return float(np.mean(sims))


def test_consistent_attention_makes_one_identitys_images_share_more(tiny):
    """Statistic: mean pairwise cosine (centred) between the images' self-attention outputs over every layer
    and step, for 3 expressions of one identity with different seeds: higher with the module on."""
    from fxcli.models.consistent_attention import clear_consistent_attention, set_consistent_attention

    pipe, _ = tiny
    prompts = ["a happy face", "a sad face", "an angry face"]

    def run(on: bool) -> tuple[float, np.ndarray]:
        feats: list = []
        hooks = [m.register_forward_hook(lambda _m, _i, o: feats.append(o.detach()))
                 for n, m in pipe.unet.named_modules() if n.endswith("attn1")]
        previous = set_consistent_attention(pipe.unet, [0, 0, 0]) if on else None
        try:
            out = pipe(prompts, num_inference_steps=2, height=64, width=64, guidance_scale=1.0, output_type="latent",
                       generator=[torch.Generator().manual_seed(10 + k) for k in range(3)]).images
        finally:
            for h in hooks:
                h.remove()
            if previous is not None:
                clear_consistent_attention(pipe.unet, previous)
        return _within_similarity(feats), out.numpy()

    off, lat_off = run(False)
    on, lat_on = run(True)
    assert on > off + 0.005, (on, off)
    assert not np.allclose(lat_on, lat_off)  # it changes the pictures ...
    again, lat_again = run(False)
    assert np.array_equal(lat_off, lat_again) and again == pytest.approx(off)  # ... and is removed cleanly


@pytest.mark.slow
def test_gen_avatar_and_stylize_with_sdxl_end_to_end(tiny, tmp_path):
    _, saved = tiny
    out = tmp_path / "g"
    r = run_fxe("gen-avatar", "-n", "1", "-e", "happy,sad,surprised", "--model", f"sdxl:{saved}", "--size", "64",
                "--steps", "2", "--device", "cpu", "-o", f"{out}/")
    assert r.code == 0, r.stderr
    index = json.loads((out / "index.json").read_text())
    assert len(index["items"]) == 3 and (out / "identities" / "id00.png").is_file() and (out / "sheet.png").is_file()
    from PIL import Image

    img = Image.open(out / "id00_sad.png")
    meta = json.loads(img.text["fxe"])
    assert img.size == (64, 64) and meta["model"] == "sdxl-base" and meta["params"]["consistent_attention"] is True
    st = run_fxe("stylize", str(PORTRAITS / "interfaces-001.jpg"), "--model", f"sdxl:{saved}", "--style",
                 "watercolour", "--strength", "0.5", "--size", "64", "--device", "cpu", "-o", str(tmp_path / "s.png"))
    assert st.code == 0, st.stderr
    s = Image.open(tmp_path / "s.png")
    assert s.size == (64, 64) and "watercolour" in json.loads(s.text["fxe"])["prompt"]


def test_sdxl_weights_missing_is_exit_4(tmp_path):
    r = run_fxe("gen-avatar", "-n", "1", "-e", "happy", "--model", f"sdxl:{tmp_path / 'nothing'}", "-o",
                f"{tmp_path}/o/")
    assert_one_error_line(r, 4)
    assert not (tmp_path / "o").exists()


def _pairs(tmp_path, n: int = 4):
    """Synthetic pairs: a bright disc ('happy') or a dark bar ('sad') on grey, 64 px."""
    from PIL import Image

    lines = []
    yy, xx = np.mgrid[:64, :64]
    for k in range(n):
        img = np.full((64, 64, 3), 120, np.uint8)
        if k % 2 == 0:
            img[(yy - 32) ** 2 + (xx - 32) ** 2 < 14 ** 2] = (240, 200, 60)
            name = "happy"
        else:
            img[28:36, 8:56] = (30, 30, 90)
            name = "sad"
        Image.fromarray(img).save(tmp_path / f"p{k}.png")
        lines.append(json.dumps({"image": f"p{k}.png", "expression": name}))
    (tmp_path / "pairs.jsonl").write_text("\n".join(lines) + "\n")
    return tmp_path / "pairs.jsonl"


def test_lora_training_lowers_its_loss(tiny, tmp_path):
    from fxcli.train.sdxl_lora import read_examples, train_sdxl_lora
    from tests.sdxl_tiny import tiny_sdxl

    pipe = tiny_sdxl(tmp_path / "fresh", seed=1)
    examples = read_examples(str(_pairs(tmp_path)))
    assert [e.expression for e in examples] == ["happy", "sad", "happy", "sad"]
    result = train_sdxl_lora(pipe, examples, output=str(tmp_path / "lora"), steps=40, lr=2e-3, rank=4,
                             resolution=64, batch_size=2, seed=0)
    assert result["probe_loss_end"] < 0.97 * result["probe_loss_start"], result
    assert (tmp_path / "lora" / "pytorch_lora_weights.safetensors").is_file()
    # the saved LoRA loads into a fresh pipeline and changes what the UNet predicts
    from fxcli.backends.gen_avatar_sdxl import apply_lora

    fresh = tiny_sdxl(tmp_path / "again", seed=1)
    x = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(0))
    cond = {"text_embeds": torch.zeros(1, 32), "time_ids": torch.tensor([[64.0, 64, 0, 0, 64, 64]])}
    with torch.no_grad():
        before = fresh.unet(x, 500, encoder_hidden_states=torch.zeros(1, 5, 64), added_cond_kwargs=cond).sample
        apply_lora(fresh, str(tmp_path / "lora"))
        after = fresh.unet(x, 500, encoder_hidden_states=torch.zeros(1, 5, 64), added_cond_kwargs=cond).sample
    assert not torch.allclose(before, after)


@pytest.mark.slow
def test_train_cli(tiny, tmp_path):
    _, saved = tiny
    pairs = _pairs(tmp_path)
    r = run_fxe("train", "sdxl-expressions", "--data", str(pairs), "-o", str(tmp_path / "lora"), "--base", str(saved),
                "--resolution", "64", "--epochs", "3", "--batch-size", "2", "--lr", "0.002", "--device", "cpu")
    assert r.code == 0, r.stderr
    result = json.loads(r.out)
    assert result["steps"] == 6 and result["examples"] == 4
    assert (tmp_path / "lora" / "train_result.json").is_file()
