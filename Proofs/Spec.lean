/-
Spec: what a pybridge certificate for a Max-of-k model claims (Lean mirror of coq/theories/Spec.v).

This file is the whole statement a reviewer has to read (see docs/CHECKING.md, section 1).
It mentions no checker.  A model is given by integer matrices `Z_M` and an exponent `s`; the real
matrix is `Z_M / 2^s`.  Vectors are lists, matrices are lists of rows.

Core Lean has no real numbers.  The semantics is therefore stated over any type `K` carrying the
structure `ExpField` below: the operations and order of a linearly ordered field, presented by the
standard lemmas the proofs use, an embedding `ofInt` of the integers, an inverse `inv`, and an
exponential `exp` of which only two facts are assumed:
`x + 1 ≤ exp x` and `exp (x + y) = exp x * exp y`.
Every field of `ExpField` is a standard lemma about `ℝ` in Mathlib (with `ofInt := Int.cast`,
`inv := (·⁻¹)`, `exp := Real.exp`), so a Mathlib user instantiates the theorems at `ℝ` (see
Proofs/README.md).  The division by `sqrt h` in the score is written as a product with a scale `r`;
the theorems hold for every `r` with `0 < r ∧ r * r * h = 1`, i.e. for `r = 1 / sqrt h`.

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/

/-- A linearly ordered field with an exponential, given by the facts the proofs use. -/
class ExpField (K : Type) extends Add K, Mul K, Neg K, LE K, LT K where
  /-- The embedding of the integers (`Int.cast` for `ℝ`); `ofInt 0` and `ofInt 1` are 0 and 1. -/
  ofInt : Int → K
  /-- Multiplicative inverse (its value at 0 is irrelevant). -/
  inv : K → K
  /-- The exponential. -/
  exp : K → K
  add_assoc : ∀ a b c : K, a + b + c = a + (b + c)
  add_comm : ∀ a b : K, a + b = b + a
  zero_add : ∀ a : K, ofInt 0 + a = a
  add_neg_cancel : ∀ a : K, a + -a = ofInt 0
  mul_assoc : ∀ a b c : K, a * b * c = a * (b * c)
  mul_comm : ∀ a b : K, a * b = b * a
  one_mul : ∀ a : K, ofInt 1 * a = a
  zero_mul : ∀ a : K, ofInt 0 * a = ofInt 0
  mul_add : ∀ a b c : K, a * (b + c) = a * b + a * c
  mul_inv_cancel : ∀ a : K, a ≠ ofInt 0 → a * inv a = ofInt 1
  ofInt_add : ∀ a b : Int, ofInt (a + b) = ofInt a + ofInt b
  ofInt_mul : ∀ a b : Int, ofInt (a * b) = ofInt a * ofInt b
  ofInt_le : ∀ a b : Int, a ≤ b → ofInt a ≤ ofInt b
  ofInt_lt : ∀ a b : Int, a < b → ofInt a < ofInt b
  le_refl : ∀ a : K, a ≤ a
  le_trans : ∀ a b c : K, a ≤ b → b ≤ c → a ≤ c
  lt_irrefl : ∀ a : K, ¬ a < a
  le_of_lt : ∀ a b : K, a < b → a ≤ b
  lt_of_lt_of_le : ∀ a b c : K, a < b → b ≤ c → a < c
  lt_of_le_of_lt : ∀ a b c : K, a ≤ b → b < c → a < c
  lt_of_not_le : ∀ a b : K, ¬ a ≤ b → b < a
  add_le_add_left : ∀ a b c : K, a ≤ b → c + a ≤ c + b
  add_lt_add_left : ∀ a b c : K, a < b → c + a < c + b
  mul_le_mul_of_nonneg_left : ∀ a b c : K, a ≤ b → ofInt 0 ≤ c → c * a ≤ c * b
  mul_lt_mul_of_pos_left : ∀ a b c : K, a < b → ofInt 0 < c → c * a < c * b
  /-- `1 + x ≤ exp x` (Mathlib: `Real.add_one_le_exp`). -/
  add_one_le_exp : ∀ x : K, x + ofInt 1 ≤ exp x
  /-- `exp (x + y) = exp x * exp y` (Mathlib: `Real.exp_add`). -/
  exp_add : ∀ x y : K, exp (x + y) = exp x * exp y

namespace Pybridge

open ExpField (ofInt inv exp)

