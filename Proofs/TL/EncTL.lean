/-
EncTL: soundness of the interval arithmetic of IntervalTL.lean over any `ExpField K`
(Lean mirror of the lemmas of coq/theories/TL/IntervalTL.v).

Review notes (docs/LEAN.md): `enc` is a plain `def`, so every goal and hypothesis about it is
restated with `show`/a typed `have` before `rw` or a projection (rules 2, 3); the `rw` chains end
in goals `rfl` cannot close (`≤` on an abstract `K`), followed by `exact`; `isum` and `Rsum` are
unfolded only through `rfl` lemmas on a literal `m + 1` (rule 4); no `simp`.

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.TL.IntervalTL
import Proofs.TL.InvSqrtTL

namespace Pybridge.TL

open ExpField (ofInt inv exp)

section
variable {K : Type} [ExpField K]

theorem isum_succ (m : Nat) (f : Nat → itv) : isum (m + 1) f = iadd (isum m f) (f m) := rfl

theorem enc_iadd {F : Nat} {a b : itv} {x y : K} (ha : enc F a x) (hb : enc F b y) :
    enc F (iadd a b) (x + y) := by
  have ⟨ha1, ha2⟩ : ofInt a.1 ≤ x * ofInt ((2 : Int) ^ F) ∧ x * ofInt ((2 : Int) ^ F) ≤ ofInt a.2 := ha
  have ⟨hb1, hb2⟩ : ofInt b.1 ≤ y * ofInt ((2 : Int) ^ F) ∧ y * ofInt ((2 : Int) ^ F) ≤ ofInt b.2 := hb
  have e : (x + y) * ofInt ((2 : Int) ^ F) = x * ofInt ((2 : Int) ^ F) + y * ofInt ((2 : Int) ^ F) :=
    ExpField.add_mul x y (ofInt ((2 : Int) ^ F))
  have e1 : (ofInt (a.1 + b.1) : K) = ofInt a.1 + ofInt b.1 := ExpField.ofInt_add a.1 b.1
  have e2 : (ofInt (a.2 + b.2) : K) = ofInt a.2 + ofInt b.2 := ExpField.ofInt_add a.2 b.2
  show ofInt (a.1 + b.1) ≤ (x + y) * ofInt ((2 : Int) ^ F)
    ∧ (x + y) * ofInt ((2 : Int) ^ F) ≤ ofInt (a.2 + b.2)
  rw [e, e1, e2]
  exact ⟨ExpField.add_le_add ha1 hb1, ExpField.add_le_add ha2 hb2⟩

theorem enc_zero (F : Nat) : enc F ((0, 0) : itv) (ofInt 0 : K) := by
  have z : ofInt 0 * ofInt ((2 : Int) ^ F) = (ofInt 0 : K) := ExpField.zero_mul (ofInt ((2 : Int) ^ F))
  show (ofInt 0 : K) ≤ ofInt 0 * ofInt ((2 : Int) ^ F) ∧ ofInt 0 * ofInt ((2 : Int) ^ F) ≤ (ofInt 0 : K)
  rw [z]
  exact ⟨ExpField.le_refl _, ExpField.le_refl _⟩

theorem enc_isum (F : Nat) : ∀ (m : Nat) (f : Nat → itv) (g : Nat → K),
    (∀ k, k < m → enc F (f k) (g k)) → enc F (isum m f) (Rsum m g)
  | 0, _, _, _ => enc_zero F
  | m + 1, f, g, h => by
    rw [isum_succ m f, Rsum_succ m g]
    exact enc_iadd (enc_isum F m f g (fun k hk => h k (by omega))) (h m (by omega))

end

end Pybridge.TL
