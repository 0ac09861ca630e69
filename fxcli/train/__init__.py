"""Training of the learned models (`fxe train`): data readers, checkpoints and training loops."""
