"""fxe: command-line toolchain for fine-grained facial expressions on avatars and portraits."""

__version__ = "0.2.0"
