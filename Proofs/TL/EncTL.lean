/-
EncTL: soundness of the interval arithmetic of IntervalTL.lean over any `ExpField K`
(Lean mirror of the lemmas of coq/theories/TL/IntervalTL.v): `enc_iadd`, `enc_isub`, `enc_isum`,
`enc_iw`, `enc_iscale`, `enc_idiv`, `enc_imul`, `enc_isq` and `enc_iinvsqrt`.

Review notes (docs/LEAN.md): `enc` is a plain `def`, so every goal and hypothesis about it is
restated with `show`/a typed `have` before `rw` or a projection (rules 2, 3); every `rw` chain ends
in a syntactic equality or in a goal `rfl` cannot close (`≤` on an abstract `K`, or `∧`), followed
by `exact`; `if` is eliminated through `if_pos`/`if_neg` stated as typed `have`s, never by reduction
on a variable condition; `isum` and `Rsum` are unfolded only through `rfl` lemmas on a literal
`m + 1` (rule 4); no `simp`.  The ring identities are small named lemmas (`add_neg_add`,
`cancel_inv`, `scale_id`, `sq_id`, `wD_eq`, `gp_sq`, `perm4`), each a chain of rewrites with every
argument explicit.  `omega` is used only on `Int`/`Nat` goals whose non-linear subterms
(`a.1 * b.1`, `max l 0 * ed`, `en * 2 ^ F`) it treats as atoms.

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.TL.IntervalTL
import Proofs.TL.InvSqrtTL

namespace Pybridge.TL

open ExpField (ofInt inv exp)

section
variable {K : Type} [ExpField K]

theorem isum_succ (m : Nat) (f : Nat → itv) : isum (m + 1) f = iadd (isum m f) (f m) := rfl

/-! ### Sums and differences -/

theorem enc_iadd {F : Nat} {a b : itv} {x y : K} (ha : enc F a x) (hb : enc F b y) :
    enc F (iadd a b) (x + y) := by
  have ⟨ha1, ha2⟩ : ofInt a.1 ≤ x * pw F ∧ x * pw F ≤ ofInt a.2 := ha
  have ⟨hb1, hb2⟩ : ofInt b.1 ≤ y * pw F ∧ y * pw F ≤ ofInt b.2 := hb
  have e : (x + y) * pw F = x * pw F + y * pw F := ExpField.add_mul x y (pw F)
  have e1 : (ofInt (a.1 + b.1) : K) = ofInt a.1 + ofInt b.1 := ExpField.ofInt_add a.1 b.1
  have e2 : (ofInt (a.2 + b.2) : K) = ofInt a.2 + ofInt b.2 := ExpField.ofInt_add a.2 b.2
  show ofInt (a.1 + b.1) ≤ (x + y) * pw F ∧ (x + y) * pw F ≤ ofInt (a.2 + b.2)
  rw [e, e1, e2]
  exact ⟨ExpField.add_le_add ha1 hb1, ExpField.add_le_add ha2 hb2⟩

theorem enc_zero (F : Nat) : enc F ((0, 0) : itv) (ofInt 0 : K) := by
  have z : ofInt 0 * pw F = (ofInt 0 : K) := ExpField.zero_mul (pw F)
  show (ofInt 0 : K) ≤ ofInt 0 * pw F ∧ ofInt 0 * pw F ≤ (ofInt 0 : K)
  rw [z]
  exact ⟨ExpField.le_refl _, ExpField.le_refl _⟩

theorem enc_isum (F : Nat) : ∀ (m : Nat) (f : Nat → itv) (g : Nat → K),
    (∀ k, k < m → enc F (f k) (g k)) → enc F (isum m f) (Rsum m g)
  | 0, _, _, _ => enc_zero F
  | m + 1, f, g, h => by
    rw [isum_succ m f, Rsum_succ m g]
    exact enc_iadd (enc_isum F m f g (fun k hk => h k (by omega))) (h m (by omega))

/-- `x + -y + y = x`. -/
theorem add_neg_add (x y : K) : x + -y + y = x := by
  rw [ExpField.add_assoc x (-y) y, ExpField.add_comm (-y) y, ExpField.add_neg_cancel y,
    ExpField.add_zero x]

theorem enc_isub {F : Nat} {a b : itv} {x y : K} (ha : enc F a x) (hb : enc F b y) :
    enc F (isub a b) (x + -y) := by
  have ⟨ha1, ha2⟩ : ofInt a.1 ≤ x * pw F ∧ x * pw F ≤ ofInt a.2 := ha
  have ⟨hb1, hb2⟩ : ofInt b.1 ≤ y * pw F ∧ y * pw F ≤ ofInt b.2 := hb
  have ex : (x + -y) * pw F + y * pw F = x * pw F := by
    rw [← ExpField.add_mul (x + -y) y (pw F), add_neg_add x y]
  have e1 : (ofInt (a.1 - b.2) : K) + ofInt b.2 = ofInt a.1 := by
    have ei : a.1 - b.2 + b.2 = a.1 := by omega
    rw [← ExpField.ofInt_add (a.1 - b.2) b.2, ei]
  have e2 : (ofInt (a.2 - b.1) : K) + ofInt b.1 = ofInt a.2 := by
    have ei : a.2 - b.1 + b.1 = a.2 := by omega
    rw [← ExpField.ofInt_add (a.2 - b.1) b.1, ei]
  have l1 : ofInt (a.1 - b.2) + y * pw F ≤ (x + -y) * pw F + y * pw F := by
    rw [ex]
    have h := ExpField.add_le_add_left (y * pw F) (ofInt b.2) (ofInt (a.1 - b.2)) hb2
    rw [e1] at h
    exact ExpField.le_trans _ _ _ h ha1
  have l2 : (x + -y) * pw F + y * pw F ≤ ofInt (a.2 - b.1) + y * pw F := by
    rw [ex]
    have h := ExpField.add_le_add_left (ofInt b.1) (y * pw F) (ofInt (a.2 - b.1)) hb1
    rw [e2] at h
    exact ExpField.le_trans _ _ _ ha2 h
  show ofInt (a.1 - b.2) ≤ (x + -y) * pw F ∧ (x + -y) * pw F ≤ ofInt (a.2 - b.1)
  exact ⟨ExpField.le_of_add_le_add_right l1, ExpField.le_of_add_le_add_right l2⟩

