"""gui/widgets layer."""
