/-
ExpBounds: enclosures of the attention scale and scores (fixed point) and of `exp` (floating
dyadics), CHECKING.md section 3 (revision 2), with their soundness over any `ExpField`
(Lean mirror of coq/theories/ExpBounds.v).

A fixed-point integer `z` stands for `z / 2^P`; a dyadic `(b, e)` for `b * 2^e`.  About `exp` only
`x + 1 ≤ exp x` and `exp (x + y) = exp x * exp y` are used (positivity, `exp 0 = 1` and
monotonicity are derived in `Field.lean`).

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.Dyadic

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

/-! ### Exp enclosures (floating dyadics) -/

/-- Number of binary digits of `x` within `fuel` halvings (`Z.log2 x + 1` for `x > 0`, 0 for 0). -/
def bitlenAux : Nat → Nat → Nat
  | 0, _ => 0
  | fuel + 1, x => if x = 0 then 0 else bitlenAux fuel (x / 2) + 1

/-- `bitlen x` = number of binary digits of `x` (Python `int.bit_length`); `x` halvings suffice. -/
def bitlen (x : Nat) : Nat := bitlenAux x x

/-- The number of low bits dropped after squaring `b`: `bitlen(b*b) - P`. -/
def sq_shift (P : Nat) (b : Int) : Int := (bitlen (b * b).toNat : Int) - (P : Int)

/-- One squaring step: `b := b*b`, `e := 2e`, then if `bitlen b > P` drop the
`r = bitlen b - P` low bits of `b` (floor) and add `r` to `e`. -/
def exp_step (P : Nat) (be : dyadic) : dyadic :=
  if 0 < sq_shift P be.1 then
    (fdiv (be.1 * be.1) ((2 : Int) ^ (sq_shift P be.1).toNat), 2 * be.2 + sq_shift P be.1)
  else (be.1 * be.1, 2 * be.2)

/-- `exp_step` iterated `k` times (Coq `Nat.iter k (exp_step P)`). -/
def iter_step (P : Nat) : Nat → dyadic → dyadic
  | 0, be => be
  | k + 1, be => exp_step P (iter_step P k be)

/-- `EXPLO(x)`: `b := 2^P + floor(x / 2^k)`, `e := -P`; `(0, 0)` if `b ≤ 0`; else `k` squaring
steps.  Claim (`EXPLO_le`): `b * 2^e ≤ exp(x / 2^P)`. -/
def EXPLO (P k : Nat) (x : Int) : dyadic :=
  if (2 : Int) ^ P + fdiv x ((2 : Int) ^ k) ≤ 0 then (0, 0)
  else iter_step P k ((2 : Int) ^ P + fdiv x ((2 : Int) ^ k), -(P : Int))

/-- `EXPHI(x) = (ceil(2^(2P) / b), -e - 2P)` where `(b, e) = EXPLO(-x)`.
Claim (`EXPHI_ge`, when `b > 0`): `exp(x / 2^P) ≤ EXPHI(x)`. -/
def EXPHI (P k : Nat) (x : Int) : dyadic :=
  (cdiv ((2 : Int) ^ (2 * P)) (EXPLO P k (-x)).1, -(EXPLO P k (-x)).2 - 2 * (P : Int))

/-! ### Attention scale and score enclosures (fixed point) -/

/-- Integer square root by bisection: the largest `lo` with `lo*lo ≤ N`, given `lo*lo ≤ N < hi*hi`
initially and enough fuel. -/
def isqrtAux (N : Nat) : Nat → Nat → Nat → Nat
  | 0, lo, _ => lo
  | fuel + 1, lo, hi =>
    if hi ≤ lo + 1 then lo
    else if (lo + hi) / 2 * ((lo + hi) / 2) ≤ N then isqrtAux N fuel ((lo + hi) / 2) hi
    else isqrtAux N fuel lo ((lo + hi) / 2)


