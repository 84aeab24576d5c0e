/-
Dyadic: floating dyadics `(b, e)`, standing for `b * 2^e` (CHECKING.md sections 3-4, revision 2),
with exact addition, comparison, minimum, and the sign-aware product bound `lbD`
(Lean mirror of coq/theories/Dyadic.v).

Coq shifts mantissas with `Z.shiftl`; here the same exact integers are computed as
`m * 2^(ea - e)` (a product with a power of two, `ea ≥ e`).  The value of `(b, e)` in an `ExpField`
is `ofInt b * zpow2 e`, where `zpow2 e = 2^(e⁺) * inv (2^(e⁻))`.

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.Tables

namespace Pybridge

open ExpField (ofInt inv exp)

/-- A floating dyadic `(b, e)`: the number `b * 2^e`. -/
abbrev dyadic : Type := Int × Int

/-- `2^(a+b) = 2^a * 2^b` in `Int`. -/
theorem pow2_add (a : Nat) : ∀ b : Nat, (2 : Int) ^ (a + b) = 2 ^ a * 2 ^ b
  | 0 => by
    have e : (2 : Int) ^ 0 = 1 := by first | rfl | decide
    show (2 : Int) ^ a = 2 ^ a * 2 ^ 0
    rw [e, Int.mul_one]
  | b + 1 => by
    show (2 : Int) ^ (a + b + 1) = 2 ^ a * 2 ^ (b + 1)
    have e1 : (2 : Int) ^ (a + b + 1) = 2 ^ (a + b) * 2 := by
      first | exact Int.pow_succ 2 (a + b) | rfl | omega
    have e2 : (2 : Int) ^ (b + 1) = 2 ^ b * 2 := by
      first | exact Int.pow_succ 2 b | rfl | omega
    rw [e1, e2, pow2_add a b, Int.mul_assoc]

/-- The two cases of `Int.toNat`, stated so that `omega` needs no built-in support for `toNat`. -/
theorem toNat_spec (a : Int) : (0 ≤ a ∧ ((a.toNat : Nat) : Int) = a) ∨ (a < 0 ∧ a.toNat = 0) := by
  cases a with
  | ofNat n => exact Or.inl ⟨Int.ofNat_zero_le n, rfl⟩
  | negSucc n => exact Or.inr ⟨Int.negSucc_lt_zero n, rfl⟩

/-- The mantissa of `x` aligned to the exponent `e ≤ x.2`: `x.1 * 2^(x.2 - e)` (Coq `Z.shiftl`). -/
def dalign (x : dyadic) (e : Int) : Int := x.1 * (2 : Int) ^ (x.2 - e).toNat

/-- Exact sum: align both mantissas to the smaller exponent. -/
def dadd (x y : dyadic) : dyadic :=
  (dalign x (min x.2 y.2) + dalign y (min x.2 y.2), min x.2 y.2)

/-- Exact comparison `x ≤ y`. -/
def dle (x y : dyadic) : Bool := decide (dalign x (min x.2 y.2) ≤ dalign y (min x.2 y.2))

def dmin (x y : dyadic) : dyadic := if dle x y = true then x else y

/-- `dminL a [b, c, ...] = dmin b (dmin c (... a))` (Coq `fold_right dmin a`). -/
def dminL (a : dyadic) : List dyadic → dyadic
  | [] => a
  | b :: r => dmin b (dminL a r)

def dmin_list : List dyadic → dyadic
  | [] => (0, 0)
  | a :: r => dminL a r

/-- `sum_{i<n} f i` (exact). -/
def dsum : Nat → (Nat → dyadic) → dyadic
  | 0, _ => (0, 0)
  | n + 1, f => dadd (dsum n f) (f n)

/-- `x > 0`. -/
def dpos (x : dyadic) : Bool := decide (0 < x.1)

/-- Sign-aware product of an integer and a dyadic enclosure `[l, u]` (CHECKING.md section 4). -/
def lbD (v : Int) (l u : dyadic) : dyadic := if 0 ≤ v then (v * l.1, l.2) else (v * u.1, u.2)

section Val
variable {K : Type} [ExpField K]

/-- `2^n` in `K`. -/
def pw (n : Nat) : K := ofInt ((2 : Int) ^ n)

/-- `2^e` in `K` for an integer exponent: `2^(e⁺) / 2^(e⁻)`. -/
def zpow2 (e : Int) : K := pw e.toNat * inv (pw (-e).toNat)

/-- The value `b * 2^e` of a dyadic. -/
def dval (x : dyadic) : K := ofInt x.1 * zpow2 x.2

theorem pw_def (n : Nat) : (pw n : K) = ofInt ((2 : Int) ^ n) := rfl

theorem pw_pos (n : Nat) : (ofInt 0 : K) < pw n := ExpField.ofInt_lt 0 _ (pow2_pos n)