/-! ### Weights `z / 2^s` -/

/-- The weight `z / 2^s`: SpecTL's `wt M z` with `s = M.s` (`wt_eq`), written with `pw`. -/
def wts (s : Nat) (z : Int) : K := ofInt z * inv (pw s)

theorem wt_eq (M : TLModel) (z : Int) : (wt M z : K) = wts M.s z := rfl

/-- `2^F = 2^s * 2^(F-s)` for `s ≤ F`. -/
theorem pw_split {s F : Nat} (h : s ≤ F) : (pw F : K) = pw s * pw (F - s) := by
  have eF : s + (F - s) = F := by omega
  have e := pw_add (K := K) s (F - s)
  rw [eF] at e
  exact e

theorem enc_iw {F s : Nat} (z : Int) (h : s ≤ F) : enc F (iw F s z) (wts s z : K) := by
  have e : (wts s z : K) * pw F = ofInt (z * (2 : Int) ^ (F - s)) := by
    show ofInt z * inv (pw s) * pw F = ofInt (z * (2 : Int) ^ (F - s))
    rw [pw_split h, ← ExpField.mul_assoc (ofInt z * inv (pw s)) (pw s) (pw (F - s)),
      ExpField.mul_assoc (ofInt z) (inv (pw s)) (pw s), ExpField.mul_comm (inv (pw s)) (pw s),
      pw_mul_inv s, ExpField.mul_one (ofInt z), ExpField.ofInt_mul z ((2 : Int) ^ (F - s)),
      pw_def (F - s)]
  show ofInt (z * (2 : Int) ^ (F - s)) ≤ wts s z * pw F
    ∧ wts s z * pw F ≤ ofInt (z * (2 : Int) ^ (F - s))
  rw [e]
  exact ⟨ExpField.le_refl _, ExpField.le_refl _⟩

/-- `x * (z / 2^s) * 2^F * 2^s = z * (x * 2^F)`. -/
theorem scale_id (x : K) (z : Int) (s F : Nat) :
    x * wts s z * pw F * pw s = ofInt z * (x * pw F) := by
  show x * (ofInt z * inv (pw s)) * pw F * pw s = ofInt z * (x * pw F)
  rw [← ExpField.mul_assoc x (ofInt z) (inv (pw s)),
    ExpField.mul_assoc (x * ofInt z * inv (pw s)) (pw F) (pw s),
    ExpField.mul_comm (pw F) (pw s),
    ← ExpField.mul_assoc (x * ofInt z * inv (pw s)) (pw s) (pw F),
    ExpField.mul_assoc (x * ofInt z) (inv (pw s)) (pw s),
    ExpField.mul_comm (inv (pw s)) (pw s), pw_mul_inv s, ExpField.mul_one (x * ofInt z),
    ExpField.mul_comm x (ofInt z), ExpField.mul_assoc (ofInt z) x (pw F)]

theorem enc_iscale {F : Nat} (s : Nat) {a : itv} (z : Int) {x : K} (ha : enc F a x) :
    enc F (iscale s a z) (x * wts s z) := by
  have ⟨ha1, ha2⟩ : ofInt a.1 ≤ x * pw F ∧ x * pw F ≤ ofInt a.2 := ha
  have hs : (0 : Int) < (2 : Int) ^ s := pow2_pos s
  have e := scale_id x z s F
  by_cases hz : 0 ≤ z
  · have ei : iscale s a z = (fdiv2 (z * a.1) s, cdiv2 (z * a.2) s) := if_pos hz
    have hz0 : (ofInt 0 : K) ≤ ofInt z := ExpField.ofInt_le 0 z hz
    rw [ei]
    show ofInt (fdiv2 (z * a.1) s) ≤ x * wts s z * pw F
      ∧ x * wts s z * pw F ≤ ofInt (cdiv2 (z * a.2) s)
    refine ⟨?_, ?_⟩
    · apply ofInt_fdiv_le (z * a.1) ((2 : Int) ^ s) hs
      show ofInt (z * a.1) ≤ x * wts s z * pw F * pw s
      rw [e, ExpField.ofInt_mul z a.1]
      exact ExpField.mul_le_mul_of_nonneg_left _ _ _ ha1 hz0
    · apply le_ofInt_cdiv (z * a.2) ((2 : Int) ^ s) hs
      show x * wts s z * pw F * pw s ≤ ofInt (z * a.2)
      rw [e, ExpField.ofInt_mul z a.2]
      exact ExpField.mul_le_mul_of_nonneg_left _ _ _ ha2 hz0
  · have ei : iscale s a z = (fdiv2 (z * a.2) s, cdiv2 (z * a.1) s) := if_neg hz
    have hz0 : (ofInt z : K) ≤ ofInt 0 := ExpField.ofInt_le z 0 (by omega)
    rw [ei]
    show ofInt (fdiv2 (z * a.2) s) ≤ x * wts s z * pw F
      ∧ x * wts s z * pw F ≤ ofInt (cdiv2 (z * a.1) s)
    refine ⟨?_, ?_⟩
    · apply ofInt_fdiv_le (z * a.2) ((2 : Int) ^ s) hs
      show ofInt (z * a.2) ≤ x * wts s z * pw F * pw s
      rw [e, ExpField.ofInt_mul z a.2]
      exact ExpField.mul_le_mul_of_nonpos_left ha2 hz0
    · apply le_ofInt_cdiv (z * a.1) ((2 : Int) ^ s) hs
      show x * wts s z * pw F * pw s ≤ ofInt (z * a.1)
      rw [e, ExpField.ofInt_mul z a.1]
      exact ExpField.mul_le_mul_of_nonpos_left ha1 hz0

