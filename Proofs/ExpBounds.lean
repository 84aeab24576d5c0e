/-
ExpBounds: fixed-point enclosures of 1/sqrt(h), of the scores and of exp (CHECKING.md section 3),
with their soundness over any `ExpField`.  Only `x + 1 ≤ exp x` and `exp (x + y) = exp x * exp y`
are used about `exp`.

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.Tables

namespace Pybridge

open ExpField (ofInt inv exp)

/-- Floor division (for a positive divisor). -/
def fdiv (a b : Int) : Int := a / b
/-- Ceiling division (for a positive divisor). -/
def cdiv (a b : Int) : Int := -((-a) / b)

theorem fdiv_mul_le (a b : Int) (hb : 0 < b) : b * fdiv a b ≤ a := by
  have h1 := Int.ediv_add_emod a b
  have h2 := Int.emod_nonneg a (show b ≠ 0 by omega)
  unfold fdiv
  omega

theorem fdiv_nonneg {a b : Int} (ha : 0 ≤ a) (hb : 0 < b) : 0 ≤ fdiv a b :=
  Int.ediv_nonneg ha (by omega)

theorem le_mul_cdiv (a b : Int) (hb : 0 < b) : a ≤ b * cdiv a b := by
  have h1 := Int.ediv_add_emod (-a) b
  have h2 := Int.emod_nonneg (-a) (show b ≠ 0 by omega)
  unfold cdiv
  rw [Int.mul_neg]
  omega

/-- `b := floor(b*b / 2^P)`, `k` times. -/
def sqIter (P : Nat) : Nat → Int → Int
  | 0, b => b
  | k + 1, b => sqIter P k (fdiv (b * b) ((2 : Int) ^ P))

/-- EXPLO(x): `EXPLO(x)/2^P ≤ exp(x/2^P)`. -/
def explo (P k : Nat) (x : Int) : Int :=
  if (2 : Int) ^ P + fdiv x ((2 : Int) ^ k) ≤ 0 then 0
  else sqIter P k ((2 : Int) ^ P + fdiv x ((2 : Int) ^ k))

/-- EXPHI(x) = ceil(2^(2P) / EXPLO(-x)) (meaningful when `EXPLO(-x) > 0`, which is checked). -/
def exphi (P k : Nat) (x : Int) : Int :=
  cdiv ((2 : Int) ^ P * (2 : Int) ^ P) (explo P k (-x))

/-- Integer square root by bisection: the largest `lo` with `lo*lo ≤ N`, given `lo*lo ≤ N < hi*hi`
initially and enough fuel. -/
def isqrtAux (N : Nat) : Nat → Nat → Nat → Nat
  | 0, lo, _ => lo
  | fuel + 1, lo, hi =>
    if hi ≤ lo + 1 then lo
    else if (lo + hi) / 2 * ((lo + hi) / 2) ≤ N then isqrtAux N fuel ((lo + hi) / 2) hi
    else isqrtAux N fuel lo ((lo + hi) / 2)

/-- `SLO = isqrt(floor(2^(2P) / h))`. -/
def slo (P h : Nat) : Int := ((isqrtAux (2 ^ P * 2 ^ P / h) (P + 2) 0 (2 ^ P + 1) : Nat) : Int)
/-- `SHI = SLO + 1`. -/
def shi (P h : Nat) : Int := slo P h + 1

/-- The checked scale enclosure `SLO^2 h ≤ 2^(2P) ≤ SHI^2 h` (and `h > 0`). -/
def scaleOk (P h : Nat) : Bool :=
  decide (0 < h) && (decide (0 ≤ slo P h)
  && (decide (slo P h * slo P h * (h : Int) ≤ (2 : Int) ^ P * (2 : Int) ^ P)
  && decide ((2 : Int) ^ P * (2 : Int) ^ P ≤ shi P h * shi P h * (h : Int))))

/-- `2^(4s)`. -/
def den4 (s : Nat) : Int := (2 : Int) ^ s * (2 : Int) ^ s * ((2 : Int) ^ s * (2 : Int) ^ s)

/-- Lower end of the score enclosure (fixed point, unit 2^-P). -/
def loS (P h s : Nat) (z : Int) : Int :=
  if 0 ≤ z then fdiv (z * slo P h) (den4 s) else fdiv (z * shi P h) (den4 s)

