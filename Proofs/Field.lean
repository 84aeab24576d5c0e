/-
Field: consequences of the `ExpField` axioms (what Coq's `ring`/`lra` provide on the Coq side).
Every lemma is proven from the fields of `ExpField` by explicit rewriting; each algebraic identity
is stated for variables so that the rewrites are unambiguous.

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.Spec

namespace ExpField

variable {K : Type} [ExpField K]

/-! ### Ring identities -/

theorem add_zero (a : K) : a + ofInt 0 = a := by
  rw [ExpField.add_comm a (ofInt 0)]
  exact ExpField.zero_add a

theorem mul_one (a : K) : a * ofInt 1 = a := by
  rw [ExpField.mul_comm a (ofInt 1)]
  exact ExpField.one_mul a

theorem mul_zero (a : K) : a * ofInt 0 = ofInt 0 := by
  rw [ExpField.mul_comm a (ofInt 0)]
  exact ExpField.zero_mul a

theorem add_mul (a b c : K) : (a + b) * c = a * c + b * c := by
  rw [ExpField.mul_comm (a + b) c, ExpField.mul_add c a b, ExpField.mul_comm c a,
    ExpField.mul_comm c b]

theorem mul_mul_mul_comm (a b c d : K) : a * b * (c * d) = a * c * (b * d) := by
  rw [ExpField.mul_assoc a b (c * d), ← ExpField.mul_assoc b c d, ExpField.mul_comm b c,
    ExpField.mul_assoc c b d, ← ExpField.mul_assoc a c (b * d)]

theorem add_add_add_comm (a b c d : K) : a + b + (c + d) = a + c + (b + d) := by
  rw [ExpField.add_assoc a b (c + d), ← ExpField.add_assoc b c d, ExpField.add_comm b c,
    ExpField.add_assoc c b d, ← ExpField.add_assoc a c (b + d)]

theorem mul_left_comm (a b c : K) : a * (b * c) = b * (a * c) := by
  rw [← ExpField.mul_assoc a b c, ExpField.mul_comm a b, ExpField.mul_assoc b a c]

/-- `(z + z) * p = z * (p * 2)`. -/
theorem add_self_mul (z p : K) : (z + z) * p = z * (p * ofInt 2) := by
  have h2 : (ofInt 2 : K) = ofInt 1 + ofInt 1 := by
    have e : (2 : Int) = 1 + 1 := by decide
    rw [e, ExpField.ofInt_add 1 1]
  rw [h2, ExpField.mul_add p (ofInt 1) (ofInt 1), ExpField.mul_one p,
    ExpField.mul_add z p p, ExpField.add_mul z z p]

/-! ### Order -/

theorem add_le_add_right {a b : K} (c : K) (h : a ≤ b) : a + c ≤ b + c := by
  rw [ExpField.add_comm a c, ExpField.add_comm b c]
  exact ExpField.add_le_add_left a b c h

theorem add_le_add {a b c d : K} (h1 : a ≤ b) (h2 : c ≤ d) : a + c ≤ b + d :=
  ExpField.le_trans _ _ _ (ExpField.add_le_add_right c h1) (ExpField.add_le_add_left c d b h2)

theorem le_of_add_le_add_right {a b c : K} (h : a + c ≤ b + c) : a ≤ b := by
  have h2 := ExpField.add_le_add_right (-c) h
  rw [ExpField.add_assoc a c (-c), ExpField.add_assoc b c (-c), ExpField.add_neg_cancel c,
    ExpField.add_zero a, ExpField.add_zero b] at h2
  exact h2

theorem lt_add_of_pos_right (a : K) {p : K} (hp : ofInt 0 < p) : a < a + p := by
  have h := ExpField.add_lt_add_left (ofInt 0) p a hp
  rw [ExpField.add_zero a] at h
  exact h

theorem zero_lt_one : (ofInt 0 : K) < ofInt 1 :=
  ExpField.ofInt_lt 0 1 (by decide)

theorem ne_of_pos {a : K} (h : ofInt 0 < a) : a ≠ ofInt 0 := by
  intro e
  rw [e] at h
  exact ExpField.lt_irrefl _ h

theorem mul_le_mul_of_nonneg_right {a b : K} (c : K) (h : a ≤ b) (hc : ofInt 0 ≤ c) :
    a * c ≤ b * c := by
  rw [ExpField.mul_comm a c, ExpField.mul_comm b c]
  exact ExpField.mul_le_mul_of_nonneg_left a b c h hc

theorem mul_nonneg {a b : K} (ha : ofInt 0 ≤ a) (hb : ofInt 0 ≤ b) : ofInt 0 ≤ a * b := by
  have h := ExpField.mul_le_mul_of_nonneg_left (ofInt 0) b a hb ha
  rw [ExpField.mul_zero a] at h
  exact h

theorem mul_pos {a b : K} (ha : ofInt 0 < a) (hb : ofInt 0 < b) : ofInt 0 < a * b := by
  have h := ExpField.mul_lt_mul_of_pos_left (ofInt 0) b a hb ha
  rw [ExpField.mul_zero a] at h
  exact h

/-- `0 ≤ a ≤ c` and `b ≤ d`, `0 ≤ d` give `a * b ≤ c * d`. -/
theorem mul_le_mul' {a b c d : K} (h1 : a ≤ c) (h2 : b ≤ d) (ha : ofInt 0 ≤ a)
    (hd : ofInt 0 ≤ d) : a * b ≤ c * d :=
  ExpField.le_trans _ _ _ (ExpField.mul_le_mul_of_nonneg_left b d a h2 ha)
    (ExpField.mul_le_mul_of_nonneg_right d h1 hd)

theorem inv_pos {c : K} (hc : ofInt 0 < c) : ofInt 0 < inv c := by
  apply ExpField.lt_of_not_le
  intro hle
  have h1 := ExpField.mul_le_mul_of_nonneg_left (inv c) (ofInt 0) c hle (ExpField.le_of_lt _ _ hc)
  rw [ExpField.mul_inv_cancel c (ExpField.ne_of_pos hc), ExpField.mul_zero c] at h1
  exact ExpField.lt_irrefl _ (ExpField.lt_of_lt_of_le _ _ _ ExpField.zero_lt_one h1)

theorem pos_of_mul_pos_left {c y : K} (hc : ofInt 0 < c) (h : ofInt 0 < c * y) :
    ofInt 0 < y := by
  apply ExpField.lt_of_not_le
  intro hle
  have h1 := ExpField.mul_le_mul_of_nonneg_left y (ofInt 0) c hle (ExpField.le_of_lt _ _ hc)
  rw [ExpField.mul_zero c] at h1
  exact ExpField.lt_irrefl _ (ExpField.lt_of_lt_of_le _ _ _ h h1)

theorem le_of_mul_le_mul_left {a b c : K} (h : c * a ≤ c * b) (hc : ofInt 0 < c) : a ≤ b := by
  have hi := ExpField.le_of_lt _ _ (ExpField.inv_pos hc)
  have h2 := ExpField.mul_le_mul_of_nonneg_left (c * a) (c * b) (inv c) h hi
  rw [← ExpField.mul_assoc (inv c) c a, ← ExpField.mul_assoc (inv c) c b,
    ExpField.mul_comm (inv c) c, ExpField.mul_inv_cancel c (ExpField.ne_of_pos hc),
    ExpField.one_mul a, ExpField.one_mul b] at h2
  exact h2

theorem le_of_mul_le_mul_right {a b c : K} (h : a * c ≤ b * c) (hc : ofInt 0 < c) : a ≤ b := by
  rw [ExpField.mul_comm a c, ExpField.mul_comm b c] at h
  exact ExpField.le_of_mul_le_mul_left h hc

/-- Multiplying by a non-positive number reverses the order. -/
theorem mul_le_mul_of_nonpos_left {a b c : K} (h : b ≤ a) (hc : c ≤ ofInt 0) :
    c * a ≤ c * b := by
  have hnc : ofInt 0 ≤ -c := by
    have h1 := ExpField.add_le_add_right (-c) hc
    rw [ExpField.add_neg_cancel c, ExpField.zero_add (-c)] at h1
    exact h1
  have h2 := ExpField.mul_le_mul_of_nonneg_left b a (-c) h hnc
  have ea : c * a + (-c) * a = ofInt 0 := by
    rw [← ExpField.add_mul c (-c) a, ExpField.add_neg_cancel c, ExpField.zero_mul a]
  have eb : c * b + (-c) * b = ofInt 0 := by
    rw [← ExpField.add_mul c (-c) b, ExpField.add_neg_cancel c, ExpField.zero_mul b]
  have h3 : c * a + (-c) * b ≤ c * b + (-c) * b := by
    have h4 := ExpField.add_le_add_left ((-c) * b) ((-c) * a) (c * a) h2
    rw [ea, ← eb] at h4
    exact h4
  exact ExpField.le_of_add_le_add_right h3

/-- A square root is monotone: `a * a ≤ b * b` and `0 ≤ b` give `a ≤ b`. -/
theorem le_of_mul_self_le_mul_self {a b : K} (hb : ofInt 0 ≤ b) (h : a * a ≤ b * b) : a ≤ b := by
  apply Classical.byContradiction
  intro hn
  have hba : b < a := ExpField.lt_of_not_le a b hn
  have ha : ofInt 0 < a := ExpField.lt_of_le_of_lt _ _ _ hb hba
  have h1 : b * b ≤ b * a :=
    ExpField.mul_le_mul_of_nonneg_left b a b (ExpField.le_of_lt _ _ hba) hb
  have h2 : a * b < a * a := ExpField.mul_lt_mul_of_pos_left b a a hba ha
  rw [ExpField.mul_comm a b] at h2
  exact ExpField.lt_irrefl _
    (ExpField.lt_of_le_of_lt _ _ _ (ExpField.le_trans _ _ _ h h1) h2)

/-! ### The exponential (only `x + 1 ≤ exp x` and `exp (x + y) = exp x * exp y` are used) -/

theorem one_le_exp_of_nonneg {y : K} (hy : ofInt 0 ≤ y) : ofInt 1 ≤ exp y := by
  have h1 := ExpField.add_le_add_right (ofInt 1) hy
  rw [ExpField.zero_add (ofInt 1)] at h1
  exact ExpField.le_trans _ _ _ h1 (ExpField.add_one_le_exp y)

theorem neg_pos_of_neg {y : K} (hy : y < ofInt 0) : ofInt 0 < -y := by
  have h1 := ExpField.add_lt_add_left y (ofInt 0) (-y) hy
  rw [ExpField.add_comm (-y) y, ExpField.add_neg_cancel y, ExpField.add_zero (-y)] at h1
  exact h1

theorem eq_one_of_mul_self {e : K} (hpos : ofInt 0 < e) (h : e = e * e) : e = ofInt 1 := by
  have hne := ExpField.ne_of_pos hpos
  have h2 : e * inv e = e * e * inv e := by rw [← h]
  rw [ExpField.mul_assoc e e (inv e), ExpField.mul_inv_cancel e hne, ExpField.mul_one e] at h2
  exact h2.symm

theorem exp_zero : exp (ofInt 0 : K) = ofInt 1 := by
  have h1 : ofInt 1 ≤ exp (ofInt 0 : K) := ExpField.one_le_exp_of_nonneg (ExpField.le_refl _)
  have hpos : (ofInt 0 : K) < exp (ofInt 0) :=
    ExpField.lt_of_lt_of_le _ _ _ ExpField.zero_lt_one h1
  have h2 : exp (ofInt 0 : K) = exp (ofInt 0) * exp (ofInt 0) := by
    have h3 := ExpField.exp_add (ofInt 0 : K) (ofInt 0)
    rw [ExpField.zero_add (ofInt 0 : K)] at h3
    exact h3
  exact ExpField.eq_one_of_mul_self hpos h2

theorem exp_mul_exp_neg (y : K) : exp y * exp (-y) = ofInt 1 := by
  rw [← ExpField.exp_add y (-y), ExpField.add_neg_cancel y, ExpField.exp_zero]

theorem exp_pos (y : K) : ofInt 0 < exp y := by
  cases Classical.em (ofInt 0 ≤ y) with
  | inl hy =>
    exact ExpField.lt_of_lt_of_le _ _ _ ExpField.zero_lt_one (ExpField.one_le_exp_of_nonneg hy)
  | inr hy =>
    have hny : ofInt 0 < -y := ExpField.neg_pos_of_neg (ExpField.lt_of_not_le _ _ hy)
    have he : ofInt 0 < exp (-y) :=
      ExpField.lt_of_lt_of_le _ _ _ ExpField.zero_lt_one
        (ExpField.one_le_exp_of_nonneg (ExpField.le_of_lt _ _ hny))
    have h1 : ofInt 0 < exp (-y) * exp y := by
      rw [ExpField.mul_comm (exp (-y)) (exp y), ExpField.exp_mul_exp_neg y]
      exact ExpField.zero_lt_one
    exact ExpField.pos_of_mul_pos_left he h1

theorem exp_le_exp {a b : K} (h : a ≤ b) : exp a ≤ exp b := by
  have hd : ofInt 0 ≤ b + -a := by
    have h1 := ExpField.add_le_add_right (-a) h
    rw [ExpField.add_neg_cancel a] at h1
    exact h1
  have e1 : a + (b + -a) = b := by
    rw [ExpField.add_comm b (-a), ← ExpField.add_assoc a (-a) b, ExpField.add_neg_cancel a,
      ExpField.zero_add b]
  have h2 : exp a * ofInt 1 ≤ exp a * exp (b + -a) :=
    ExpField.mul_le_mul_of_nonneg_left _ _ _ (ExpField.one_le_exp_of_nonneg hd)
      (ExpField.le_of_lt _ _ (ExpField.exp_pos a))
  rw [ExpField.mul_one (exp a), ← ExpField.exp_add a (b + -a), e1] at h2
  exact h2

/-! ### Fractions (used for powers of two with integer exponents, `Dyadic.lean`) -/

/-- `b * d * (inv b * inv d) = 1` for positive `b`, `d`. -/
theorem mul_inv_mul_inv {b d : K} (hb : ofInt 0 < b) (hd : ofInt 0 < d) :
    b * d * (inv b * inv d) = ofInt 1 := by
  rw [ExpField.mul_mul_mul_comm b d (inv b) (inv d), ExpField.mul_inv_cancel b (ExpField.ne_of_pos hb),
    ExpField.mul_inv_cancel d (ExpField.ne_of_pos hd), ExpField.one_mul]

/-- `inv b * inv d = inv (b * d)` for positive `b`, `d`. -/
theorem inv_mul {b d : K} (hb : ofInt 0 < b) (hd : ofInt 0 < d) : inv b * inv d = inv (b * d) := by
  have hbd : ofInt 0 < b * d := ExpField.mul_pos hb hd
  have h2 : inv (b * d) = inv (b * d) * (b * d * (inv b * inv d)) := by
    rw [ExpField.mul_inv_mul_inv hb hd, ExpField.mul_one]
  rw [h2, ← ExpField.mul_assoc (inv (b * d)) (b * d) (inv b * inv d),
    ExpField.mul_comm (inv (b * d)) (b * d), ExpField.mul_inv_cancel (b * d) (ExpField.ne_of_pos hbd),
    ExpField.one_mul]

/-- `a * d = c * b` with `b, d > 0` gives `a * inv b = c * inv d`. -/
theorem frac_eq {a b c d : K} (hb : ofInt 0 < b) (hd : ofInt 0 < d) (h : a * d = c * b) :
    a * inv b = c * inv d := by
  have e1 : a * inv b = a * d * (inv b * inv d) := by
    rw [ExpField.mul_mul_mul_comm a d (inv b) (inv d), ExpField.mul_inv_cancel d (ExpField.ne_of_pos hd),
      ExpField.mul_one]
  rw [e1, h, ExpField.mul_assoc c b (inv b * inv d), ← ExpField.mul_assoc b (inv b) (inv d),
    ExpField.mul_inv_cancel b (ExpField.ne_of_pos hb), ExpField.one_mul]

theorem inv_one : inv (ofInt 1 : K) = ofInt 1 := by
  have h := ExpField.mul_inv_cancel (ofInt 1 : K) (ExpField.ne_of_pos ExpField.zero_lt_one)
  rw [ExpField.one_mul] at h
  exact h

end ExpField
