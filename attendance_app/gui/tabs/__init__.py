"""gui/tabs layer."""