/-- Upper end of the score enclosure. -/
def hiS (P h s : Nat) (z : Int) : Int :=
  if 0 ≤ z then cdiv (z * shi P h) (den4 s) else cdiv (z * slo P h) (den4 s)

section Sound
variable {K : Type} [ExpField K]

theorem ofInt_fdiv_le (a b : Int) (hb : 0 < b) (Y : K) (h : ofInt a ≤ Y * ofInt b) :
    ofInt (fdiv a b) ≤ Y := by
  have h1 : (ofInt (b * fdiv a b) : K) ≤ ofInt a := ExpField.ofInt_le _ _ (fdiv_mul_le a b hb)
  rw [ExpField.ofInt_mul b (fdiv a b), ExpField.mul_comm (ofInt b) (ofInt (fdiv a b))] at h1
  exact ExpField.le_of_mul_le_mul_right (ExpField.le_trans _ _ _ h1 h) (ExpField.ofInt_lt 0 b hb)

theorem le_ofInt_cdiv (a b : Int) (hb : 0 < b) (Y : K) (h : Y * ofInt b ≤ ofInt a) :
    Y ≤ ofInt (cdiv a b) := by
  have h1 : (ofInt a : K) ≤ ofInt (b * cdiv a b) := ExpField.ofInt_le _ _ (le_mul_cdiv a b hb)
  rw [ExpField.ofInt_mul b (cdiv a b), ExpField.mul_comm (ofInt b) (ofInt (cdiv a b))] at h1
  exact ExpField.le_of_mul_le_mul_right (ExpField.le_trans _ _ _ h h1) (ExpField.ofInt_lt 0 b hb)

theorem sqIter_spec (P : Nat) : ∀ (k : Nat) (b : Int) (z : K), 0 ≤ b →
    ofInt b ≤ ofInt ((2 : Int) ^ P) * exp z →
    0 ≤ sqIter P k b ∧ ofInt (sqIter P k b) ≤ ofInt ((2 : Int) ^ P) * exp (z * ofInt ((2 : Int) ^ k))
  | 0, b, z, hb, h => by
    have e : (2 : Int) ^ 0 = 1 := by first | rfl | decide
    refine ⟨hb, ?_⟩
    show ofInt b ≤ ofInt ((2 : Int) ^ P) * exp (z * ofInt ((2 : Int) ^ 0))
    rw [e, ExpField.mul_one z]
    exact h
  | k + 1, b, z, hb, h => by
    have hD : (0 : Int) < (2 : Int) ^ P := pow2_pos P
    have hb' : 0 ≤ fdiv (b * b) ((2 : Int) ^ P) := fdiv_nonneg (Int.mul_nonneg hb hb) hD
    have hstep : ofInt (fdiv (b * b) ((2 : Int) ^ P)) ≤ ofInt ((2 : Int) ^ P) * exp (z + z) := by
      apply ofInt_fdiv_le (b * b) _ hD
      have hb0 : (ofInt 0 : K) ≤ ofInt b := ExpField.ofInt_le 0 b hb
      have h1 : (ofInt b : K) * ofInt b
          ≤ ofInt ((2 : Int) ^ P) * exp z * (ofInt ((2 : Int) ^ P) * exp z) :=
        ExpField.mul_le_mul' h h hb0 (ExpField.le_trans _ _ _ hb0 h)
      rw [ExpField.mul_mul_mul_comm (ofInt ((2 : Int) ^ P)) (exp z) (ofInt ((2 : Int) ^ P)) (exp z)]
        at h1
      rw [ExpField.ofInt_mul b b, ExpField.exp_add z z,
        ExpField.mul_comm (ofInt ((2 : Int) ^ P) * (exp z * exp z)) (ofInt ((2 : Int) ^ P)),
        ← ExpField.mul_assoc (ofInt ((2 : Int) ^ P)) (ofInt ((2 : Int) ^ P)) (exp z * exp z)]
      exact h1
    have ih := sqIter_spec P k (fdiv (b * b) ((2 : Int) ^ P)) (z + z) hb' hstep
    have e : (z + z) * ofInt ((2 : Int) ^ k) = z * ofInt ((2 : Int) ^ (k + 1)) := by
      have e2 : (2 : Int) ^ (k + 1) = 2 ^ k * 2 := by first | exact Int.pow_succ 2 k | omega
      rw [e2, ExpField.ofInt_mul ((2 : Int) ^ k) 2, ExpField.add_self_mul z (ofInt ((2 : Int) ^ k))]
    rw [← e]
    exact ih