/-- `SLO = isqrt(floor(2^(2P) / h))`. -/
def SLO (P h : Nat) : Int := ((isqrtAux (2 ^ P * 2 ^ P / h) (P + 2) 0 (2 ^ P + 1) : Nat) : Int)
/-- `SHI = SLO + 1`. -/
def SHI (P h : Nat) : Int := SLO P h + 1

/-- The checked scale enclosure `SLO^2 h ≤ 2^(2P) ≤ SHI^2 h` (and `h > 0`, `SLO ≥ 0`). -/
def scale_ok (P h : Nat) : Bool :=
  decide (0 < h) && (decide (0 ≤ SLO P h)
  && (decide (SLO P h * SLO P h * (h : Int) ≤ (2 : Int) ^ P * (2 : Int) ^ P)
  && decide ((2 : Int) ^ P * (2 : Int) ^ P ≤ SHI P h * SHI P h * (h : Int))))

/-- `2^(4s)`. -/
def den4 (s : Nat) : Int := (2 : Int) ^ s * (2 : Int) ^ s * ((2 : Int) ^ s * (2 : Int) ^ s)

/-- Lower end of the score enclosure of `z = QK` (fixed point, unit 2^-P):
`floor(z * (z ≥ 0 ? SLO : SHI) / 2^(4s))`. -/
def lo_of (s : Nat) (slo shi z : Int) : Int :=
  if 0 ≤ z then fdiv (z * slo) (den4 s) else fdiv (z * shi) (den4 s)

/-- Upper end: `ceil(z * (z ≥ 0 ? SHI : SLO) / 2^(4s))`. -/
def hi_of (s : Nat) (slo shi z : Int) : Int :=
  if 0 ≤ z then cdiv (z * shi) (den4 s) else cdiv (z * slo) (den4 s)

/-! ### Non-negativity of the EXPLO mantissa -/

theorem exp_step_nonneg (P : Nat) (be : dyadic) (hb : 0 ≤ be.1) : 0 ≤ (exp_step P be).1 := by
  unfold exp_step
  by_cases hr : 0 < sq_shift P be.1
  · rw [if_pos hr]
    exact fdiv_nonneg (Int.mul_nonneg hb hb) (pow2_pos _)
  · rw [if_neg hr]
    exact Int.mul_nonneg hb hb

theorem iter_step_nonneg (P : Nat) (be : dyadic) (hb : 0 ≤ be.1) :
    ∀ k : Nat, 0 ≤ (iter_step P k be).1
  | 0 => hb
  | k + 1 => exp_step_nonneg P (iter_step P k be) (iter_step_nonneg P be hb k)

theorem EXPLO_nonneg (P k : Nat) (x : Int) : 0 ≤ (EXPLO P k x).1 := by
  by_cases hb : (2 : Int) ^ P + fdiv x ((2 : Int) ^ k) ≤ 0
  · have e : EXPLO P k x = (0, 0) := if_pos hb
    exact Eq.mpr (congrArg (fun p : dyadic => (0 : Int) ≤ p.1) e) (Int.le_refl 0)
  · have e : EXPLO P k x
        = iter_step P k (((2 : Int) ^ P + fdiv x ((2 : Int) ^ k), -(P : Int)) : dyadic) := if_neg hb
    have hb0 : 0 ≤ (2 : Int) ^ P + fdiv x ((2 : Int) ^ k) := by omega
    rw [e]
    exact iter_step_nonneg P (((2 : Int) ^ P + fdiv x ((2 : Int) ^ k), -(P : Int)) : dyadic) hb0 k

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


