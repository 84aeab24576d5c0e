"""The option space of the subcubic family: one choice per axis, composed into variants.

Axes (names as in the source paper's code, so variants can be compared one to one):
- `direct`: how the direct path (EU) is bounded; the result is a hint (u, delta) with
  `EU[q][m] - EU[q][j] >= u[m] - u[j] - delta[q]`, or `exact` (our addition: the exact table's
  top-two per row, which uses the max token m where the paper's options use only a spread).
- `attention_error`: how the query-key product EQKE is approximated (rank one by SVD, rank-one
  peels along chosen directions, or exact) and how the remaining error's row differences are bounded
  (sigma_1, max_diff over factor splits, recursive max_diff, exact). The result is the hint D of each
  gap block.

The paper has a third, two-valued axis (`attention_handling`: average attention over queries plus a
per-query difference, or not). It decouples the attention bound from the wrong-logit bound inside
their combination step; our combination (docs/CHECKING.md section 6c) computes the softmax bound of
each block from per-position weights and never averages over queries, so both values would give the
same certificate. We therefore enumerate 5 x 10 paper variants (+ our `exact` direct option), not
5 x 2 x 10.
"""

from __future__ import annotations

from dataclasses import dataclass

DIRECT = ("mean_query+max_diff", "svd_query+max_diff", "max_diff", "max_diff_exact", "global_max_diff_exact", "exact")
PAPER_DIRECT = DIRECT[:5]
ATTENTION_ERROR = (
    "svd",
    "max_diff",
    "max_diff_subproduct",
    "max_diff_subproduct_recursive",
    "mean+max_diff",
    "mean+max_diff_subproduct",
    "mean+max_diff_subproduct_recursive",
    "mean_recursive+max_diff_subproduct_recursive",
    "exact_EQKE+max_diff_exact",
    "max_diff_exact",
)
DIRECT_QUADRATIC = {"mean_query+max_diff", "svd_query+max_diff", "max_diff"}  # never forms the V x V table EU
ATTENTION_QUADRATIC = {  # never forms a V x V x d_model product nor a d_model^2 SVD
    "max_diff_subproduct_recursive",
    "mean+max_diff_subproduct_recursive",
    "mean_recursive+max_diff_subproduct_recursive",
}
ATTENTION_SVD = {"svd", "max_diff", "mean+max_diff", "max_diff_exact"}  # rank-1 split by an SVD of EQKE's factors


@dataclass(frozen=True)
class Variant:
    direct: str
    attention_error: str

    def __post_init__(self) -> None:
        if self.direct not in DIRECT or self.attention_error not in ATTENTION_ERROR:
            raise ValueError(f"unknown subcubic variant {self.direct!r}/{self.attention_error!r}")

    @property
    def name(self) -> str:
        return f"EUPU-{self.direct.replace('_', '-')}--attn-err-{self.attention_error.replace('_', '-')}"

    @property
    def ours(self) -> bool:
        return self.direct == "exact"

    @property
    def families(self) -> list[str]:
        """The paper's plot categories this variant belongs to (all are subcubic)."""
        fam = ["subcubic"]
        if self.attention_error not in ATTENTION_QUADRATIC and self.attention_error not in ("max_diff_exact", "exact_EQKE+max_diff_exact"):
            fam.append("attention-v·d²")
        if self.direct in DIRECT_QUADRATIC:
            fam.append("direct-quadratic")
        if self.attention_error in ATTENTION_QUADRATIC:
            fam.append("attention-quadratic")
        if self.direct in DIRECT_QUADRATIC and self.attention_error in ATTENTION_QUADRATIC:
            fam.append("attention-quadratic+direct-quadratic")
        return fam

    def unexplained_dimension(self, V: int, d: int) -> int:
        """The paper's "effective dimension" estimate (number of free parameters the proof treats
        as unexplained noise), summed over the direct and attention-error parts; the paper's
        fractional correction terms (divisors) are dropped."""
        direct = {
            "global_max_diff_exact": 2,
            "max_diff_exact": 2 * V,
            "mean_query+max_diff": V + V * d + 2,
            "svd_query+max_diff": V + V * d + 2,
            "max_diff": V * d + 2,
            "exact": 2 * V,
        }[self.direct]
        a = self.attention_error
        if a == "svd":
            att = 2 * V
        elif a == "exact_EQKE+max_diff_exact":
            att = V * V
        elif a == "max_diff_exact":
            att = 4 * V
        else:
            att = 2 * V + (V if a.startswith("mean") else 0) + 2 * d
        return direct + att


def all_variants(include_ours: bool = True) -> list[Variant]:
    dirs = DIRECT if include_ours else PAPER_DIRECT
    return [Variant(dv, a) for dv in dirs for a in ATTENTION_ERROR]


def parse_variant(text: str) -> Variant:
    """Accept `DIRECT/ATTENTION_ERROR` (underscored names) or a variant's `name`."""
    for v in all_variants():
        if text in (v.name, f"{v.direct}/{v.attention_error}"):
            return v
    raise ValueError(f"unknown subcubic variant {text!r} (form: DIRECT/ATTENTION_ERROR, e.g. exact/exact_EQKE+max_diff_exact)")
