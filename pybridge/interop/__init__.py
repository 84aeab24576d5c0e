"""Weight import/export between pybridge model files and other tools' formats (no extra deps)."""

from .transformerlens import export_tl_state_dict, import_tl_state_dict

__all__ = ["export_tl_state_dict", "import_tl_state_dict"]