theorem explo_spec (P k : Nat) (x : Int) :
    0 ≤ explo P k x ∧
      (ofInt (explo P k x) : K)
        ≤ ofInt ((2 : Int) ^ P) * exp (ofInt x * inv (ofInt ((2 : Int) ^ P))) := by
  have hD := pow2_pos P
  have hK := pow2_pos k
  have hDk : (ofInt 0 : K) < ofInt ((2 : Int) ^ P) := ExpField.ofInt_lt 0 _ hD
  have hKk : (ofInt 0 : K) < ofInt ((2 : Int) ^ k) := ExpField.ofInt_lt 0 _ hK
  by_cases hb : (2 : Int) ^ P + fdiv x ((2 : Int) ^ k) ≤ 0
  · have e : explo P k x = 0 := if_pos hb
    rw [e]
    exact ⟨Int.le_refl 0, ExpField.le_of_lt _ _ (ExpField.mul_pos hDk (ExpField.exp_pos _))⟩
  · have e : explo P k x = sqIter P k ((2 : Int) ^ P + fdiv x ((2 : Int) ^ k)) := if_neg hb
    rw [e]
    have hb0 : 0 ≤ (2 : Int) ^ P + fdiv x ((2 : Int) ^ k) := by omega
    have hc : (ofInt (fdiv x ((2 : Int) ^ k)) : K) ≤ ofInt x * inv (ofInt ((2 : Int) ^ k)) := by
      apply ofInt_fdiv_le x _ hK
      rw [ExpField.mul_assoc (ofInt x) (inv (ofInt ((2 : Int) ^ k))) (ofInt ((2 : Int) ^ k)),
        ExpField.mul_comm (inv (ofInt ((2 : Int) ^ k))) (ofInt ((2 : Int) ^ k)),
        ExpField.mul_inv_cancel _ (ExpField.ne_of_pos hKk), ExpField.mul_one]
      exact ExpField.le_refl _
    have h1 : ofInt ((2 : Int) ^ P)
        * (ofInt x * inv (ofInt ((2 : Int) ^ P)) * inv (ofInt ((2 : Int) ^ k)))
        = (ofInt x : K) * inv (ofInt ((2 : Int) ^ k)) := by
      rw [← ExpField.mul_assoc (ofInt ((2 : Int) ^ P)) (ofInt x * inv (ofInt ((2 : Int) ^ P)))
          (inv (ofInt ((2 : Int) ^ k))),
        ExpField.mul_left_comm (ofInt ((2 : Int) ^ P)) (ofInt x) (inv (ofInt ((2 : Int) ^ P))),
        ExpField.mul_inv_cancel _ (ExpField.ne_of_pos hDk), ExpField.mul_one (ofInt x)]
    have hstart : (ofInt ((2 : Int) ^ P + fdiv x ((2 : Int) ^ k)) : K)
        ≤ ofInt ((2 : Int) ^ P)
          * exp (ofInt x * inv (ofInt ((2 : Int) ^ P)) * inv (ofInt ((2 : Int) ^ k))) := by
      have h2 := ExpField.mul_le_mul_of_nonneg_left _ _ (ofInt ((2 : Int) ^ P))
        (ExpField.add_one_le_exp
          (ofInt x * inv (ofInt ((2 : Int) ^ P)) * inv (ofInt ((2 : Int) ^ k)) : K))
        (ExpField.le_of_lt _ _ hDk)
      rw [ExpField.mul_add, h1, ExpField.mul_one (ofInt ((2 : Int) ^ P))] at h2
      rw [ExpField.ofInt_add ((2 : Int) ^ P) (fdiv x ((2 : Int) ^ k)),
        ExpField.add_comm (ofInt ((2 : Int) ^ P)) (ofInt (fdiv x ((2 : Int) ^ k)))]
      exact ExpField.le_trans _ _ _ (ExpField.add_le_add_right _ hc) h2
    have hz : ofInt x * inv (ofInt ((2 : Int) ^ P)) * inv (ofInt ((2 : Int) ^ k))
        * ofInt ((2 : Int) ^ k) = (ofInt x : K) * inv (ofInt ((2 : Int) ^ P)) := by
      rw [ExpField.mul_assoc (ofInt x * inv (ofInt ((2 : Int) ^ P))) (inv (ofInt ((2 : Int) ^ k)))
          (ofInt ((2 : Int) ^ k)),
        ExpField.mul_comm (inv (ofInt ((2 : Int) ^ k))) (ofInt ((2 : Int) ^ k)),
        ExpField.mul_inv_cancel _ (ExpField.ne_of_pos hKk), ExpField.mul_one]
    have hfin := sqIter_spec P k _ _ hb0 hstart
    rw [hz] at hfin
    exact hfin

