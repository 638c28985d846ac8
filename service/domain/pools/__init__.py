"""Pools: data uploads (tensors or image archives) turned into items with external ids."""