theorem pw_add (a b : Nat) : (pw (a + b) : K) = pw a * pw b := by
  rw [pw_def, pw_def, pw_def, pow2_add, ExpField.ofInt_mul]

theorem pw_zero : (pw 0 : K) = ofInt 1 := by
  have e : (2 : Int) ^ 0 = 1 := by first | rfl | decide
  rw [pw_def, e]

theorem pw_mul_inv (n : Nat) : (pw n : K) * inv (pw n) = ofInt 1 :=
  ExpField.mul_inv_cancel _ (ExpField.ne_of_pos (pw_pos n))

theorem zpow2_pos (e : Int) : (ofInt 0 : K) < zpow2 e :=
  ExpField.mul_pos (pw_pos _) (ExpField.inv_pos (pw_pos _))

/-- Any representation `e = p - q` gives `2^e = 2^p / 2^q`. -/
theorem zpow2_eq (e : Int) (p q : Nat) (h : e = (p : Int) - (q : Int)) :
    (zpow2 e : K) = pw p * inv (pw q) := by
  unfold zpow2
  apply ExpField.frac_eq (pw_pos _) (pw_pos _)
  rw [← pw_add, ← pw_add]
  have e1 : e.toNat + q = p + (-e).toNat := by
    have := toNat_spec e
    have := toNat_spec (-e)
    omega
  rw [e1]

theorem zpow2_add (a b : Int) : (zpow2 (a + b) : K) = zpow2 a * zpow2 b := by
  have e0 : a + b = ((a.toNat + b.toNat : Nat) : Int) - (((-a).toNat + (-b).toNat : Nat) : Int) := by
    have := toNat_spec a
    have := toNat_spec (-a)
    have := toNat_spec b
    have := toNat_spec (-b)
    omega
  rw [zpow2_eq (a + b) (a.toNat + b.toNat) ((-a).toNat + (-b).toNat) e0]
  unfold zpow2
  rw [pw_add, pw_add,
    ExpField.mul_mul_mul_comm (pw a.toNat) (inv (pw (-a).toNat)) (pw b.toNat) (inv (pw (-b).toNat)),
    ExpField.inv_mul (pw_pos _) (pw_pos _)]

theorem zpow2_nat (n : Nat) : (zpow2 (n : Int) : K) = pw n := by
  rw [zpow2_eq (n : Int) n 0 (by omega), pw_zero, ExpField.inv_one, ExpField.mul_one]

theorem zpow2_add_nat (e : Int) (n : Nat) : (zpow2 (e + (n : Int)) : K) = zpow2 e * pw n := by
  rw [zpow2_add, zpow2_nat]

/-- Aligning a mantissa does not change the value. -/
theorem dval_align (x : dyadic) (e : Int) (h : e ≤ x.2) :
    (ofInt (dalign x e) : K) * zpow2 e = dval x := by
  have e2 : x.2 = e + ((x.2 - e).toNat : Int) := by
    have := toNat_spec (x.2 - e)
    omega
  have e1 : (zpow2 x.2 : K) = zpow2 e * pw (x.2 - e).toNat := by
    rw [← zpow2_add_nat e (x.2 - e).toNat, ← e2]
  unfold dalign dval
  rw [e1, ExpField.ofInt_mul x.1 ((2 : Int) ^ (x.2 - e).toNat), ← pw_def (x.2 - e).toNat,
    ExpField.mul_assoc (ofInt x.1) (pw (x.2 - e).toNat) (zpow2 e),
    ExpField.mul_comm (pw (x.2 - e).toNat) (zpow2 e)]

theorem dval_dadd (x y : dyadic) : (dval (dadd x y) : K) = dval x + dval y := by
  have hx : min x.2 y.2 ≤ x.2 := by omega
  have hy : min x.2 y.2 ≤ y.2 := by omega
  show ofInt (dalign x (min x.2 y.2) + dalign y (min x.2 y.2)) * zpow2 (min x.2 y.2)
    = dval x + dval y
  rw [ExpField.ofInt_add, ExpField.add_mul, dval_align x _ hx, dval_align y _ hy]

theorem dval_dsum : ∀ (n : Nat) (f : Nat → dyadic),
    (dval (dsum n f) : K) = Rsum n (fun i => dval (f i))
  | 0, _ => by
    show (ofInt 0 : K) * zpow2 0 = ofInt 0
    exact ExpField.zero_mul _
  | n + 1, f => by
    show (dval (dadd (dsum n f) (f n)) : K) = Rsum n (fun i => dval (f i)) + dval (f n)
    rw [dval_dadd, dval_dsum n f]