theorem exphi_spec (P k : Nat) (x : Int) (hpos : 0 < explo P k (-x)) :
    (ofInt ((2 : Int) ^ P) : K) * exp (ofInt x * inv (ofInt ((2 : Int) ^ P)))
      ≤ ofInt (exphi P k x) := by
  have hDk : (ofInt 0 : K) < ofInt ((2 : Int) ^ P) := ExpField.ofInt_lt 0 _ (pow2_pos P)
  have hlo := (explo_spec (K := K) P k (-x)).2
  have hEE : exp (ofInt x * inv (ofInt ((2 : Int) ^ P)))
      * exp (ofInt (-x) * inv (ofInt ((2 : Int) ^ P))) = (ofInt 1 : K) := by
    have e0 : x + -x = 0 := by omega
    rw [← ExpField.exp_add, ← ExpField.add_mul, ← ExpField.ofInt_add x (-x), e0,
      ExpField.zero_mul, ExpField.exp_zero]
  apply le_ofInt_cdiv _ _ hpos
  have h1 := ExpField.mul_le_mul_of_nonneg_left _ _
    (ofInt ((2 : Int) ^ P) * exp (ofInt x * inv (ofInt ((2 : Int) ^ P)))) hlo
    (ExpField.le_of_lt _ _ (ExpField.mul_pos hDk (ExpField.exp_pos _)))
  rw [ExpField.mul_mul_mul_comm (ofInt ((2 : Int) ^ P)) (exp (ofInt x * inv (ofInt ((2 : Int) ^ P))))
      (ofInt ((2 : Int) ^ P)) (exp (ofInt (-x) * inv (ofInt ((2 : Int) ^ P)))),
    hEE, ExpField.mul_one, ← ExpField.ofInt_mul ((2 : Int) ^ P) ((2 : Int) ^ P)] at h1
  exact h1

/-- From the checked integer inequalities, `SLO ≤ 2^P r ≤ SHI` for `r = 1/sqrt h`. -/
theorem rho_bounds (h : Nat) (r : K) (hr : IsInvSqrt h r) (hh0 : 0 < h) (D lo hi : Int)
    (hD : 0 < D) (hhi : 0 ≤ hi) (c1 : lo * lo * (h : Int) ≤ D * D) (c2 : D * D ≤ hi * hi * (h : Int)) :
    ofInt lo ≤ ofInt D * r ∧ ofInt D * r ≤ ofInt hi := by
  have hh : (ofInt 0 : K) < ofInt (h : Int) := ExpField.ofInt_lt 0 _ (by omega)
  have key : ofInt D * r * (ofInt D * r) * ofInt (h : Int) = (ofInt (D * D) : K) := by
    rw [ExpField.mul_mul_mul_comm (ofInt D) r (ofInt D) r,
      ExpField.mul_assoc (ofInt D * ofInt D) (r * r) (ofInt (h : Int)), hr.2,
      ExpField.mul_one (ofInt D * ofInt D), ExpField.ofInt_mul D D]
  have hρ0 : (ofInt 0 : K) ≤ ofInt D * r :=
    ExpField.le_of_lt _ _ (ExpField.mul_pos (ExpField.ofInt_lt 0 D hD) hr.1)
  have l1 : (ofInt (lo * lo * (h : Int)) : K) ≤ ofInt (D * D) := ExpField.ofInt_le _ _ c1
  rw [ExpField.ofInt_mul (lo * lo) (h : Int), ExpField.ofInt_mul lo lo, ← key] at l1
  have u1 : (ofInt (D * D) : K) ≤ ofInt (hi * hi * (h : Int)) := ExpField.ofInt_le _ _ c2
  rw [← key, ExpField.ofInt_mul (hi * hi) (h : Int), ExpField.ofInt_mul hi hi] at u1
  exact ⟨ExpField.le_of_mul_self_le_mul_self hρ0 (ExpField.le_of_mul_le_mul_right l1 hh),
    ExpField.le_of_mul_self_le_mul_self (ExpField.ofInt_le 0 hi hhi)
      (ExpField.le_of_mul_le_mul_right u1 hh)⟩