/-! ### Division by a positive integer -/

/-- `u * inv c * p * c = u * p` for `c ≠ 0`. -/
theorem cancel_inv (u c p : K) (hc : c ≠ ofInt 0) : u * inv c * p * c = u * p := by
  rw [ExpField.mul_assoc (u * inv c) p c, ExpField.mul_mul_mul_comm u (inv c) p c,
    ExpField.mul_comm (inv c) c, ExpField.mul_inv_cancel c hc, ExpField.mul_one (u * p)]

theorem enc_idiv {F : Nat} {a : itv} {m : Int} {x : K} (hm : 0 < m) (ha : enc F a x) :
    enc F (idiv a m) (x * inv (ofInt m)) := by
  have ⟨ha1, ha2⟩ : ofInt a.1 ≤ x * pw F ∧ x * pw F ≤ ofInt a.2 := ha
  have hne : (ofInt m : K) ≠ ofInt 0 := ExpField.ne_of_pos (ExpField.ofInt_lt 0 m hm)
  have e := cancel_inv x (ofInt m) (pw F) hne
  show ofInt (fdiv a.1 m) ≤ x * inv (ofInt m) * pw F ∧ x * inv (ofInt m) * pw F ≤ ofInt (cdiv a.2 m)
  refine ⟨?_, ?_⟩
  · apply ofInt_fdiv_le a.1 m hm
    rw [e]
    exact ha1
  · apply le_ofInt_cdiv a.2 m hm
    rw [e]
    exact ha2

/-! ### Products -/

/-- `A1 ≤ X ≤ A2` and `B1 ≤ Y ≤ B2` give `min of the four corner products ≤ X * Y`. -/
theorem corner_lo {A1 A2 B1 B2 : Int} {X Y : K} (hx1 : ofInt A1 ≤ X) (hx2 : X ≤ ofInt A2)
    (hy1 : ofInt B1 ≤ Y) (hy2 : Y ≤ ofInt B2) :
    ofInt (min (min (A1 * B1) (A1 * B2)) (min (A2 * B1) (A2 * B2))) ≤ X * Y := by
  cases Classical.em (ofInt 0 ≤ Y) with
  | inl hY =>
    have h1 : ofInt A1 * Y ≤ X * Y := ExpField.mul_le_mul_of_nonneg_right Y hx1 hY
    by_cases hA : 0 ≤ A1
    · have h2 : ofInt A1 * ofInt B1 ≤ ofInt A1 * Y :=
        ExpField.mul_le_mul_of_nonneg_left _ _ _ hy1 (ExpField.ofInt_le 0 A1 hA)
      have h3 : (ofInt (min (min (A1 * B1) (A1 * B2)) (min (A2 * B1) (A2 * B2))) : K)
          ≤ ofInt (A1 * B1) := ExpField.ofInt_le _ _ (by omega)
      rw [ExpField.ofInt_mul A1 B1] at h3
      exact ExpField.le_trans _ _ _ h3 (ExpField.le_trans _ _ _ h2 h1)
    · have h2 : ofInt A1 * ofInt B2 ≤ ofInt A1 * Y :=
        ExpField.mul_le_mul_of_nonpos_left hy2 (ExpField.ofInt_le A1 0 (by omega))
      have h3 : (ofInt (min (min (A1 * B1) (A1 * B2)) (min (A2 * B1) (A2 * B2))) : K)
          ≤ ofInt (A1 * B2) := ExpField.ofInt_le _ _ (by omega)
      rw [ExpField.ofInt_mul A1 B2] at h3
      exact ExpField.le_trans _ _ _ h3 (ExpField.le_trans _ _ _ h2 h1)
  | inr hY =>
    have hY0 : Y ≤ ofInt 0 := ExpField.le_of_lt _ _ (ExpField.lt_of_not_le _ _ hY)
    have h1 : ofInt A2 * Y ≤ X * Y := by
      have h := ExpField.mul_le_mul_of_nonpos_left hx2 hY0
      rw [ExpField.mul_comm Y (ofInt A2), ExpField.mul_comm Y X] at h
      exact h
    by_cases hA : 0 ≤ A2
    · have h2 : ofInt A2 * ofInt B1 ≤ ofInt A2 * Y :=
        ExpField.mul_le_mul_of_nonneg_left _ _ _ hy1 (ExpField.ofInt_le 0 A2 hA)
      have h3 : (ofInt (min (min (A1 * B1) (A1 * B2)) (min (A2 * B1) (A2 * B2))) : K)
          ≤ ofInt (A2 * B1) := ExpField.ofInt_le _ _ (by omega)
      rw [ExpField.ofInt_mul A2 B1] at h3
      exact ExpField.le_trans _ _ _ h3 (ExpField.le_trans _ _ _ h2 h1)
    · have h2 : ofInt A2 * ofInt B2 ≤ ofInt A2 * Y :=
        ExpField.mul_le_mul_of_nonpos_left hy2 (ExpField.ofInt_le A2 0 (by omega))
      have h3 : (ofInt (min (min (A1 * B1) (A1 * B2)) (min (A2 * B1) (A2 * B2))) : K)
          ≤ ofInt (A2 * B2) := ExpField.ofInt_le _ _ (by omega)
      rw [ExpField.ofInt_mul A2 B2] at h3
      exact ExpField.le_trans _ _ _ h3 (ExpField.le_trans _ _ _ h2 h1)

