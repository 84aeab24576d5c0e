/-
InvSqrtTL: the two facts about `1 / sqrt` that the LayerNorm enclosure
needs (Coq: `le_inv_sqrt`, `inv_sqrt_le` in coq/theories/TL/IntervalTL.v), proven from
`IsInvSqrtFn g` (SpecTL.lean) and Proofs/Field.lean.

Review against docs/LEAN.md: no `rw` (rules 2, 3); every lemma used is a project lemma of
Proofs/Field.lean (`ExpField.le_of_mul_le_mul_right {a b c} (h : a * c ≤ b * c) (hc : 0 < c)`,
`ExpField.le_of_mul_self_le_mul_self {a b} (hb : 0 ≤ b) (h : a * a ≤ b * b)`) or a field of
`ExpField` (`le_of_lt a b`, `le_refl a`, `le_trans a b c`); the equation `g u * g u * u = 1` is
turned into `≤` by `le_of_eq'` below (`cases` on the equation, no `rw`).  Core identifiers: `.symm`
(already in Proofs/core_identifiers.txt), nothing new.

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.Field
import Proofs.TL.SpecTL

namespace Pybridge.TL

open ExpField (ofInt inv exp)

section
variable {K : Type} [ExpField K]

/-- `a = b` gives `a ≤ b`. -/
theorem le_of_eq' {a b : K} (e : a = b) : a ≤ b := by
  cases e
  exact ExpField.le_refl a

/-- `a * a * u ≤ 1` and `0 < u` give `a ≤ g u` (`a ≤ 1 / sqrt u`; no sign condition on `a`). -/
theorem le_g {g : K → K} (hg : IsInvSqrtFn g) {a u : K}
    (hu : ofInt 0 < u) (h : a * a * u ≤ ofInt 1) : a ≤ g u := by
  have ⟨hpos, hsq⟩ := hg u hu
  have h1 : a * a * u ≤ g u * g u * u := ExpField.le_trans _ _ _ h (le_of_eq' hsq.symm)
  exact ExpField.le_of_mul_self_le_mul_self (ExpField.le_of_lt _ _ hpos)
    (ExpField.le_of_mul_le_mul_right h1 hu)

/-- `1 ≤ a * a * u`, `0 ≤ a`, `0 < u` give `g u ≤ a` (`1 / sqrt u ≤ a`). -/
theorem g_le {g : K → K} (hg : IsInvSqrtFn g) {a u : K} (ha : ofInt 0 ≤ a)
    (hu : ofInt 0 < u) (h : ofInt 1 ≤ a * a * u) : g u ≤ a := by
  have ⟨_, hsq⟩ := hg u hu
  have h1 : g u * g u * u ≤ a * a * u := ExpField.le_trans _ _ _ (le_of_eq' hsq) h
  exact ExpField.le_of_mul_self_le_mul_self ha (ExpField.le_of_mul_le_mul_right h1 hu)

end

end Pybridge.TL