/-- `w * U * P = w` when `P * U = 1`. -/
theorem mul_unit_cancel {P U : K} (h : P * U = ofInt 1) (w : K) : w * U * P = w := by
  rw [ExpField.mul_assoc w U P, ExpField.mul_comm U P, h, ExpField.mul_one w]

/-- The score enclosure: `loS z ≤ 2^P * (z * 2^-4s * r) ≤ hiS z`, written with `ρ = 2^P r`. -/
theorem score_enclosure (P h s : Nat) (z : Int) (ρ U : K)
    (hlo : ofInt (slo P h) ≤ ρ) (hhi : ρ ≤ ofInt (shi P h))
    (hU : ofInt (den4 s) * U = ofInt 1) (hU0 : ofInt 0 ≤ U) (hden : 0 < den4 s) :
    ofInt (loS P h s z) ≤ ofInt z * ρ * U ∧ ofInt z * ρ * U ≤ ofInt (hiS P h s z) := by
  by_cases hz : 0 ≤ z
  · have e1 : loS P h s z = fdiv (z * slo P h) (den4 s) := if_pos hz
    have e2 : hiS P h s z = cdiv (z * shi P h) (den4 s) := if_pos hz
    rw [e1, e2]
    have hz0 : (ofInt 0 : K) ≤ ofInt z := ExpField.ofInt_le 0 z hz
    refine ⟨?_, ?_⟩
    · apply ofInt_fdiv_le _ _ hden
      rw [mul_unit_cancel hU, ExpField.ofInt_mul z (slo P h)]
      exact ExpField.mul_le_mul_of_nonneg_left _ _ _ hlo hz0
    · apply le_ofInt_cdiv _ _ hden
      rw [mul_unit_cancel hU, ExpField.ofInt_mul z (shi P h)]
      exact ExpField.mul_le_mul_of_nonneg_left _ _ _ hhi hz0
  · have e1 : loS P h s z = fdiv (z * shi P h) (den4 s) := if_neg hz
    have e2 : hiS P h s z = cdiv (z * slo P h) (den4 s) := if_neg hz
    rw [e1, e2]
    have hz0 : (ofInt z : K) ≤ ofInt 0 := ExpField.ofInt_le z 0 (by omega)
    refine ⟨?_, ?_⟩
    · apply ofInt_fdiv_le _ _ hden
      rw [mul_unit_cancel hU, ExpField.ofInt_mul z (shi P h)]
      exact ExpField.mul_le_mul_of_nonpos_left hhi hz0
    · apply le_ofInt_cdiv _ _ hden
      rw [mul_unit_cancel hU, ExpField.ofInt_mul z (slo P h)]
      exact ExpField.mul_le_mul_of_nonpos_left hlo hz0

/-- `Dk * (a * U * r) = a * (Dk * r) * U`. -/
theorem rearr_score (Dk a U r : K) : Dk * (a * U * r) = a * (Dk * r) * U := by
  rw [ExpField.mul_comm Dk (a * U * r), ExpField.mul_assoc (a * U) r Dk, ExpField.mul_comm r Dk,
    ExpField.mul_assoc a U (Dk * r), ExpField.mul_comm U (Dk * r),
    ← ExpField.mul_assoc a (Dk * r) U]

/-- `ofInt y ≤ Dk * s` gives `ofInt y * inv Dk ≤ s` (and symmetrically). -/
theorem div_le_of_le_mul {Dk s : K} (y : Int) (hDk : ofInt 0 < Dk) (h : ofInt y ≤ Dk * s) :
    ofInt y * inv Dk ≤ s := by
  have h1 := ExpField.mul_le_mul_of_nonneg_right (inv Dk) h (ExpField.le_of_lt _ _ (ExpField.inv_pos hDk))
  rw [ExpField.mul_comm Dk s, ExpField.mul_assoc s Dk (inv Dk),
    ExpField.mul_inv_cancel Dk (ExpField.ne_of_pos hDk), ExpField.mul_one s] at h1
  exact h1

