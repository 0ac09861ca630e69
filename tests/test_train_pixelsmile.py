"""`fxe train pixelsmile` on tiny random components built here: losses, training, checkpoint, edit backend."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from fxcli.train import pixelsmile_losses as L
from tests.conftest import assert_one_error_line, run_fxe
from tests.pixelsmile_train_tiny import tiny_components, tiny_triplets

TINY = {"size": 32, "source_size": 32, "lr": 2e-3, "warmup": 0, "rank": 4, "alpha": 8}


def test_info_nce_matches_a_hand_worked_case():
    # g = (1, 0); P at cos 0.6, N at cos 0.8  =>  T = -log(e^{0.6/t} / (e^{0.6/t} + e^{0.8/t})) = log(1 + e^{0.2/t})
    g = torch.tensor([[3.0, 0.0]])  # not unit length: features are normalised first
    p = torch.tensor([[0.6, 0.8]])
    n = torch.tensor([[0.8, -0.6]])
    expected = math.log(1 + math.exp(0.2 / 0.07))
    assert float(L.info_nce(g, p, n)) == pytest.approx(expected, rel=1e-6)
    assert expected == pytest.approx(2.9125, abs=1e-3)
    # symmetric: 1/2 [T(G_a, P_a, P_b) + T(G_b, P_b, P_a)]; swapping the roles of the branches gives log(1 + e^{-0.2/t})
    sc = L.symmetric_contrastive(g, g, p, n)
    assert float(sc) == pytest.approx(0.5 * (expected + math.log(1 + math.exp(-0.2 / 0.07))), rel=1e-6)
    # perfectly matched and separated: the loss tends to log(1 + e^{-1/t}) ~ 0
    assert float(L.info_nce(p, p, n)) == pytest.approx(math.log(1 + math.exp((0.0 - 1.0) / 0.07)), abs=1e-6)


def test_identity_loss_and_its_timestep_cutoff():
    a = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
    b = torch.tensor([[0.0, 1.0], [1.0, 1.0]])
    active = L.identity_active(torch.tensor([0.6, 0.6001]))  # t = 600 on, t = 600.1 off
    assert active.tolist() == [1.0, 0.0]
    # row 0: 1/2 [(1 - 0) + (1 - 0)] = 1; row 1 switched off; mean over the batch = 0.5
    assert float(L.identity_loss(a, a, b, b, active)) == pytest.approx(0.5)
    assert float(L.identity_loss(a, a, b, b, torch.ones(2))) == pytest.approx(0.5 * (1 + (1 - 1 / math.sqrt(2))))
    fm = L.flow_matching_loss(torch.ones(1, 4), torch.full((1, 4), 3.0), torch.ones(1, 4))
    assert float(fm) == pytest.approx(1.0)  # target eps - x0 = 2, prediction 1


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny tensors: one thread is faster than two fighting over a shared CPU."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def components():
    return tiny_components(0)


def test_alpha_interpolation_is_exact_at_0_and_1(components, tmp_path):
    from fxcli.backends.edit_pixelsmile import cover_crop
    from fxcli.models import pixelsmile_conditioning as pc
    from fxcli.train.pixelsmile_data import load_triplets
    from fxcli.train.pixelsmile_trainer import Settings, encode_example

    path = tiny_triplets(tmp_path, n=1)
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    lines[0]["targets"][0]["score"], lines[0]["targets"][1]["score"] = 0.0, 1.0
    path.write_text(json.dumps(lines[0]) + "\n")
    triplet = load_triplets(path)[0]
    ex = encode_example(components, triplet, Settings(**TINY), "cpu", torch.float32)
    # independent encodings of the two prompts through the pipeline itself
    from diffusers.pipelines.qwenimage.pipeline_qwenimage_edit_plus import CONDITION_IMAGE_SIZE, calculate_dimensions
    from PIL import Image

    pipe = components.pipe
    work = cover_crop(np.asarray(Image.open(triplet.source).convert("RGB")), 32)
    cw, ch = calculate_dimensions(CONDITION_IMAGE_SIZE, 1.0)
    image = pipe.image_processor.resize(work, ch, cw)
    with torch.no_grad():
        neutral = pc.encode(pipe, pc.neutral_prompt(), image)
        sad = pc.encode(pipe, pc.edit_prompt("sad"), image)
    n_len, s_len = neutral.length, sad.length
    assert torch.equal(ex.e_a[:, :n_len], neutral.embeds)  # alpha 0: the neutral conditioning, bit for bit
    assert torch.equal(ex.e_b[:, :s_len], sad.embeds)  # alpha 1: the target conditioning, bit for bit
    assert int(ex.m_a.sum()) == n_len and int(ex.m_b.sum()) == s_len


def fresh_components(editor):
    """Components around a new tiny pipeline (reusing the judges), for the resume run."""
    from fxcli.train.pixelsmile_trainer import Components
    from tests.pixelsmile_tiny import tiny_pipeline
    from tests.pixelsmile_train_tiny import tiny_clip, tiny_identity

    return Components(tiny_pipeline(0), tiny_clip(0), tiny_identity(0))


def _probe_loss(components, examples, settings):
    """The training loss at a fixed timestep and noise (independent of the training's random draws)."""
    from fxcli.train.pixelsmile_trainer import PixelSmileLoss

    module = PixelSmileLoss(components, settings)
    gen = torch.Generator().manual_seed(123)
    sigmas = torch.tensor([0.3] * len(examples))
    noises = [(torch.randn(ex.x_a.shape, generator=gen), torch.randn(ex.x_b.shape, generator=gen)) for ex in examples]
    with torch.no_grad():
        return {k: float(v) for k, v in module(examples, sigmas, noises).items()}


@pytest.mark.slow
def test_training_lowers_the_loss_and_the_lora_loads_into_the_edit_backend(tmp_path):
    from fxcli.backends.edit_pixelsmile import PixelSmileEditor
    from fxcli.train.pixelsmile_data import load_triplets
    from fxcli.train.pixelsmile_trainer import Settings, encode_example, train_pixelsmile
    from tests.pixelsmile_tiny import tiny_pipeline

    comps = tiny_components(0)
    data = tiny_triplets(tmp_path / "data", n=1)
    settings = Settings(**TINY)
    examples = [encode_example(comps, t, settings, "cpu", torch.float32) for t in load_triplets(data)]
    before = _probe_loss(comps, examples, settings)
    out = tmp_path / "ck"
    record = train_pixelsmile(str(data), str(out), epochs=4, batch_size=1, precision="fp32", device="cpu",
                              settings=Settings(**TINY), components=comps, log=lambda _m: None)
    after = _probe_loss(comps, examples, settings)
    print(f"probe loss before {before} after {after}")
    assert record["step"] == 4
    assert after["loss"] < before["loss"] and after["fm"] < before["fm"], (before, after)
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "loss.png", "pixelsmile_lora.safetensors",
                                                     "train_log.jsonl", "training_state.pt"]
    info = json.loads((out / "config.json").read_text())
    assert info["lora"] == {"r": 4, "alpha": 8, "targets": sorted(info["lora"]["targets"])} and info["step"] == 4
    steps = [json.loads(x) for x in (out / "train_log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in steps if r["kind"] == "step"] == [1, 2, 3, 4]
    assert {"fm", "sc", "id", "lr", "seconds"} <= set(steps[0])
    # the saved LoRA, loaded through diffusers' own loader, reproduces the trained transformer exactly
    fresh = tiny_pipeline(0)
    editor = PixelSmileEditor(str(out), pipeline=fresh, steps=2, size=32)
    ex = examples[0]
    kwargs = {"hidden_states": torch.cat([ex.x_a, ex.src], 1), "timestep": torch.tensor([0.5]),
              "encoder_hidden_states": ex.e_a, "encoder_hidden_states_mask": ex.m_a, "img_shapes": [ex.img_shapes],
              "return_dict": False}
    with torch.no_grad():
        trained = comps.pipe.transformer(**kwargs)[0]
        loaded = editor.pipe.transformer(**kwargs)[0]
        base = tiny_pipeline(0).transformer(**kwargs)[0]
    assert torch.allclose(trained, loaded, atol=1e-5), float((trained - loaded).abs().max())
    assert float((loaded - base).abs().max()) > 1e-3  # the LoRA is not a no-op
    # and changes the edit a user gets
    face = np.asarray(__import__("PIL.Image", fromlist=["Image"]).open(load_triplets(data)[0].source).convert("RGB"))
    plain = PixelSmileEditor(pipeline=tiny_pipeline(0), steps=2, size=32).edit(face, [("happy", 1.0)], seed=0)
    edited = editor.edit(face, [("happy", 1.0)], seed=0)
    assert plain.shape == edited.shape == (32, 32, 3)
    assert np.abs(plain.astype(int) - edited.astype(int)).max() > 0
    # resume continues the step count and the log
    record = train_pixelsmile(str(data), str(out), epochs=5, batch_size=1, precision="fp32", device="cpu",
                              resume=True, settings=Settings(**TINY), components=fresh_components(editor),
                              log=lambda _m: None)
    assert record["step"] == 5 and record["epoch"] == 5
    assert [json.loads(x)["step"] for x in (out / "train_log.jsonl").read_text().splitlines()][-1] == 5


def test_dry_run_reports_sizes_and_memory_and_writes_nothing(tmp_path, components):
    from fxcli.train.pixelsmile_trainer import Settings, train_pixelsmile

    data = tiny_triplets(tmp_path / "data", n=1)
    comps = components  # the last test to use the shared components: the dry run adds its LoRA to them
    report = train_pixelsmile(str(data), str(tmp_path / "ck"), epochs=3, batch_size=1, precision="fp32",
                              device="cpu", dry_run=True, settings=Settings(**TINY), components=comps,
                              log=lambda _m: None)
    assert report["dry_run"] and report["step"]["step"] == 1 and np.isfinite(report["step"]["loss"])
    # LoRA size by hand: rank 4 on 12 projections per block, 2 blocks; the tiny transformer is 48 wide, MLP 4x
    inner, mlp = 48, 4 * 48
    per_block = 8 * 4 * (inner + inner) + 2 * 4 * (inner + mlp) + 2 * 4 * (mlp + inner)
    assert report["parameters"]["transformer"]["trainable"] == 2 * per_block
    assert report["parameters_trainable"] == 2 * per_block
    assert report["parameters"]["text_encoder"]["trainable"] == 0 and report["parameters"]["vae"]["total"] > 0
    assert report["peak_memory"]["cpu_max_rss_bytes"] > 0
    assert not (tmp_path / "ck").exists()


def test_bad_triplets_name_the_line(tmp_path):
    from fxcli.errors import InvalidInputError
    from fxcli.train.pixelsmile_data import load_triplets

    path = tiny_triplets(tmp_path, n=2)
    lines = path.read_text().splitlines()
    bad = json.loads(lines[1])
    bad["targets"][1]["score"] = 1.5
    path.write_text(lines[0] + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(InvalidInputError, match=r"triplets.jsonl:2: targets\[1\].score must be a number in \[0, 1\]"):
        load_triplets(path)
    path.write_text(lines[0].replace("p0_happy.png", "missing.png") + "\n")
    with pytest.raises(InvalidInputError, match="targets.0..image missing.png not found"):
        load_triplets(path)


def test_missing_base_weights_is_exit_4_with_one_line(tmp_path):
    data = tiny_triplets(tmp_path / "data", n=1)
    env_home = tmp_path / "home"
    env_home.mkdir()
    result = run_fxe("train", "pixelsmile", "--data", str(data), "-o", str(tmp_path / "ck"), "--dry-run",
                     "--device", "cpu", "--precision", "fp32", env={"FXE_HOME": str(env_home)})
    assert_one_error_line(result, 4, "qwen-image-edit-2511")


def test_prepare_builds_triplets_scored_by_the_judge(tmp_path):
    from PIL import Image

    from fxcli.train.pixelsmile_data import load_triplets, prepare_triplets

    photos = tmp_path / "photos"
    rng = np.random.default_rng(0)
    for person in ("ann", "bob"):
        for category in ("neutral", "happy", "sad", "surprised"):
            (photos / person / category).mkdir(parents=True)
            Image.fromarray(rng.integers(0, 255, (40, 40, 3), dtype=np.uint8)).save(photos / person / category / "1.png")
    (photos / "cid" / "happy").mkdir(parents=True)  # no neutral photo: skipped
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(photos / "cid" / "happy" / "1.png")

    class Judge:  # scores by category name length: checks that each target gets its own category's probability
        def probabilities(self, image):
            return {"happy": 0.25, "sad": 0.5, "surprised": 0.75}

    summary = prepare_triplets(photos, tmp_path / "t.jsonl", judge=Judge())
    assert summary["triplets"] == 6 and summary["skipped_people"] == ["cid"]  # 3 pairs per person
    triplets = load_triplets(tmp_path / "t.jsonl")
    for t in triplets:
        assert t.source.parent.name == "neutral"
        assert {t.a.category, t.b.category} <= {"happy", "sad", "surprised"} and t.a.category != t.b.category
        for target in (t.a, t.b):
            assert target.score == {"happy": 0.25, "sad": 0.5, "surprised": 0.75}[target.category]
            assert target.image.parent.name == target.category and target.image.parent.parent == t.source.parent.parent



def test_prepare_with_the_fer_judge_scores_real_photos(tmp_path):
    """The default judge path: FER probabilities of each target's category on real (CC0) portraits."""
    import shutil

    from fxcli.face import find_face
    from fxcli.judges.expression import ExpressionJudge
    from fxcli.train.pixelsmile_data import load_image, load_triplets, prepare_triplets
    from tests.conftest import PORTRAITS

    person = tmp_path / "photos" / "p1"
    for category, n in (("neutral", 1), ("happy", 2), ("surprised", 3)):
        (person / category).mkdir(parents=True)
        shutil.copy(PORTRAITS / f"interfaces-00{n}.jpg", person / category / "a.jpg")
    summary = prepare_triplets(tmp_path / "photos", tmp_path / "t.jsonl")
    assert summary["triplets"] == 1
    (t,) = load_triplets(tmp_path / "t.jsonl")
    judge = ExpressionJudge()
    for target, label in ((t.a, "happy"), (t.b, "surprise")):
        image = load_image(target.image, 256)
        probs = judge.probs(image, find_face(image))
        assert target.score == pytest.approx(float(probs[judge.LABELS.index(label)]), abs=1e-4)