/-- `A1 ≤ X ≤ A2` and `B1 ≤ Y ≤ B2` give `X * Y ≤ max of the four corner products`. -/
theorem corner_hi {A1 A2 B1 B2 : Int} {X Y : K} (hx1 : ofInt A1 ≤ X) (hx2 : X ≤ ofInt A2)
    (hy1 : ofInt B1 ≤ Y) (hy2 : Y ≤ ofInt B2) :
    X * Y ≤ ofInt (max (max (A1 * B1) (A1 * B2)) (max (A2 * B1) (A2 * B2))) := by
  cases Classical.em (ofInt 0 ≤ Y) with
  | inl hY =>
    have h1 : X * Y ≤ ofInt A2 * Y := ExpField.mul_le_mul_of_nonneg_right Y hx2 hY
    by_cases hA : 0 ≤ A2
    · have h2 : ofInt A2 * Y ≤ ofInt A2 * ofInt B2 :=
        ExpField.mul_le_mul_of_nonneg_left _ _ _ hy2 (ExpField.ofInt_le 0 A2 hA)
      have h3 : (ofInt (A2 * B2) : K)
          ≤ ofInt (max (max (A1 * B1) (A1 * B2)) (max (A2 * B1) (A2 * B2))) :=
        ExpField.ofInt_le _ _ (by omega)
      rw [ExpField.ofInt_mul A2 B2] at h3
      exact ExpField.le_trans _ _ _ (ExpField.le_trans _ _ _ h1 h2) h3
    · have h2 : ofInt A2 * Y ≤ ofInt A2 * ofInt B1 :=
        ExpField.mul_le_mul_of_nonpos_left hy1 (ExpField.ofInt_le A2 0 (by omega))
      have h3 : (ofInt (A2 * B1) : K)
          ≤ ofInt (max (max (A1 * B1) (A1 * B2)) (max (A2 * B1) (A2 * B2))) :=
        ExpField.ofInt_le _ _ (by omega)
      rw [ExpField.ofInt_mul A2 B1] at h3
      exact ExpField.le_trans _ _ _ (ExpField.le_trans _ _ _ h1 h2) h3
  | inr hY =>
    have hY0 : Y ≤ ofInt 0 := ExpField.le_of_lt _ _ (ExpField.lt_of_not_le _ _ hY)
    have h1 : X * Y ≤ ofInt A1 * Y := by
      have h := ExpField.mul_le_mul_of_nonpos_left hx1 hY0
      rw [ExpField.mul_comm Y X, ExpField.mul_comm Y (ofInt A1)] at h
      exact h
    by_cases hA : 0 ≤ A1
    · have h2 : ofInt A1 * Y ≤ ofInt A1 * ofInt B2 :=
        ExpField.mul_le_mul_of_nonneg_left _ _ _ hy2 (ExpField.ofInt_le 0 A1 hA)
      have h3 : (ofInt (A1 * B2) : K)
          ≤ ofInt (max (max (A1 * B1) (A1 * B2)) (max (A2 * B1) (A2 * B2))) :=
        ExpField.ofInt_le _ _ (by omega)
      rw [ExpField.ofInt_mul A1 B2] at h3
      exact ExpField.le_trans _ _ _ (ExpField.le_trans _ _ _ h1 h2) h3
    · have h2 : ofInt A1 * Y ≤ ofInt A1 * ofInt B1 :=
        ExpField.mul_le_mul_of_nonpos_left hy1 (ExpField.ofInt_le A1 0 (by omega))
      have h3 : (ofInt (A1 * B1) : K)
          ≤ ofInt (max (max (A1 * B1) (A1 * B2)) (max (A2 * B1) (A2 * B2))) :=
        ExpField.ofInt_le _ _ (by omega)
      rw [ExpField.ofInt_mul A1 B1] at h3
      exact ExpField.le_trans _ _ _ (ExpField.le_trans _ _ _ h1 h2) h3

/-- `x * y * p * p = x * p * (y * p)`. -/
theorem sq_id (x y p : K) : x * y * p * p = x * p * (y * p) := by
  rw [ExpField.mul_assoc (x * y) p p, ExpField.mul_mul_mul_comm x y p p]

