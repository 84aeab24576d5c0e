"""Strategy family `subcubic`: gap blocks with composable bounds on the direct path and the
query-key path (docs/CHECKING.md section 6c; the option space follows the source paper's)."""

from pybridge.families.maxofk.subcubic.options import ATTENTION_ERROR, DIRECT, Variant, all_variants, parse_variant
from pybridge.families.maxofk.subcubic.strategy import prove_subcubic, subcubic_family

__all__ = ["ATTENTION_ERROR", "DIRECT", "Variant", "all_variants", "parse_variant", "prove_subcubic", "subcubic_family"]
