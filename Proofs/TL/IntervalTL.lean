/-
IntervalTL: the integer interval arithmetic of coq/theories/TL/IntervalTL.v (definitions; the
soundness lemmas `enc_*` are in EncTL.lean).

An interval `(lo, hi)` of integers on the grid `2^-F` encloses `x` (`enc F I x`) iff
`lo / 2^F ≤ x ≤ hi / 2^F`, written without division: `ofInt lo ≤ x * pw F ≤ ofInt hi`
(same value, since `2^F > 0`; avoids `inv` in every lemma).
Shifts are written as floor/ceiling division by `2^m` (`fdiv`, `cdiv` of Proofs/ExpBounds.lean),
as Proofs/Dyadic.lean already does for Coq's `Z.shiftl`.
The integer square root needs no correctness proof: `isqrt_ok` re-checks the result by squaring, as
`scale_ok` does for the attention scale.

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.ExpBounds

namespace Pybridge.TL

open ExpField (ofInt inv exp)

abbrev itv : Type := Int × Int

/-- `floor(a / 2^m)` and `ceil(a / 2^m)`. -/
def fdiv2 (a : Int) (m : Nat) : Int := fdiv a ((2 : Int) ^ m)
def cdiv2 (a : Int) (m : Nat) : Int := cdiv a ((2 : Int) ^ m)

def iadd (a b : itv) : itv := (a.1 + b.1, a.2 + b.2)
def isub (a b : itv) : itv := (a.1 - b.2, a.2 - b.1)

/-- Product of two grid intervals, rounded outward to the grid. -/
def imul (F : Nat) (a b : itv) : itv :=
  (fdiv2 (min (min (a.1 * b.1) (a.1 * b.2)) (min (a.2 * b.1) (a.2 * b.2))) F,
   cdiv2 (max (max (a.1 * b.1) (a.1 * b.2)) (max (a.2 * b.1) (a.2 * b.2))) F)

/-- Product with a weight `z / 2^s`. -/
def iscale (s : Nat) (a : itv) (z : Int) : itv :=
  if 0 ≤ z then (fdiv2 (z * a.1) s, cdiv2 (z * a.2) s)
  else (fdiv2 (z * a.2) s, cdiv2 (z * a.1) s)

/-- A weight `z / 2^s` on the grid `2^-F` (`s ≤ F`): exact. -/
def iw (F s : Nat) (z : Int) : itv := (z * (2 : Int) ^ (F - s), z * (2 : Int) ^ (F - s))

/-- Division by a positive integer `m`. -/
def idiv (a : itv) (m : Int) : itv := (fdiv a.1 m, cdiv a.2 m)

/-- Square. -/
def isq (F : Nat) (a : itv) : itv :=
  if 0 ≤ a.1 then (fdiv2 (a.1 * a.1) F, cdiv2 (a.2 * a.2) F)
  else if a.2 ≤ 0 then (fdiv2 (a.2 * a.2) F, cdiv2 (a.1 * a.1) F)
  else (0, cdiv2 (max (a.1 * a.1) (a.2 * a.2)) F)

/-- `sum_{k < m} f k` (Coq: `fold_right iadd (0,0) (map f (seq 0 m))`; the Lean checker may use
this recursive form, equal up to association of `+`, which `enc_isum` does not care about). -/
def isum : Nat → (Nat → itv) → itv
  | 0, _ => (0, 0)
  | m + 1, f => iadd (isum m f) (f m)

/-- Integer square root of `N` (floor, by the bisection of Proofs/ExpBounds.lean); only its
re-check by `isqrt_ok` matters for soundness.  `bitlen N + 2` halvings of `[0, N + 1]` suffice. -/
def zsqrt (N : Int) : Int :=
  ((isqrtAux N.toNat (bitlen N.toNat + 2) 0 (N.toNat + 1) : Nat) : Int)

/-- `1 / sqrt(v + en/ed)` for `v` in `a` (grid `2^-F`) and its integer check. -/
def inv_sqrt_num (F : Nat) (l en ed : Int) : Int := max l 0 * ed + en * (2 : Int) ^ F
def inv_sqrt_one (F : Nat) (ed : Int) : Int := ed * (2 : Int) ^ (3 * F)
def iinvsqrt (F : Nat) (a : itv) (en ed : Int) : itv :=
  (zsqrt (fdiv (inv_sqrt_one F ed) (inv_sqrt_num F a.2 en ed)),
   zsqrt (fdiv (inv_sqrt_one F ed) (inv_sqrt_num F a.1 en ed)) + 1)
def isqrt_ok (F : Nat) (a : itv) (en ed : Int) : Bool :=
  decide (0 < en) && (decide (0 < ed)
  && (decide ((iinvsqrt F a en ed).1 * (iinvsqrt F a en ed).1 * inv_sqrt_num F a.2 en ed
              ≤ inv_sqrt_one F ed)
  && decide (inv_sqrt_one F ed
              ≤ (iinvsqrt F a en ed).2 * (iinvsqrt F a en ed).2 * inv_sqrt_num F a.1 en ed)))

section Enc
variable {K : Type} [ExpField K]

/-- `I` encloses `x` on the grid `2^-F` (`pw F = ofInt (2^F)`, Dyadic.lean). -/
def enc (F : Nat) (I : itv) (x : K) : Prop :=
  ofInt I.1 ≤ x * pw F ∧ x * pw F ≤ ofInt I.2

end Enc

/- The soundness lemmas (`enc_iadd`, `enc_isum`, ...) are in EncTL.lean. -/

end Pybridge.TL