theorem enc_imul {F : Nat} {a b : itv} {x y : K} (ha : enc F a x) (hb : enc F b y) :
    enc F (imul F a b) (x * y) := by
  have ⟨ha1, ha2⟩ : ofInt a.1 ≤ x * pw F ∧ x * pw F ≤ ofInt a.2 := ha
  have ⟨hb1, hb2⟩ : ofInt b.1 ≤ y * pw F ∧ y * pw F ≤ ofInt b.2 := hb
  have hF : (0 : Int) < (2 : Int) ^ F := pow2_pos F
  have e := sq_id x y (pw F)
  show ofInt (fdiv2 (min (min (a.1 * b.1) (a.1 * b.2)) (min (a.2 * b.1) (a.2 * b.2))) F)
      ≤ x * y * pw F
    ∧ x * y * pw F
      ≤ ofInt (cdiv2 (max (max (a.1 * b.1) (a.1 * b.2)) (max (a.2 * b.1) (a.2 * b.2))) F)
  refine ⟨?_, ?_⟩
  · apply ofInt_fdiv_le (min (min (a.1 * b.1) (a.1 * b.2)) (min (a.2 * b.1) (a.2 * b.2)))
      ((2 : Int) ^ F) hF
    show ofInt (min (min (a.1 * b.1) (a.1 * b.2)) (min (a.2 * b.1) (a.2 * b.2)))
      ≤ x * y * pw F * pw F
    rw [e]
    exact corner_lo ha1 ha2 hb1 hb2
  · apply le_ofInt_cdiv (max (max (a.1 * b.1) (a.1 * b.2)) (max (a.2 * b.1) (a.2 * b.2)))
      ((2 : Int) ^ F) hF
    show x * y * pw F * pw F
      ≤ ofInt (max (max (a.1 * b.1) (a.1 * b.2)) (max (a.2 * b.1) (a.2 * b.2)))
    rw [e]
    exact corner_hi ha1 ha2 hb1 hb2

/-! ### Squares -/

theorem mul_self_nonneg' (X : K) : ofInt 0 ≤ X * X := by
  cases Classical.em (ofInt 0 ≤ X) with
  | inl h => exact ExpField.mul_nonneg h h
  | inr h =>
    have h0 : X ≤ ofInt 0 := ExpField.le_of_lt _ _ (ExpField.lt_of_not_le _ _ h)
    have h1 := ExpField.mul_le_mul_of_nonpos_left h0 h0
    rw [ExpField.mul_zero X] at h1
    exact h1

