"""Widgets of the tutor app. They draw what the engine's trace says; none computes TCP."""
