"""Learned models, one file each."""
