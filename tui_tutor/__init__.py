"""tui-tutor: learn how TCP opens and closes connections by predicting every segment."""

__version__ = "0.1.0"