theorem le_div_of_mul_le {Dk s : K} (y : Int) (hDk : ofInt 0 < Dk) (h : Dk * s ≤ ofInt y) :
    s ≤ ofInt y * inv Dk := by
  have h1 := ExpField.mul_le_mul_of_nonneg_right (inv Dk) h (ExpField.le_of_lt _ _ (ExpField.inv_pos hDk))
  rw [ExpField.mul_comm Dk s, ExpField.mul_assoc s Dk (inv Dk),
    ExpField.mul_inv_cancel Dk (ExpField.ne_of_pos hDk), ExpField.mul_one s] at h1
  exact h1

theorem ofInt_sub_mul (a C : Int) (w : K) :
    ofInt (a - C) * w = ofInt a * w + ofInt (-C) * w := by
  have e : a - C = a + -C := by omega
  rw [e, ExpField.ofInt_add a (-C), ExpField.add_mul]

/-- WLO enclosure: `EXPLO(lo - C) ≤ 2^P exp(s - C/2^P)` when `lo ≤ 2^P s`. -/
theorem wlo_le (P k : Nat) (C lo : Int) (s : K) (h : ofInt lo ≤ ofInt ((2 : Int) ^ P) * s) :
    ofInt (explo P k (lo - C))
      ≤ ofInt ((2 : Int) ^ P) * exp (s + ofInt (-C) * inv (ofInt ((2 : Int) ^ P))) := by
  have hDk : (ofInt 0 : K) < ofInt ((2 : Int) ^ P) := ExpField.ofInt_lt 0 _ (pow2_pos P)
  have h1 := (explo_spec (K := K) P k (lo - C)).2
  have h2 : ofInt (lo - C) * inv (ofInt ((2 : Int) ^ P))
      ≤ s + ofInt (-C) * inv (ofInt ((2 : Int) ^ P)) := by
    rw [ofInt_sub_mul]
    exact ExpField.add_le_add_right _ (div_le_of_le_mul lo hDk h)
  exact ExpField.le_trans _ _ _ h1
    (ExpField.mul_le_mul_of_nonneg_left _ _ _ (ExpField.exp_le_exp h2) (ExpField.le_of_lt _ _ hDk))

/-- WHI enclosure: `2^P exp(s - C/2^P) ≤ EXPHI(hi - C)` when `2^P s ≤ hi` and EXPLO(C - hi) > 0. -/
theorem whi_ge (P k : Nat) (C hi : Int) (s : K) (h : ofInt ((2 : Int) ^ P) * s ≤ ofInt hi)
    (hpos : 0 < explo P k (-(hi - C))) :
    ofInt ((2 : Int) ^ P) * exp (s + ofInt (-C) * inv (ofInt ((2 : Int) ^ P)))
      ≤ ofInt (exphi P k (hi - C)) := by
  have hDk : (ofInt 0 : K) < ofInt ((2 : Int) ^ P) := ExpField.ofInt_lt 0 _ (pow2_pos P)
  have h1 := exphi_spec (K := K) P k (hi - C) hpos
  have h2 : s + ofInt (-C) * inv (ofInt ((2 : Int) ^ P))
      ≤ ofInt (hi - C) * inv (ofInt ((2 : Int) ^ P)) := by
    rw [ofInt_sub_mul]
    exact ExpField.add_le_add_right _ (le_div_of_mul_le hi hDk h)
  exact ExpField.le_trans _ _ _
    (ExpField.mul_le_mul_of_nonneg_left _ _ _ (ExpField.exp_le_exp h2) (ExpField.le_of_lt _ _ hDk)) h1

/-! ### Sign-aware product bound (CHECKING.md section 4) -/

/-- `lb(v, l, u) = v*l` if `v ≥ 0` else `v*u`. -/
def lbZ (v l u : Int) : Int := if 0 ≤ v then v * l else v * u

theorem lbZ_le (v l u : Int) (w : K) (hl : ofInt l ≤ w) (hu : w ≤ ofInt u) :
    ofInt (lbZ v l u) ≤ ofInt v * w := by
  by_cases hv : 0 ≤ v
  · have e : lbZ v l u = v * l := if_pos hv
    rw [e, ExpField.ofInt_mul v l]
    exact ExpField.mul_le_mul_of_nonneg_left _ _ _ hl (ExpField.ofInt_le 0 v hv)
  · have e : lbZ v l u = v * u := if_neg hv
    rw [e, ExpField.ofInt_mul v u]
    exact ExpField.mul_le_mul_of_nonpos_left hu (ExpField.ofInt_le v 0 (by omega))

end Sound

end Pybridge