/-- Dropping `r` low bits (floor) does not increase the value:
`floor(a / 2^r) * 2^(e + r) ≤ a * 2^e`. -/
theorem dval_shift_le (a e : Int) (r : Nat) :
    (dval ((fdiv a ((2 : Int) ^ r), e + (r : Int)) : dyadic) : K) ≤ dval ((a, e) : dyadic) := by
  have h1 : (ofInt (fdiv a ((2 : Int) ^ r)) : K) * pw r ≤ ofInt a := by
    have h2 := ExpField.ofInt_le (K := K) _ _ (fdiv_mul_le a ((2 : Int) ^ r) (pow2_pos r))
    rw [ExpField.ofInt_mul ((2 : Int) ^ r) (fdiv a ((2 : Int) ^ r)),
      ExpField.mul_comm (ofInt ((2 : Int) ^ r) : K) (ofInt (fdiv a ((2 : Int) ^ r))),
      ← pw_def r] at h2
    exact h2
  show ofInt (fdiv a ((2 : Int) ^ r)) * zpow2 (e + (r : Int)) ≤ ofInt a * zpow2 e
  rw [zpow2_add_nat e r, ExpField.mul_comm (zpow2 e) (pw r),
    ← ExpField.mul_assoc (ofInt (fdiv a ((2 : Int) ^ r))) (pw r) (zpow2 e)]
  exact ExpField.mul_le_mul_of_nonneg_right _ h1 (ExpField.le_of_lt _ _ (zpow2_pos e))

/-- Squaring step: if `0 ≤ b` and `b 2^e ≤ exp y` then the next pair has value at most
`exp (y + y)`. -/
theorem exp_step_le (P : Nat) (be : dyadic) (y : K) (hb : 0 ≤ be.1) (h : dval be ≤ exp y) :
    (dval (exp_step P be) : K) ≤ exp (y + y) := by
  have h0 : (ofInt 0 : K) ≤ dval be := dval_nonneg be hb
  have hsq : (dval ((be.1 * be.1, 2 * be.2) : dyadic) : K) ≤ exp (y + y) := by
    show ofInt (be.1 * be.1) * zpow2 (2 * be.2) ≤ exp (y + y)
    have e2 : 2 * be.2 = be.2 + be.2 := by omega
    rw [e2, zpow2_add, ExpField.ofInt_mul,
      ExpField.mul_mul_mul_comm (ofInt be.1) (ofInt be.1) (zpow2 be.2) (zpow2 be.2),
      ExpField.exp_add]
    exact ExpField.mul_le_mul' h h h0 (ExpField.le_trans _ _ _ h0 h)
  unfold exp_step
  by_cases hr : 0 < sq_shift P be.1
  · rw [if_pos hr]
    have er : 2 * be.2 + sq_shift P be.1 = 2 * be.2 + ((sq_shift P be.1).toNat : Int) := by
      have := toNat_spec (sq_shift P be.1)
      omega
    rw [er]
    exact ExpField.le_trans _ _ _ (dval_shift_le (be.1 * be.1) (2 * be.2) (sq_shift P be.1).toNat) hsq
  · rw [if_neg hr]
    exact hsq

theorem iter_step_le (P : Nat) (be : dyadic) (y : K) (hb : 0 ≤ be.1) (h : dval be ≤ exp y) :
    ∀ k : Nat, (dval (iter_step P k be) : K) ≤ exp (y * ofInt ((2 : Int) ^ k))
  | 0 => by
    have e0 : (2 : Int) ^ 0 = 1 := by first | rfl | decide
    show (dval be : K) ≤ exp (y * ofInt ((2 : Int) ^ 0))
    rw [e0, ExpField.mul_one]
    exact h
  | k + 1 => by
    have ih := iter_step_le P be y hb h k
    have hs := exp_step_le P (iter_step P k be) (y * ofInt ((2 : Int) ^ k))
      (iter_step_nonneg P be hb k) ih
    have e : y * ofInt ((2 : Int) ^ k) + y * ofInt ((2 : Int) ^ k)
        = y * ofInt ((2 : Int) ^ (k + 1)) := by
      have e2 : (2 : Int) ^ k + 2 ^ k = 2 ^ (k + 1) := by omega
      rw [← ExpField.mul_add, ← ExpField.ofInt_add, e2]
    rw [e] at hs
    exact hs