theorem enc_isq {F : Nat} {a : itv} {x : K} (ha : enc F a x) : enc F (isq F a) (x * x) := by
  have ⟨ha1, ha2⟩ : ofInt a.1 ≤ x * pw F ∧ x * pw F ≤ ofInt a.2 := ha
  have hF : (0 : Int) < (2 : Int) ^ F := pow2_pos F
  have e := sq_id x x (pw F)
  by_cases hl : 0 ≤ a.1
  · have ei : isq F a = (fdiv2 (a.1 * a.1) F, cdiv2 (a.2 * a.2) F) := if_pos hl
    have hl0 : (ofInt 0 : K) ≤ ofInt a.1 := ExpField.ofInt_le 0 a.1 hl
    have hX0 : ofInt 0 ≤ x * pw F := ExpField.le_trans _ _ _ hl0 ha1
    rw [ei]
    show ofInt (fdiv2 (a.1 * a.1) F) ≤ x * x * pw F ∧ x * x * pw F ≤ ofInt (cdiv2 (a.2 * a.2) F)
    refine ⟨?_, ?_⟩
    · apply ofInt_fdiv_le (a.1 * a.1) ((2 : Int) ^ F) hF
      show ofInt (a.1 * a.1) ≤ x * x * pw F * pw F
      rw [e, ExpField.ofInt_mul a.1 a.1]
      exact ExpField.mul_le_mul' ha1 ha1 hl0 hX0
    · apply le_ofInt_cdiv (a.2 * a.2) ((2 : Int) ^ F) hF
      show x * x * pw F * pw F ≤ ofInt (a.2 * a.2)
      rw [e, ExpField.ofInt_mul a.2 a.2]
      exact ExpField.mul_le_mul' ha2 ha2 hX0 (ExpField.le_trans _ _ _ hX0 ha2)
  · have ei0 : isq F a = (if a.2 ≤ 0 then (fdiv2 (a.2 * a.2) F, cdiv2 (a.1 * a.1) F)
        else ((0 : Int), cdiv2 (max (a.1 * a.1) (a.2 * a.2)) F)) := if_neg hl
    have hl0 : (ofInt a.1 : K) ≤ ofInt 0 := ExpField.ofInt_le a.1 0 (by omega)
    by_cases hu : a.2 ≤ 0
    · have ei : isq F a = (fdiv2 (a.2 * a.2) F, cdiv2 (a.1 * a.1) F) := ei0.trans (if_pos hu)
      have hu0 : (ofInt a.2 : K) ≤ ofInt 0 := ExpField.ofInt_le a.2 0 hu
      have hX0 : x * pw F ≤ ofInt 0 := ExpField.le_trans _ _ _ ha2 hu0
      rw [ei]
      show ofInt (fdiv2 (a.2 * a.2) F) ≤ x * x * pw F ∧ x * x * pw F ≤ ofInt (cdiv2 (a.1 * a.1) F)
      refine ⟨?_, ?_⟩
      · apply ofInt_fdiv_le (a.2 * a.2) ((2 : Int) ^ F) hF
        show ofInt (a.2 * a.2) ≤ x * x * pw F * pw F
        rw [e, ExpField.ofInt_mul a.2 a.2]
        have l1 : ofInt a.2 * ofInt a.2 ≤ ofInt a.2 * (x * pw F) :=
          ExpField.mul_le_mul_of_nonpos_left ha2 hu0
        have l2 : x * pw F * ofInt a.2 ≤ x * pw F * (x * pw F) :=
          ExpField.mul_le_mul_of_nonpos_left ha2 hX0
        rw [ExpField.mul_comm (x * pw F) (ofInt a.2)] at l2
        exact ExpField.le_trans _ _ _ l1 l2
      · apply le_ofInt_cdiv (a.1 * a.1) ((2 : Int) ^ F) hF
        show x * x * pw F * pw F ≤ ofInt (a.1 * a.1)
        rw [e, ExpField.ofInt_mul a.1 a.1]
        have l1 : x * pw F * (x * pw F) ≤ x * pw F * ofInt a.1 :=
          ExpField.mul_le_mul_of_nonpos_left ha1 hX0
        have l2 : ofInt a.1 * (x * pw F) ≤ ofInt a.1 * ofInt a.1 :=
          ExpField.mul_le_mul_of_nonpos_left ha1 hl0
        rw [ExpField.mul_comm (ofInt a.1) (x * pw F)] at l2
        exact ExpField.le_trans _ _ _ l1 l2
    · have ei : isq F a = ((0 : Int), cdiv2 (max (a.1 * a.1) (a.2 * a.2)) F) := ei0.trans (if_neg hu)
      have hu0 : (ofInt 0 : K) ≤ ofInt a.2 := ExpField.ofInt_le 0 a.2 (by omega)
      rw [ei]
      show ofInt 0 ≤ x * x * pw F ∧ x * x * pw F ≤ ofInt (cdiv2 (max (a.1 * a.1) (a.2 * a.2)) F)
      refine ⟨ExpField.mul_nonneg (mul_self_nonneg' x) (ExpField.le_of_lt _ _ (pw_pos F)), ?_⟩
      apply le_ofInt_cdiv (max (a.1 * a.1) (a.2 * a.2)) ((2 : Int) ^ F) hF
      show x * x * pw F * pw F ≤ ofInt (max (a.1 * a.1) (a.2 * a.2))
      rw [e]
      cases Classical.em (ofInt 0 ≤ x * pw F) with
      | inl hX =>
        have l1 : x * pw F * (x * pw F) ≤ ofInt a.2 * ofInt a.2 :=
          ExpField.mul_le_mul' ha2 ha2 hX hu0
        have l2 : (ofInt (a.2 * a.2) : K) ≤ ofInt (max (a.1 * a.1) (a.2 * a.2)) :=
          ExpField.ofInt_le _ _ (by omega)
        rw [ExpField.ofInt_mul a.2 a.2] at l2
        exact ExpField.le_trans _ _ _ l1 l2
      | inr hX =>
        have hX0 : x * pw F ≤ ofInt 0 := ExpField.le_of_lt _ _ (ExpField.lt_of_not_le _ _ hX)
        have l1 : x * pw F * (x * pw F) ≤ x * pw F * ofInt a.1 :=
          ExpField.mul_le_mul_of_nonpos_left ha1 hX0
        have l2 : ofInt a.1 * (x * pw F) ≤ ofInt a.1 * ofInt a.1 :=
          ExpField.mul_le_mul_of_nonpos_left ha1 hl0
        rw [ExpField.mul_comm (ofInt a.1) (x * pw F)] at l2
        have l3 : (ofInt (a.1 * a.1) : K) ≤ ofInt (max (a.1 * a.1) (a.2 * a.2)) :=
          ExpField.ofInt_le _ _ (by omega)
        rw [ExpField.ofInt_mul a.1 a.1] at l3
        exact ExpField.le_trans _ _ _ (ExpField.le_trans _ _ _ l1 l2) l3

/-! ### `1 / sqrt (v + en / ed)` -/

/-- `(gw * p) * (gw * p) * w = p * p` when `gw * gw * w = 1`. -/
theorem gp_sq {gw w : K} (p : K) (h : gw * gw * w = ofInt 1) : gw * p * (gw * p) * w = p * p := by
  rw [ExpField.mul_mul_mul_comm gw p gw p, ExpField.mul_assoc (gw * gw) (p * p) w,
    ExpField.mul_comm (p * p) w, ← ExpField.mul_assoc (gw * gw) w (p * p), h,
    ExpField.one_mul (p * p)]

/-- `r * r * w ≤ p * p` gives `r ≤ g w * p` (`r / p ≤ 1 / sqrt w`). -/
theorem le_g_scaled {g : K → K} (hg : IsInvSqrtFn g) {w p r : K} (hw : ofInt 0 < w)
    (hp : ofInt 0 < p) (h : r * r * w ≤ p * p) : r ≤ g w * p := by
  have ⟨hpos, hsq⟩ := hg w hw
  have h1 : r * r * w ≤ g w * p * (g w * p) * w := by
    rw [gp_sq p hsq]
    exact h
  exact ExpField.le_of_mul_self_le_mul_self (ExpField.le_of_lt _ _ (ExpField.mul_pos hpos hp))
    (ExpField.le_of_mul_le_mul_right h1 hw)

/-- `p * p ≤ r * r * w` and `0 ≤ r` give `g w * p ≤ r` (`1 / sqrt w ≤ r / p`). -/
theorem g_le_scaled {g : K → K} (hg : IsInvSqrtFn g) {w p r : K} (hw : ofInt 0 < w)
    (hr : ofInt 0 ≤ r) (h : p * p ≤ r * r * w) : g w * p ≤ r := by
  have ⟨_, hsq⟩ := hg w hw
  have h1 : g w * p * (g w * p) * w ≤ r * r * w := by
    rw [gp_sq p hsq]
    exact h
  exact ExpField.le_of_mul_self_le_mul_self hr (ExpField.le_of_mul_le_mul_right h1 hw)

/-- The order argument of `enc_iinvsqrt`, over `K`: `NL ≤ w D ≤ NH`, `ONE = P^2 D`,
`R1^2 NH ≤ ONE ≤ R2^2 NL` give `R1 ≤ g w * P ≤ R2`. -/
theorem invsqrt_core {g : K → K} (hg : IsInvSqrtFn g) {w D P R1 R2 NL NH ONE : K}
    (hD : ofInt 0 < D) (hP : ofInt 0 < P) (hR1 : ofInt 0 ≤ R1) (hR2 : ofInt 0 ≤ R2)
    (hNL : ofInt 0 < NL) (hlo : NL ≤ w * D) (hhi : w * D ≤ NH) (hone : ONE = P * P * D)
    (h3 : R1 * R1 * NH ≤ ONE) (h4 : ONE ≤ R2 * R2 * NL) :
    R1 ≤ g w * P ∧ g w * P ≤ R2 := by
  have hwD : ofInt 0 < w * D := ExpField.lt_of_lt_of_le _ _ _ hNL hlo
  have hw : ofInt 0 < w := by
    rw [ExpField.mul_comm w D] at hwD
    exact ExpField.pos_of_mul_pos_left hD hwD
  have a1 : R1 * R1 * (w * D) ≤ R1 * R1 * NH :=
    ExpField.mul_le_mul_of_nonneg_left _ _ _ hhi (ExpField.mul_nonneg hR1 hR1)
  have a2 : R1 * R1 * w * D ≤ P * P * D := by
    rw [ExpField.mul_assoc (R1 * R1) w D, ← hone]
    exact ExpField.le_trans _ _ _ a1 h3
  have b1 : R2 * R2 * NL ≤ R2 * R2 * (w * D) :=
    ExpField.mul_le_mul_of_nonneg_left _ _ _ hlo (ExpField.mul_nonneg hR2 hR2)
  have b2 : P * P * D ≤ R2 * R2 * w * D := by
    rw [ExpField.mul_assoc (R2 * R2) w D, ← hone]
    exact ExpField.le_trans _ _ _ h4 b1
  exact ⟨le_g_scaled hg hw hP (ExpField.le_of_mul_le_mul_right a2 hD),
    g_le_scaled hg hw hR2 (ExpField.le_of_mul_le_mul_right b2 hD)⟩

/-- `(v + c / E) * (E * P) = v * P * E + c * P`. -/
theorem wD_eq (v c E P : K) (hE : E ≠ ofInt 0) : (v + c * inv E) * (E * P) = v * P * E + c * P := by
  rw [ExpField.add_mul v (c * inv E) (E * P), ExpField.mul_comm E P, ← ExpField.mul_assoc v P E,
    ExpField.mul_comm P E, ← ExpField.mul_assoc (c * inv E) E P, ExpField.mul_assoc c (inv E) E,
    ExpField.mul_comm (inv E) E, ExpField.mul_inv_cancel E hE, ExpField.mul_one c]

/-- `E * (P * (P * P)) = P * P * (E * P)`. -/
theorem perm4 (E P : K) : E * (P * (P * P)) = P * P * (E * P) := by
  rw [ExpField.mul_comm E (P * (P * P)), ← ExpField.mul_assoc P P P, ExpField.mul_comm E P,
    ← ExpField.mul_assoc (P * P) P E]

theorem zsqrt_nonneg (N : Int) : 0 ≤ zsqrt N := by
  show (0 : Int) ≤ ((isqrtAux N.toNat (bitlen N.toNat + 2) 0 (N.toNat + 1) : Nat) : Int)
  omega

theorem enc_iinvsqrt {g : K → K} (hg : IsInvSqrtFn g) {F : Nat} {a : itv} {en ed : Int} {v : K}
    (hok : isqrt_ok F a en ed = true) (ha : enc F a v) (hv : ofInt 0 ≤ v) :
    enc F (iinvsqrt F a en ed) (g (v + ofInt en * inv (ofInt ed))) := by
  have ⟨ha1, ha2⟩ : ofInt a.1 ≤ v * pw F ∧ v * pw F ≤ ofInt a.2 := ha
  have ⟨c1, k1⟩ := band_elim hok
  have ⟨c2, k2⟩ := band_elim k1
  have ⟨c3, c4⟩ := band_elim k2
  have hen : 0 < en := dec_true c1
  have hed : 0 < ed := dec_true c2
  have h3 : (iinvsqrt F a en ed).1 * (iinvsqrt F a en ed).1 * inv_sqrt_num F a.2 en ed
      ≤ inv_sqrt_one F ed := dec_true c3
  have h4 : inv_sqrt_one F ed
      ≤ (iinvsqrt F a en ed).2 * (iinvsqrt F a en ed).2 * inv_sqrt_num F a.1 en ed := dec_true c4
  have hE : (ofInt 0 : K) < ofInt ed := ExpField.ofInt_lt 0 ed hed
  have hP : (ofInt 0 : K) < pw F := pw_pos F
  have hD : (ofInt 0 : K) < ofInt ed * pw F := ExpField.mul_pos hE hP
  have wD := wD_eq v (ofInt en) (ofInt ed) (pw F) (ExpField.ne_of_pos hE)
  have numK : ∀ l : Int, (ofInt (inv_sqrt_num F l en ed) : K)
      = ofInt (max l 0) * ofInt ed + ofInt en * pw F := by
    intro l
    show (ofInt (max l 0 * ed + en * (2 : Int) ^ F) : K) = ofInt (max l 0) * ofInt ed + ofInt en * pw F
    rw [ExpField.ofInt_add (max l 0 * ed) (en * (2 : Int) ^ F), ExpField.ofInt_mul (max l 0) ed,
      ExpField.ofInt_mul en ((2 : Int) ^ F), pw_def F]
  have hm : ofInt (max a.1 0) ≤ v * pw F := by
    by_cases hl : a.1 ≤ 0
    · have e : max a.1 0 = 0 := by omega
      rw [e]
      exact ExpField.mul_nonneg hv (ExpField.le_of_lt _ _ hP)
    · have e : max a.1 0 = a.1 := by omega
      rw [e]
      exact ha1
  have hM : v * pw F ≤ ofInt (max a.2 0) :=
    ExpField.le_trans _ _ _ ha2 (ExpField.ofInt_le _ _ (by omega))
  have hlo : (ofInt (inv_sqrt_num F a.1 en ed) : K)
      ≤ (v + ofInt en * inv (ofInt ed)) * (ofInt ed * pw F) := by
    rw [numK a.1, wD]
    exact ExpField.add_le_add_right _
      (ExpField.mul_le_mul_of_nonneg_right _ hm (ExpField.le_of_lt _ _ hE))
  have hhi : (v + ofInt en * inv (ofInt ed)) * (ofInt ed * pw F)
      ≤ (ofInt (inv_sqrt_num F a.2 en ed) : K) := by
    rw [numK a.2, wD]
    exact ExpField.add_le_add_right _
      (ExpField.mul_le_mul_of_nonneg_right _ hM (ExpField.le_of_lt _ _ hE))
  have hNL : (ofInt 0 : K) < ofInt (inv_sqrt_num F a.1 en ed) := by
    apply ExpField.ofInt_lt
    have h1 : 0 ≤ max a.1 0 * ed := Int.mul_nonneg (by omega) (by omega)
    have h2 : 0 < en * (2 : Int) ^ F := Int.mul_pos hen (pow2_pos F)
    show 0 < max a.1 0 * ed + en * (2 : Int) ^ F
    omega
  have hone : (ofInt (inv_sqrt_one F ed) : K) = pw F * pw F * (ofInt ed * pw F) := by
    have e3 : 3 * F = F + (F + F) := by omega
    show (ofInt (ed * (2 : Int) ^ (3 * F)) : K) = pw F * pw F * (ofInt ed * pw F)
    rw [ExpField.ofInt_mul ed ((2 : Int) ^ (3 * F)), ← pw_def (3 * F), e3, pw_add F (F + F),
      pw_add F F]
    exact perm4 (ofInt ed) (pw F)
  have hr1 : (0 : Int) ≤ (iinvsqrt F a en ed).1 :=
    zsqrt_nonneg (fdiv (inv_sqrt_one F ed) (inv_sqrt_num F a.2 en ed))
  have hr2 : (0 : Int) ≤ (iinvsqrt F a en ed).2 := by
    have h0 := zsqrt_nonneg (fdiv (inv_sqrt_one F ed) (inv_sqrt_num F a.1 en ed))
    show 0 ≤ zsqrt (fdiv (inv_sqrt_one F ed) (inv_sqrt_num F a.1 en ed)) + 1
    omega
  have h3K := ExpField.ofInt_le (K := K) _ _ h3
  rw [ExpField.ofInt_mul ((iinvsqrt F a en ed).1 * (iinvsqrt F a en ed).1)
      (inv_sqrt_num F a.2 en ed),
    ExpField.ofInt_mul (iinvsqrt F a en ed).1 (iinvsqrt F a en ed).1] at h3K
  have h4K := ExpField.ofInt_le (K := K) _ _ h4
  rw [ExpField.ofInt_mul ((iinvsqrt F a en ed).2 * (iinvsqrt F a en ed).2)
      (inv_sqrt_num F a.1 en ed),
    ExpField.ofInt_mul (iinvsqrt F a en ed).2 (iinvsqrt F a en ed).2] at h4K
  show ofInt (iinvsqrt F a en ed).1 ≤ g (v + ofInt en * inv (ofInt ed)) * pw F
    ∧ g (v + ofInt en * inv (ofInt ed)) * pw F ≤ ofInt (iinvsqrt F a en ed).2
  exact invsqrt_core hg hD hP (ExpField.ofInt_le 0 _ hr1) (ExpField.ofInt_le 0 _ hr2) hNL hlo hhi
    hone h3K h4K

end

end Pybridge.TL