theorem dle_true {x y : dyadic} (h : dle x y = true) : (dval x : K) ≤ dval y := by
  have hx : min x.2 y.2 ≤ x.2 := by omega
  have hy : min x.2 y.2 ≤ y.2 := by omega
  have h' : decide (dalign x (min x.2 y.2) ≤ dalign y (min x.2 y.2)) = true := h
  rw [← dval_align x _ hx, ← dval_align y _ hy]
  exact ExpField.mul_le_mul_of_nonneg_right _ (ExpField.ofInt_le _ _ (of_decide_eq_true h'))
    (ExpField.le_of_lt _ _ (zpow2_pos _))

theorem dle_false {x y : dyadic} (h : dle x y = false) : (dval y : K) < dval x := by
  have hx : min x.2 y.2 ≤ x.2 := by omega
  have hy : min x.2 y.2 ≤ y.2 := by omega
  have h' : decide (dalign x (min x.2 y.2) ≤ dalign y (min x.2 y.2)) = false := h
  have h1 : dalign y (min x.2 y.2) < dalign x (min x.2 y.2) := by
    have := of_decide_eq_false h'
    omega
  rw [← dval_align x _ hx, ← dval_align y _ hy,
    ExpField.mul_comm (ofInt (dalign y (min x.2 y.2))) (zpow2 (min x.2 y.2)),
    ExpField.mul_comm (ofInt (dalign x (min x.2 y.2))) (zpow2 (min x.2 y.2))]
  exact ExpField.mul_lt_mul_of_pos_left _ _ _ (ExpField.ofInt_lt _ _ h1) (zpow2_pos _)

theorem dmin_le_l (x y : dyadic) : (dval (dmin x y) : K) ≤ dval x := by
  unfold dmin
  by_cases h : dle x y = true
  · rw [if_pos h]
    exact ExpField.le_refl _
  · rw [if_neg h]
    exact ExpField.le_of_lt _ _ (dle_false (bool_false h))

theorem dmin_le_r (x y : dyadic) : (dval (dmin x y) : K) ≤ dval y := by
  unfold dmin
  by_cases h : dle x y = true
  · rw [if_pos h]
    exact dle_true h
  · rw [if_neg h]
    exact ExpField.le_refl _

theorem dminL_le (a : dyadic) : ∀ (r : List dyadic) (y : dyadic), (y = a ∨ y ∈ r) →
    (dval (dminL a r) : K) ≤ dval y
  | [], y, h => by
    show (dval a : K) ≤ dval y
    cases h with
    | inl e =>
      rw [e]
      exact ExpField.le_refl _
    | inr h' => exact nomatch h'
  | b :: r, y, h => by
    show (dval (dmin b (dminL a r)) : K) ≤ dval y
    cases h with
    | inl e => exact ExpField.le_trans _ _ _ (dmin_le_r b _) (dminL_le a r y (Or.inl e))
    | inr h' =>
      cases List.mem_cons.mp h' with
      | inl e =>
        rw [e]
        exact dmin_le_l b _
      | inr h'' => exact ExpField.le_trans _ _ _ (dmin_le_r b _) (dminL_le a r y (Or.inr h''))

theorem dmin_list_le : ∀ (l : List dyadic) (y : dyadic), y ∈ l → (dval (dmin_list l) : K) ≤ dval y
  | [], _, h => nomatch h
  | a :: r, y, h => dminL_le a r y (List.mem_cons.mp h)

theorem dpos_spec {x : dyadic} (h : dpos x = true) : (ofInt 0 : K) < dval x :=
  ExpField.mul_pos (ExpField.ofInt_lt 0 _ (of_decide_eq_true h)) (zpow2_pos _)

theorem dval_nonneg (x : dyadic) (h : 0 ≤ x.1) : (ofInt 0 : K) ≤ dval x :=
  ExpField.mul_nonneg (ExpField.ofInt_le 0 _ h) (ExpField.le_of_lt _ _ (zpow2_pos _))

/-- If `l ≤ w ≤ u` then `lb(v, l, u) ≤ v * w`. -/
theorem lbD_le (v : Int) (l u : dyadic) (w : K) (h1 : dval l ≤ w) (h2 : w ≤ dval u) :
    dval (lbD v l u) ≤ ofInt v * w := by
  by_cases hv : 0 ≤ v
  · have e : lbD v l u = (v * l.1, l.2) := if_pos hv
    rw [e]
    show ofInt (v * l.1) * zpow2 l.2 ≤ ofInt v * w
    rw [ExpField.ofInt_mul, ExpField.mul_assoc]
    exact ExpField.mul_le_mul_of_nonneg_left _ _ _ h1 (ExpField.ofInt_le 0 v hv)
  · have e : lbD v l u = (v * u.1, u.2) := if_neg hv
    rw [e]
    show ofInt (v * u.1) * zpow2 u.2 ≤ ofInt v * w
    rw [ExpField.ofInt_mul, ExpField.mul_assoc]
    exact ExpField.mul_le_mul_of_nonpos_left h2 (ExpField.ofInt_le v 0 (by omega))

end Val

end Pybridge