/-- `EXPLO(x) ≤ exp(x / 2^P)` (as values in `K`). -/
theorem EXPLO_le (P k : Nat) (x : Int) :
    (dval (EXPLO P k x) : K) ≤ exp (ofInt x * inv (pw P)) := by
  have hD : (ofInt 0 : K) < pw P := pw_pos P
  by_cases hb : (2 : Int) ^ P + fdiv x ((2 : Int) ^ k) ≤ 0
  · have e : EXPLO P k x = (0, 0) := if_pos hb
    rw [e]
    show (ofInt 0 : K) * zpow2 0 ≤ exp (ofInt x * inv (pw P))
    rw [ExpField.zero_mul]
    exact ExpField.le_of_lt _ _ (ExpField.exp_pos _)
  · have e : EXPLO P k x
        = iter_step P k (((2 : Int) ^ P + fdiv x ((2 : Int) ^ k), -(P : Int)) : dyadic) := if_neg hb
    rw [e]
    have hb0 : 0 ≤ (2 : Int) ^ P + fdiv x ((2 : Int) ^ k) := by omega
    -- floor(x / 2^k) ≤ x / 2^k
    have hc : (ofInt (fdiv x ((2 : Int) ^ k)) : K) ≤ ofInt x * inv (pw k) := by
      apply ofInt_fdiv_le x _ (pow2_pos k)
      rw [← pw_def k, ExpField.mul_assoc (ofInt x) (inv (pw k)) (pw k),
        ExpField.mul_comm (inv (pw k)) (pw k), pw_mul_inv, ExpField.mul_one]
      exact ExpField.le_refl _
    have hc' : (ofInt (fdiv x ((2 : Int) ^ k)) : K) * inv (pw P)
        ≤ ofInt x * inv (pw P) * inv (pw k) := by
      rw [ExpField.mul_assoc (ofInt x) (inv (pw P)) (inv (pw k)),
        ExpField.mul_comm (inv (pw P)) (inv (pw k)),
        ← ExpField.mul_assoc (ofInt x) (inv (pw k)) (inv (pw P))]
      exact ExpField.mul_le_mul_of_nonneg_right _ hc (ExpField.le_of_lt _ _ (ExpField.inv_pos hD))
    -- the start value: b 2^-P = 1 + floor(x/2^k)/2^P ≤ exp(x / 2^P / 2^k)
    have hstart : (dval (((2 : Int) ^ P + fdiv x ((2 : Int) ^ k), -(P : Int)) : dyadic) : K)
        ≤ exp (ofInt x * inv (pw P) * inv (pw k)) := by
      have ez : (zpow2 (-(P : Int)) : K) = inv (pw P) := by
        rw [zpow2_eq (-(P : Int)) 0 P (by omega), pw_zero, ExpField.one_mul]
      show ofInt ((2 : Int) ^ P + fdiv x ((2 : Int) ^ k)) * zpow2 (-(P : Int))
        ≤ exp (ofInt x * inv (pw P) * inv (pw k))
      rw [ez, ExpField.ofInt_add, ExpField.add_mul, ← pw_def P, pw_mul_inv,
        ExpField.add_comm (ofInt 1 : K) (ofInt (fdiv x ((2 : Int) ^ k)) * inv (pw P))]
      exact ExpField.le_trans _ _ _ (ExpField.add_le_add_right _ hc') (ExpField.add_one_le_exp _)
    have hfin := iter_step_le P (((2 : Int) ^ P + fdiv x ((2 : Int) ^ k), -(P : Int)) : dyadic)
      (ofInt x * inv (pw P) * inv (pw k)) hb0 hstart k
    have hz : ofInt x * inv (pw P) * inv (pw k) * ofInt ((2 : Int) ^ k)
        = (ofInt x : K) * inv (pw P) := by
      rw [← pw_def k, ExpField.mul_assoc (ofInt x * inv (pw P)) (inv (pw k)) (pw k),
        ExpField.mul_comm (inv (pw k)) (pw k), pw_mul_inv, ExpField.mul_one]
    rw [hz] at hfin
    exact hfin

/-- `1 ≤ ceil(2^(2P) / b) 2^(-e-2P) * (b 2^e)` for `b > 0`. -/
theorem exphi_aux (P : Nat) (b e : Int) (hb : 0 < b) :
    (ofInt 1 : K) ≤ ofInt (cdiv ((2 : Int) ^ (2 * P)) b) * zpow2 (-e - 2 * (P : Int))
      * (ofInt b * zpow2 e) := by
  have hc := ExpField.ofInt_le (K := K) _ _ (le_mul_cdiv ((2 : Int) ^ (2 * P)) b hb)
  rw [ExpField.ofInt_mul b (cdiv ((2 : Int) ^ (2 * P)) b),
    ExpField.mul_comm (ofInt b : K) (ofInt (cdiv ((2 : Int) ^ (2 * P)) b))] at hc
  have ez : (zpow2 (-e - 2 * (P : Int)) : K) * zpow2 e = inv (pw (2 * P)) := by
    rw [← zpow2_add, zpow2_eq (-e - 2 * (P : Int) + e) 0 (2 * P) (by omega), pw_zero,
      ExpField.one_mul]
  rw [ExpField.mul_mul_mul_comm (ofInt (cdiv ((2 : Int) ^ (2 * P)) b))
      (zpow2 (-e - 2 * (P : Int))) (ofInt b) (zpow2 e), ez]
  have h3 := ExpField.mul_le_mul_of_nonneg_right (inv (pw (2 * P))) hc
    (ExpField.le_of_lt _ _ (ExpField.inv_pos (pw_pos (2 * P))))
  rw [← pw_def (2 * P), pw_mul_inv] at h3
  exact h3

/-- `exp(x / 2^P) ≤ EXPHI(x)` when the mantissa of `EXPLO(-x)` is positive. -/
theorem EXPHI_ge (P k : Nat) (x : Int) (hpos : 0 < (EXPLO P k (-x)).1) :
    exp (ofInt x * inv (pw P)) ≤ (dval (EXPHI P k x) : K) := by
  have hlo := EXPLO_le (K := K) P k (-x)
  have hdpos : (ofInt 0 : K) < dval (EXPLO P k (-x)) :=
    ExpField.mul_pos (ExpField.ofInt_lt 0 _ hpos) (zpow2_pos _)
  have hEE : exp (ofInt x * inv (pw P)) * exp (ofInt (-x) * inv (pw P)) = (ofInt 1 : K) := by
    have e0 : x + -x = 0 := by omega
    rw [← ExpField.exp_add, ← ExpField.add_mul, ← ExpField.ofInt_add x (-x), e0,
      ExpField.zero_mul, ExpField.exp_zero]
  have h1 : exp (ofInt x * inv (pw P)) * dval (EXPLO P k (-x)) ≤ (ofInt 1 : K) := by
    rw [← hEE]
    exact ExpField.mul_le_mul_of_nonneg_left _ _ _ hlo (ExpField.le_of_lt _ _ (ExpField.exp_pos _))
  have h2 : (ofInt 1 : K) ≤ dval (EXPHI P k x) * dval (EXPLO P k (-x)) :=
    exphi_aux P (EXPLO P k (-x)).1 (EXPLO P k (-x)).2 hpos
  exact ExpField.le_of_mul_le_mul_right (ExpField.le_trans _ _ _ h1 h2) hdpos

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


/-- The score enclosure: `lo ≤ 2^P * (z * 2^-4s * r) ≤ hi`, written with `ρ = 2^P r`
(Coq `lo_hi_bounds`). -/
theorem score_enclosure (s : Nat) (slo shi z : Int) (ρ U : K)
    (hlo : ofInt slo ≤ ρ) (hhi : ρ ≤ ofInt shi)
    (hU : ofInt (den4 s) * U = ofInt 1) (hden : 0 < den4 s) :
    ofInt (lo_of s slo shi z) ≤ ofInt z * ρ * U ∧ ofInt z * ρ * U ≤ ofInt (hi_of s slo shi z) := by
  by_cases hz : 0 ≤ z
  · have e1 : lo_of s slo shi z = fdiv (z * slo) (den4 s) := if_pos hz
    have e2 : hi_of s slo shi z = cdiv (z * shi) (den4 s) := if_pos hz
    rw [e1, e2]
    have hz0 : (ofInt 0 : K) ≤ ofInt z := ExpField.ofInt_le 0 z hz
    refine ⟨?_, ?_⟩
    · apply ofInt_fdiv_le _ _ hden
      rw [mul_unit_cancel hU, ExpField.ofInt_mul z slo]
      exact ExpField.mul_le_mul_of_nonneg_left _ _ _ hlo hz0
    · apply le_ofInt_cdiv _ _ hden
      rw [mul_unit_cancel hU, ExpField.ofInt_mul z shi]
      exact ExpField.mul_le_mul_of_nonneg_left _ _ _ hhi hz0
  · have e1 : lo_of s slo shi z = fdiv (z * shi) (den4 s) := if_neg hz
    have e2 : hi_of s slo shi z = cdiv (z * slo) (den4 s) := if_neg hz
    rw [e1, e2]
    have hz0 : (ofInt z : K) ≤ ofInt 0 := ExpField.ofInt_le z 0 (by omega)
    refine ⟨?_, ?_⟩
    · apply ofInt_fdiv_le _ _ hden
      rw [mul_unit_cancel hU, ExpField.ofInt_mul z shi]
      exact ExpField.mul_le_mul_of_nonpos_left hhi hz0
    · apply le_ofInt_cdiv _ _ hden
      rw [mul_unit_cancel hU, ExpField.ofInt_mul z slo]
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


/-- WLO enclosure: `EXPLO(lo - C) ≤ exp(s - C/2^P)` when `lo ≤ 2^P s`. -/
theorem wlo_le (P k : Nat) (C lo : Int) (s : K) (h : ofInt lo ≤ pw P * s) :
    (dval (EXPLO P k (lo - C)) : K) ≤ exp (s + ofInt (-C) * inv (pw P)) := by
  have hDk : (ofInt 0 : K) < pw P := pw_pos P
  have h1 := EXPLO_le (K := K) P k (lo - C)
  have h2 : ofInt (lo - C) * inv (pw P) ≤ s + ofInt (-C) * inv (pw P) := by
    rw [ofInt_sub_mul]
    exact ExpField.add_le_add_right _ (div_le_of_le_mul lo hDk h)
  exact ExpField.le_trans _ _ _ h1 (ExpField.exp_le_exp h2)

/-- WHI enclosure: `exp(s - C/2^P) ≤ EXPHI(hi - C)` when `2^P s ≤ hi` and the mantissa of
`EXPLO(C - hi)` is positive. -/
theorem whi_ge (P k : Nat) (C hi : Int) (s : K) (h : pw P * s ≤ ofInt hi)
    (hpos : 0 < (EXPLO P k (-(hi - C))).1) :
    exp (s + ofInt (-C) * inv (pw P)) ≤ (dval (EXPHI P k (hi - C)) : K) := by
  have hDk : (ofInt 0 : K) < pw P := pw_pos P
  have h1 := EXPHI_ge (K := K) P k (hi - C) hpos
  have h2 : s + ofInt (-C) * inv (pw P) ≤ ofInt (hi - C) * inv (pw P) := by
    rw [ofInt_sub_mul]
    exact ExpField.add_le_add_right _ (le_div_of_mul_le hi hDk h)
  exact ExpField.le_trans _ _ _ (ExpField.exp_le_exp h2) h1

end Sound

end Pybridge
