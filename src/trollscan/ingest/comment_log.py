"""Placeholder while this adapter is being written in this session; replaced before commit."""
