/-
The brute-force checker of bilinear modular-addition certificates and its soundness (Lean mirror of
`check_bf` / `check_bf_sound` in coq/theories/Bilinear/Check.v, over the integer reading of
Proofs/Bilinear/Spec.lean), and of the `similarity`, `equivalent` and `distance` claims (one layer).
A certificate discharges `check m P N = true` (or `checkSim`, `checkEq`, `checkDist` `A B p q = true`) by `decide +kernel`
(pybridge/export/templates/lean_bilinear.lean.j2, `pybridge export --lean`).

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.Bilinear.Spec

namespace Pybridge.Bilinear

def check (m : Model) (P N : Nat) : Bool := Nat.ble N (countCorrect m P)

theorem check_sound (m : Model) (P N : Nat) (h : check m P N = true) : accuracyAtLeast m P N :=
  Nat.le_of_ble_eq_true h

/-- The `similarity` checker: the claim itself, decided (the tensors are materialised; the Coq checker
uses the Gram identity instead). -/
def checkSim (A B : Model) (p q : Int) : Bool :=
  decide (A.dIn = B.dIn ∧ A.nOut = B.nOut ∧ 0 < q ∧ 0 ≤ p ∧ 0 ≤ tinnerZ A B ∧
    p * p * (tinnerZ A A * tinnerZ B B) ≤ q * q * (tinnerZ A B * tinnerZ A B))

theorem checkSim_sound (A B : Model) (p q : Int) (h : checkSim A B p q = true) : similarAtLeast A B p q := by
  unfold similarAtLeast
  exact of_decide_eq_true h

/-! ## `equivalent` and `distance` (one layer)

Both checkers materialise the integer tensors and test the claim entry by entry / output by output (the
Python and Coq checkers use the Gram identity instead); their soundness theorems say what the Boolean
loops establish. What the statements give and do not give: Proofs/Bilinear/Spec.lean (header) and
docs/LEAN.md. -/

/-- A Boolean `allB` over `seqN s n` holds at every `k` with `s <= k < s + n`. -/
theorem allB_seqN (p : Nat → Bool) : ∀ (n s : Nat), allB p (seqN s n) = true →
    ∀ k, s ≤ k → k < s + n → p k = true
  | 0, _, _, _, hs, hk => absurd hk (by omega)
  | n + 1, s, h, k, hs, hk => by
    have h2 : (p s && allB p (seqN (s + 1) n)) = true := h
    rw [Bool.and_eq_true] at h2
    by_cases hks : k = s
    · rw [hks]
      exact h2.1
    · exact allB_seqN p n (s + 1) h2.2 k (by omega) (by omega)

/-- `c * sum_k f k = sum_k c * f k`. -/
theorem sumTo_mul (c : Int) (f : Nat → Int) : ∀ n, c * sumTo f n = sumTo (fun k => c * f k) n
  | 0 => Int.mul_zero c
  | n + 1 => by
    show c * (sumTo f n + f n) = sumTo (fun k => c * f k) n + c * f n
    rw [Int.mul_add, sumTo_mul c f n]

/-- Sums of functions that agree below `n` agree. -/
theorem sumTo_congr (f g : Nat → Int) : ∀ n, (∀ k, k < n → f k = g k) → sumTo f n = sumTo g n
  | 0, _ => rfl
  | n + 1, h => by
    show sumTo f n + f n = sumTo g n + g n
    rw [sumTo_congr f g n (fun k hk => h k (by omega)), h n (by omega)]

theorem scale_term (c d u v a : Int) (h : c * u = d * v) : c * (u * a) = d * (v * a) := by
  rw [← Int.mul_assoc c u a, h, Int.mul_assoc d v a]

def eqShape (A B : Model) (p q : Int) : Bool := decide (A.dIn = B.dIn ∧ A.nOut = B.nOut ∧ 0 < p ∧ 0 < q)

def eqEntry (A B : Model) (p q : Int) (o i j : Nat) : Bool :=
  decide (q * 2 ^ expo A * symZ B o i j = p * 2 ^ expo B * symZ A o i j)

def eqRow (A B : Model) (p q : Int) (o i : Nat) : Bool := allB (fun j => eqEntry A B p q o i j) (seqN 0 A.dIn)

def eqOut (A B : Model) (p q : Int) (o : Nat) : Bool := allB (fun i => eqRow A B p q o i) (seqN 0 A.dIn)

/-- The `equivalent` checker: shapes, signs, and `q 2^(e_A) S_B = p 2^(e_B) S_A` at every entry. -/
def checkEq (A B : Model) (p q : Int) : Bool :=
  eqShape A B p q && allB (fun o => eqOut A B p q o) (seqN 0 A.nOut)