/-- `nth i l d`: the `i`-th element of `l`, or `d` past the end (Coq's `nth`).
Structural recursion on the list `l` (requested explicitly: left to itself Lean tries the
parameters in order and would recurse on `i`), so that `nth j [] d` reduces to `d` for every `j`,
in the kernel too.  See docs/LEAN.md, finding 5. -/
def nth {α : Type} (i : Nat) (l : List α) (d : α) : α :=
  match l, i with
  | [], _ => d
  | a :: _, 0 => a
  | _ :: l', i' + 1 => nth i' l' d
termination_by structural l

/-- `seq s len = [s, s+1, ..., s+len-1]` (Coq's `seq`). -/
def seq : Nat → Nat → List Nat
  | _, 0 => []
  | s, len + 1 => s :: seq (s + 1) len

section Vectors
variable {K : Type} [ExpField K]

/-- Finite sum `Rsum n f = f 0 + ... + f (n-1)`. -/
def Rsum : Nat → (Nat → K) → K
  | 0, _ => ofInt 0
  | n + 1, f => Rsum n f + f n

/-- Dot product (extra entries of the longer vector are ignored). -/
def dot : List K → List K → K
  | a :: u, b :: v => a * b + dot u v
  | _, _ => ofInt 0

/-- Vector sum (truncated to the shorter vector). -/
def vadd : List K → List K → List K
  | a :: u, b :: v => (a + b) :: vadd u v
  | _, _ => []

/-- Column `j` of a matrix given as a list of rows. -/
def col (A : List (List K)) (j : Nat) : List K := A.map (fun row => nth j row (ofInt 0))

/-- Row vector times a matrix with `c` columns. -/
def vecmat (u : List K) (A : List (List K)) (c : Nat) : List K :=
  (seq 0 c).map (fun j => dot u (col A j))

end Vectors

/-- One layer, one head, attention only, zero biases.  Vocabulary `V`, context `n`, model width
`d`, head width `h`.  `Pos` is the positional embedding.  Real weights are `Z / 2^s`. -/
structure Model where
  V : Nat
  n : Nat
  d : Nat
  h : Nat
  s : Nat
  E : List (List Int)
  Pos : List (List Int)
  WQ : List (List Int)
  WK : List (List Int)
  WV : List (List Int)
  WO : List (List Int)
  WU : List (List Int)

section Semantics
variable {K : Type} [ExpField K]

/-- `1 / 2^s`. -/
def scale (M : Model) : K := inv (ofInt ((2 : Int) ^ M.s))

/-- The real matrix denoted by an integer matrix: entries `z / 2^s`. -/
def real_mat (M : Model) (A : List (List Int)) : List (List K) :=
  A.map (List.map (fun z => ofInt z * scale M))

/-- Residual stream at position `i` of input `t`: `x_i = E[t_i] + P[i]`. -/
def x (M : Model) (t : List Nat) (i : Nat) : List K :=
  vadd (nth (nth i t 0) (real_mat M M.E) []) (nth i (real_mat M M.Pos) [])

/-- The query is the last position. -/
def xq (M : Model) (t : List Nat) : List K := x M t (M.n - 1)

/-- Attention score `(x_q WQ).(x_i WK) / sqrt h`, the division written as the product with `r`. -/
def score (M : Model) (t : List Nat) (r : K) (i : Nat) : K :=
  dot (vecmat (xq M t) (real_mat M M.WQ) M.h) (vecmat (x M t i) (real_mat M M.WK) M.h) * r

/-- Softmax with the exponential. -/
def attn (M : Model) (t : List Nat) (r : K) (i : Nat) : K :=
  exp (score M t r i) * inv (Rsum M.n (fun k => exp (score M t r k)))

/-- `logit = x_q WU + sum_i attn_i (x_i WV WO WU)`, component `j`. -/
def logit (M : Model) (t : List Nat) (r : K) (j : Nat) : K :=
  nth j (vecmat (xq M t) (real_mat M M.WU) M.V) (ofInt 0)
  + Rsum M.n (fun i => attn M t r i *
      nth j (vecmat (vecmat (vecmat (x M t i) (real_mat M M.WV) M.h) (real_mat M M.WO) M.d)
                    (real_mat M M.WU) M.V) (ofInt 0))

end Semantics

/-- Maximum of a list of naturals (0 for the empty list), Coq's `list_max`. -/
def list_max : List Nat → Nat
  | [] => 0
  | a :: l => max a (list_max l)

/-- Valid inputs: `n` tokens, each below `V`. -/
def valid (M : Model) (t : List Nat) : Prop :=
  t.length = M.n ∧ ∀ a, a ∈ t → a < M.V

/-- The model is correct on `t` iff the logit of `max t` beats every other logit (ties fail). -/
def correct {K : Type} [ExpField K] (M : Model) (r : K) (t : List Nat) : Prop :=
  ∀ j, j < M.V → j ≠ list_max t → logit M t r j < logit M t r (list_max t)

/-- `r = 1 / sqrt h`: the unique `r` with `0 < r` and `r * r * h = 1`. -/
def IsInvSqrt {K : Type} [ExpField K] (h : Nat) (r : K) : Prop :=
  ofInt 0 < r ∧ r * r * ofInt (h : Int) = ofInt 1

/-- The claim of a certificate: at least `N` distinct valid inputs are classified correctly
(the semantics over `K`, with `r = 1 / sqrt h`). -/
def AccuracyAtLeast (K : Type) [ExpField K] (r : K) (M : Model) (N : Nat) : Prop :=
  ∃ l : List (List Nat), l.Nodup ∧ (∀ t, t ∈ l → valid M t ∧ correct M r t) ∧ N ≤ l.length

end Pybridge
