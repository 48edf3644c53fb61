"""gui/workers layer."""