theorem checkEq_sound (A B : Model) (p q : Int) (h : checkEq A B p q = true) : equivalentTo A B p q := by
  have h2 : (eqShape A B p q && allB (fun o => eqOut A B p q o) (seqN 0 A.nOut)) = true := h
  rw [Bool.and_eq_true] at h2
  have hs : A.dIn = B.dIn ∧ A.nOut = B.nOut ∧ 0 < p ∧ 0 < q := of_decide_eq_true h2.1
  unfold equivalentTo
  refine ⟨hs.1, hs.2.1, hs.2.2.1, hs.2.2.2, ?_⟩
  intro o ho i hi j hj
  have h3 : eqOut A B p q o = true :=
    allB_seqN (fun o => eqOut A B p q o) A.nOut 0 h2.2 o (Nat.zero_le o) (by omega)
  have h4 : eqRow A B p q o i = true :=
    allB_seqN (fun i => eqRow A B p q o i) A.dIn 0 h3 i (Nat.zero_le i) (by omega)
  have h5 : eqEntry A B p q o i j = true :=
    allB_seqN (fun j => eqEntry A B p q o i j) A.dIn 0 h4 j (Nat.zero_le j) (by omega)
  exact of_decide_eq_true h5

/-- What `equivalent` gives for the function: with `lambda = p/q`, the quadratic forms of the two integer
tensors satisfy `q 2^(e_A) formZ B x o = p 2^(e_B) formZ A x o` at every integer input `x` and output `o`,
i.e. `f_B(x)_o = lambda f_A(x)_o` once `formZ m x o = 2^(e+1) f_m(x)_o` (Coq: `eval_quadratic`, `Bs_int`). -/
theorem equivalent_form (A B : Model) (p q : Int) (h : equivalentTo A B p q) (x : Nat → Int) (o : Nat)
    (ho : o < A.nOut) : q * 2 ^ expo A * formZ B x o = p * 2 ^ expo B * formZ A x o := by
  unfold equivalentTo at h
  have hd : B.dIn = A.dIn := h.1.symm
  have hB : formZ B x o = sumTo (fun i => sumTo (fun j => symZ B o i j * (x i * x j)) A.dIn) A.dIn := by
    show sumTo (fun i => sumTo (fun j => symZ B o i j * (x i * x j)) B.dIn) B.dIn = _
    rw [hd]
  have hA : formZ A x o = sumTo (fun i => sumTo (fun j => symZ A o i j * (x i * x j)) A.dIn) A.dIn := rfl
  rw [hB, hA, sumTo_mul (q * (2 : Int) ^ expo A), sumTo_mul (p * (2 : Int) ^ expo B)]
  apply sumTo_congr
  intro i hi
  show q * 2 ^ expo A * sumTo (fun j => symZ B o i j * (x i * x j)) A.dIn
    = p * 2 ^ expo B * sumTo (fun j => symZ A o i j * (x i * x j)) A.dIn
  rw [sumTo_mul (q * (2 : Int) ^ expo A), sumTo_mul (p * (2 : Int) ^ expo B)]
  apply sumTo_congr
  intro j hj
  show q * 2 ^ expo A * (symZ B o i j * (x i * x j)) = p * 2 ^ expo B * (symZ A o i j * (x i * x j))
  exact scale_term _ _ _ _ _ (h.2.2.2.2 o ho i hi j hj)

def distShape (A B : Model) (p q : Int) : Bool := decide (A.dIn = B.dIn ∧ A.nOut = B.nOut ∧ 0 ≤ p ∧ 0 < q)

def distOut (A B : Model) (p q : Int) (o : Nat) : Bool :=
  decide (q * q * frobZ A B o ≤ p * p * 2 ^ (2 * (expo A + expo B + 1)))

/-- The `distance` checker: shapes, signs, and the integer Frobenius bound at every output. -/
def checkDist (A B : Model) (p q : Int) : Bool :=
  distShape A B p q && allB (fun o => distOut A B p q o) (seqN 0 A.nOut)

theorem checkDist_sound (A B : Model) (p q : Int) (h : checkDist A B p q = true) : frobeniusWithin A B p q := by
  have h2 : (distShape A B p q && allB (fun o => distOut A B p q o) (seqN 0 A.nOut)) = true := h
  rw [Bool.and_eq_true] at h2
  have hs : A.dIn = B.dIn ∧ A.nOut = B.nOut ∧ 0 ≤ p ∧ 0 < q := of_decide_eq_true h2.1
  unfold frobeniusWithin
  refine ⟨hs.1, hs.2.1, hs.2.2.1, hs.2.2.2, ?_⟩
  intro o ho
  have h3 : distOut A B p q o = true :=
    allB_seqN (fun o => distOut A B p q o) A.nOut 0 h2.2 o (Nat.zero_le o) (by omega)
  exact of_decide_eq_true h3

end Pybridge.Bilinear
