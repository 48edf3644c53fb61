"""Vocabulary and rules of the product: stdlib + numpy only, no I/O."""
