"""A tiny random QwenImageEditPlusPipeline built offline, for the PixelSmile backend's tests.

Every component is built from a small seeded config: a byte-level BPE tokenizer trained in memory,
a 2-layer Qwen2.5-VL text encoder with a 1-block vision tower, a 2-layer Qwen-Image transformer and a
small Qwen-Image VAE. No file is downloaded; the real backend is the same code with real weights.
"""

from __future__ import annotations

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>",
                  "<|image_pad|>", "<|video_pad|>"]

# Words the prompts use, so the trained vocabulary splits them into a few tokens each.
CORPUS = [
    "Edit the person to show a happy expression", "Edit the character to show a neutral expression",
    "sad angry fear surprised disgust confused contempt confident shy sleepy anxious",
    "Describe the key features of the input image (color, shape, size, texture, objects, background), "
    "then explain how the user's text instruction should alter or modify the image. Generate a new image "
    "that meets the user's requirements while maintaining consistency with the original input where appropriate.",
    "system user assistant Picture 1: 0123456789",
]


def tiny_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import Qwen2TokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=SPECIAL_TOKENS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(CORPUS * 4, trainer)
    return Qwen2TokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>", pad_token="<|endoftext|>",
                              unk_token=None)


def tiny_processor(tokenizer):
    from transformers import Qwen2VLImageProcessorPil, Qwen2VLProcessor

    image_processor = Qwen2VLImageProcessorPil(min_pixels=8 * 8 * 4, max_pixels=64 * 64, patch_size=4,
                                               temporal_patch_size=2, merge_size=2)
    # The regular constructor insists on a video processor (which needs torchvision); images only here.
    proc = Qwen2VLProcessor.__new__(Qwen2VLProcessor)
    proc.image_processor = image_processor
    proc.tokenizer = tokenizer
    proc.image_token = "<|image_pad|>"
    proc.video_token = "<|video_pad|>"
    proc.image_token_id = tokenizer.convert_tokens_to_ids("<|image_pad|>")
    proc.video_token_id = tokenizer.convert_tokens_to_ids("<|video_pad|>")
    proc.chat_template = None
    return proc


def tiny_pipeline(seed: int = 0):
    """A QwenImageEditPlusPipeline with tiny random weights (CPU, float32)."""
    import torch
    from diffusers import (
        AutoencoderKLQwenImage,
        FlowMatchEulerDiscreteScheduler,
        QwenImageEditPlusPipeline,
        QwenImageTransformer2DModel,
    )
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

    tokenizer = tiny_tokenizer()
    processor = tiny_processor(tokenizer)
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}
    hidden = 16
    config = Qwen2_5_VLConfig(
        text_config={"vocab_size": len(tokenizer), "hidden_size": hidden, "intermediate_size": 32,
                     "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 2,
                     "max_position_embeddings": 4096, "rope_scaling": {"type": "mrope", "mrope_section": [1, 1, 2]},
                     "rope_theta": 10000.0, "bos_token_id": ids["<|endoftext|>"],
                     "eos_token_id": ids["<|endoftext|>"], "pad_token_id": ids["<|endoftext|>"]},
        vision_config={"depth": 1, "hidden_size": 16, "intermediate_size": 32, "num_heads": 2,
                       "out_hidden_size": hidden, "patch_size": 4, "spatial_merge_size": 2,
                       "temporal_patch_size": 2, "fullatt_block_indexes": [0], "window_size": 16},
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"],
    )
    torch.manual_seed(seed)
    text_encoder = Qwen2_5_VLForConditionalGeneration(config).eval()
    torch.manual_seed(seed)
    transformer = QwenImageTransformer2DModel(patch_size=2, in_channels=16, out_channels=4, num_layers=2,
                                              attention_head_dim=16, num_attention_heads=3,
                                              joint_attention_dim=hidden, axes_dims_rope=(8, 4, 4)).eval()
    torch.manual_seed(seed)
    vae = AutoencoderKLQwenImage(base_dim=24, z_dim=4, dim_mult=[1, 2, 4], num_res_blocks=1,
                                 temperal_downsample=[False, True], latents_mean=[0.0] * 4,
                                 latents_std=[1.0] * 4).eval()
    scheduler = FlowMatchEulerDiscreteScheduler()
    return QwenImageEditPlusPipeline(scheduler=scheduler, vae=vae, text_encoder=text_encoder, tokenizer=tokenizer,
                                     processor=processor, transformer=transformer)
