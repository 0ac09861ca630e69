"""What `fxe score --list` shows: every metric, its paper, the judges it needs and what it measures."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricInfo:
    name: str  # key in the summary object: "<group>.<metric>"
    paper: str
    judges: tuple[str, ...]  # embedded: expression, identity, geometry; full: arcface, clip, dino, lpips
    inputs: str
    description: str


METRICS: tuple[MetricInfo, ...] = (
    MetricInfo("ffe_bench.acc_6", "PixelSmile", ("expression",), "targets",
               "share of edits whose dominant expression is the target, over the 6 basic targets"),
    MetricInfo("ffe_bench.acc_12", "PixelSmile", ("expression",), "targets",
               "the same over the 12 FFE targets the judge can name (the rest are counted as unjudged)"),
    MetricInfo("ffe_bench.mscr", "PixelSmile", ("expression",), "targets",
               "mean bidirectional confusion over fear-surprise and angry-disgust (lower is better)"),
    MetricInfo("ffe_bench.cls_6", "PixelSmile", ("expression",), "alpha sweeps",
               "mean Pearson(alpha, target score) over sweeps with a basic target"),
    MetricInfo("ffe_bench.cls_12", "PixelSmile", ("expression",), "alpha sweeps",
               "mean Pearson(alpha, target score) over all sweeps"),
    MetricInfo("ffe_bench.hes", "PixelSmile", ("expression", "identity"), "targets + sources",
               "harmonic mean of target score and identity similarity to the source"),
    MetricInfo("ffe_bench.id_sim", "PixelSmile", ("identity",), "sources",
               "identity cosine between source and edit (ArcFace with --judge arcface, else dlib)"),
    MetricInfo("gen_affect.expression_error", "Gen-AFFECT", ("expression",), "references or targets",
               "L2 between the judge's expression probabilities and the reference's (lower is better)"),
    MetricInfo("gen_affect.clip", "Gen-AFFECT", ("clip",), "texts", "CLIP cosine between image and prompt"),
    MetricInfo("gen_affect.id", "Gen-AFFECT", ("identity",), "sources", "identity cosine to the identity image"),
    MetricInfo("gen_affect.dino", "Gen-AFFECT", ("dino",), "sources", "DINOv2 cosine to the identity image"),
    MetricInfo("gen_affect.dino_consistency", "Gen-AFFECT", ("dino",), "identity sets",
               "mean pairwise DINOv2 cosine within each identity set"),
    MetricInfo("gen_affect.id_consistency", "Gen-AFFECT", ("identity",), "identity sets",
               "mean pairwise identity cosine within each identity set"),
    MetricInfo("geneava.clip", "GenEAva", ("clip",), "texts", "CLIP cosine between image and prompt"),
    MetricInfo("geneava.dino", "GenEAva", ("dino",), "sources", "DINOv2 cosine to the reference image"),
    MetricInfo("geneava.lpips", "GenEAva", ("lpips",), "sources", "LPIPS (AlexNet) distance to the reference"),
    MetricInfo("geneava.expression_error", "GenEAva", ("expression",), "references or targets",
               "as gen_affect.expression_error"),
    MetricInfo("instructavatar.clip_s", "InstructAvatar", ("clip",), "texts",
               "max over a clip's frames of the CLIP cosine with the instruction, mean over clips"),
    MetricInfo("instructavatar.au_precision", "InstructAvatar", ("geometry",), "reference AUs",
               "micro precision of the active AU proxies against the reference AUs"),
    MetricInfo("instructavatar.au_recall", "InstructAvatar", ("geometry",), "reference AUs",
               "micro recall of the active AU proxies against the reference AUs"),
    MetricInfo("instructavatar.au_f1", "InstructAvatar", ("geometry",), "reference AUs",
               "micro F1 of the active AU proxies against the reference AUs"),
    MetricInfo("instructavatar.au_emo", "InstructAvatar", ("geometry",), "targets",
               "recall of the AUs typical of the target emotion (EMFACS prototypes)"),
)

JUDGES: dict[str, str] = {
    "expression": "embedded: mini-Xception FER2013 classifier (7 labels), fer-mini-xception",
    "identity": "embedded: dlib ResNet 128-d descriptor, dlib-face-recognition (or --judge arcface)",
    "geometry": "embedded: action-unit proxies measured on FaceMesh landmarks",
    "arcface": "full: InsightFace ArcFace (insightface-antelopev2 or insightface-buffalo_l; needs onnxruntime)",
    "clip": "full: CLIP ViT-L/14, clip-vit-large-patch14",
    "dino": "full: DINOv2 base, dinov2-base",
    "lpips": "full: LPIPS v0.1 AlexNet, lpips-alex",
}
FULL_JUDGES = ("arcface", "clip", "dino", "lpips")
