/-
Tables: the exact integer tables of CHECKING.md section 2, and the bridge to `Spec`
(Lean mirror of coq/theories/Tables.v), plus the margin argument shared by both strategies.

Integer vector operations mirror the real ones of `Spec` with the same association, so the bridge is
"ofInt commutes with sums and products" plus the unit factors `2^-s`.

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.ListUtil

namespace Pybridge

open ExpField (ofInt inv exp)

def zdot : List Int → List Int → Int
  | a :: u, b :: v => a * b + zdot u v
  | _, _ => 0

def zvadd : List Int → List Int → List Int
  | a :: u, b :: v => (a + b) :: zvadd u v
  | _, _ => []

def zcol (A : List (List Int)) (j : Nat) : List Int := A.map (fun row => nth j row 0)

def zvecmat (u : List Int) (A : List (List Int)) (c : Nat) : List Int :=
  (seq 0 c).map (fun j => zdot u (zcol A j))

/-- `X[tok][i] = Z_E[tok] + Z_P[i]` (unit 2^-s). -/
def Xz (M : Model) (tok i : Nat) : List Int := zvadd (nth tok M.E []) (nth i M.Pos [])
/-- `Qv[q] = X[q][n-1] . Z_WQ` (unit 2^-2s). -/
def Qz (M : Model) (q : Nat) : List Int := zvecmat (Xz M q (M.n - 1)) M.WQ M.h
/-- `Kv[tok][i] = X[tok][i] . Z_WK` (unit 2^-2s). -/
def Kz (M : Model) (tok i : Nat) : List Int := zvecmat (Xz M tok i) M.WK M.h
/-- `QK[q][tok][i] = Qv[q] . Kv[tok][i]` (unit 2^-4s). -/
def QKz (M : Model) (q tok i : Nat) : Int := zdot (Qz M q) (Kz M tok i)
/-- `OV[tok][i] = ((X[tok][i] . Z_WV) . Z_WO) . Z_WU` (unit 2^-4s). -/
def OVz (M : Model) (tok i : Nat) : List Int :=
  zvecmat (zvecmat (zvecmat (Xz M tok i) M.WV M.h) M.WO M.d) M.WU M.V
/-- `EU[q] = (X[q][n-1] . Z_WU) * 2^(2s)` (unit 2^-4s). -/
def EUz (M : Model) (q : Nat) : List Int :=
  (zvecmat (Xz M q (M.n - 1)) M.WU M.V).map (fun z => z * ((2 : Int) ^ M.s * (2 : Int) ^ M.s))

/-! ### Bridge -/

section Bridge
variable {K : Type} [ExpField K]

/-- Real image of an integer vector, with a unit factor `a`. -/
def sc (a : K) (v : List Int) : List K := v.map (fun z => ofInt z * a)

theorem dot_sc (a b : K) : ∀ (u v : List Int), dot (sc a u) (sc b v) = ofInt (zdot u v) * (a * b)
  | [], _ => (ExpField.zero_mul (a * b)).symm
  | _ :: _, [] => (ExpField.zero_mul (a * b)).symm
  | x :: u, y :: v => by
    show ofInt x * a * (ofInt y * b) + dot (sc a u) (sc b v) = ofInt (x * y + zdot u v) * (a * b)
    rw [dot_sc a b u v, ExpField.ofInt_add (x * y) (zdot u v), ExpField.ofInt_mul x y,
      ExpField.add_mul (ofInt x * ofInt y) (ofInt (zdot u v)) (a * b),
      ExpField.mul_mul_mul_comm (ofInt x) a (ofInt y) b]

theorem vadd_sc (a : K) : ∀ (u v : List Int), vadd (sc a u) (sc a v) = sc a (zvadd u v)
  | [], _ => rfl
  | _ :: _, [] => rfl
  | x :: u, y :: v => by
    show (ofInt x * a + ofInt y * a) :: vadd (sc a u) (sc a v)
      = (ofInt (x + y) * a) :: sc a (zvadd u v)
    rw [vadd_sc a u v, ExpField.ofInt_add x y, ExpField.add_mul (ofInt x) (ofInt y) a]

theorem nth_sc (a : K) : ∀ (l : List Int) (j : Nat), nth j (sc a l) (ofInt 0) = ofInt (nth j l 0) * a
  | [], j => by
    show nth j ([] : List K) (ofInt 0) = ofInt (nth j ([] : List Int) 0) * a
    rw [nth_nil (ofInt 0 : K) j, nth_nil (0 : Int) j]
    exact (ExpField.zero_mul a).symm
  | _ :: _, 0 => rfl
  | _ :: l, j + 1 => nth_sc a l j

theorem col_sc (b : K) : ∀ (A : List (List Int)) (j : Nat), col (A.map (sc b)) j = sc b (zcol A j)
  | [], _ => rfl
  | row :: A, j => by
    show nth j (sc b row) (ofInt 0) :: col (A.map (sc b)) j
      = (ofInt (nth j row 0) * b) :: sc b (zcol A j)
    rw [nth_sc b row j, col_sc b A j]

theorem vecmat_sc_gen (a b : K) (u : List Int) (A : List (List Int)) : ∀ (L : List Nat),
    L.map (fun j => dot (sc a u) (col (A.map (sc b)) j))
      = sc (a * b) (L.map (fun j => zdot u (zcol A j)))
  | [] => rfl
  | j :: L => by
    show dot (sc a u) (col (A.map (sc b)) j) :: L.map (fun j => dot (sc a u) (col (A.map (sc b)) j))
      = (ofInt (zdot u (zcol A j)) * (a * b)) :: sc (a * b) (L.map (fun j => zdot u (zcol A j)))
    rw [col_sc b A j, dot_sc a b u (zcol A j), vecmat_sc_gen a b u A L]

theorem vecmat_sc (a b : K) (u : List Int) (A : List (List Int)) (c : Nat) :
    vecmat (sc a u) (A.map (sc b)) c = sc (a * b) (zvecmat u A c) :=
  vecmat_sc_gen a b u A (seq 0 c)

/-- The unit of the score and logit tables: `2^-4s`. -/
def U4 (M : Model) : K := scale M * scale M * (scale M * scale M)

theorem pow2_pos : ∀ k : Nat, (0 : Int) < (2 : Int) ^ k
  | 0 => by decide
  | k + 1 => by
    have ih := pow2_pos k
    have e : (2 : Int) ^ (k + 1) = 2 ^ k * 2 := by first | exact Int.pow_succ 2 k | rfl | omega
    rw [e]
    omega

theorem scale_mul (M : Model) : (ofInt ((2 : Int) ^ M.s) : K) * scale M = ofInt 1 :=
  ExpField.mul_inv_cancel _ (ExpField.ne_of_pos (ExpField.ofInt_lt 0 _ (pow2_pos M.s)))

theorem scale_pos (M : Model) : (ofInt 0 : K) < scale M :=
  ExpField.inv_pos (ExpField.ofInt_lt 0 _ (pow2_pos M.s))

theorem U4_pos (M : Model) : (ofInt 0 : K) < U4 M :=
  ExpField.mul_pos (ExpField.mul_pos (scale_pos M) (scale_pos M))
    (ExpField.mul_pos (scale_pos M) (scale_pos M))

theorem real_mat_sc (M : Model) (A : List (List Int)) :
    (real_mat M A : List (List K)) = A.map (sc (scale M)) := rfl

theorem x_sc (M : Model) (t : List Nat) (i : Nat) :
    (x M t i : List K) = sc (scale M) (Xz M (nth i t 0) i) := by
  show vadd (nth (nth i t 0) (M.E.map (sc (scale M))) []) (nth i (M.Pos.map (sc (scale M))) [])
    = sc (scale M) (zvadd (nth (nth i t 0) M.E []) (nth i M.Pos []))
  rw [nth_map_dflt (sc (scale M)) M.E (nth i t 0) [] [] rfl,
    nth_map_dflt (sc (scale M)) M.Pos i [] [] rfl, vadd_sc]

/-- Scores: `s_i = QK[q][t_i][i] * 2^-4s / sqrt h`. -/
theorem score_QK (M : Model) (t : List Nat) (r : K) (i : Nat) :
    score M t r i = ofInt (QKz M (nth (M.n - 1) t 0) (nth i t 0) i) * U4 M * r := by
  show dot (vecmat (x M t (M.n - 1)) (M.WQ.map (sc (scale M))) M.h)
      (vecmat (x M t i) (M.WK.map (sc (scale M))) M.h) * r
    = ofInt (zdot (zvecmat (Xz M (nth (M.n - 1) t 0) (M.n - 1)) M.WQ M.h)
        (zvecmat (Xz M (nth i t 0) i) M.WK M.h)) * (scale M * scale M * (scale M * scale M)) * r
  rw [x_sc M t (M.n - 1), x_sc M t i, vecmat_sc, vecmat_sc, dot_sc]

/-- `c * (P * P) * (U * U * (U * U)) = c * (U * U)` when `P * U = 1`. -/
theorem cancel_sq {P U : K} (h : P * U = ofInt 1) (c : K) :
    c * (P * P) * (U * U * (U * U)) = c * (U * U) := by
  rw [ExpField.mul_assoc c (P * P) (U * U * (U * U)), ← ExpField.mul_assoc (P * P) (U * U) (U * U),
    ExpField.mul_mul_mul_comm P P U U, h, ExpField.one_mul (ofInt 1), ExpField.one_mul (U * U)]

theorem EU_bridge (M : Model) (t : List Nat) (j : Nat) :
    nth j (vecmat (xq M t) (real_mat M M.WU) M.V) (ofInt 0)
      = (ofInt (nth j (EUz M (nth (M.n - 1) t 0)) 0) : K) * U4 M := by
  show nth j (vecmat (x M t (M.n - 1)) (M.WU.map (sc (scale M))) M.V) (ofInt 0)
      = (ofInt (nth j ((zvecmat (Xz M (nth (M.n - 1) t 0) (M.n - 1)) M.WU M.V).map
          (fun z => z * ((2 : Int) ^ M.s * (2 : Int) ^ M.s))) 0) : K)
        * (scale M * scale M * (scale M * scale M))
  rw [x_sc M t (M.n - 1), vecmat_sc, nth_sc,
    nth_map_dflt (fun z => z * ((2 : Int) ^ M.s * (2 : Int) ^ M.s)) _ j 0 0 (Int.zero_mul _),
    ExpField.ofInt_mul, ExpField.ofInt_mul, cancel_sq (scale_mul M)]

theorem OV_bridge (M : Model) (t : List Nat) (i j : Nat) :
    nth j (vecmat (vecmat (vecmat (x M t i) (real_mat M M.WV) M.h) (real_mat M M.WO) M.d)
      (real_mat M M.WU) M.V) (ofInt 0)
      = (ofInt (nth j (OVz M (nth i t 0) i) 0) : K) * U4 M := by
  show nth j (vecmat (vecmat (vecmat (x M t i) (M.WV.map (sc (scale M))) M.h)
      (M.WO.map (sc (scale M))) M.d) (M.WU.map (sc (scale M))) M.V) (ofInt 0)
      = (ofInt (nth j (OVz M (nth i t 0) i) 0) : K) * (scale M * scale M * (scale M * scale M))
  rw [x_sc M t i, vecmat_sc, vecmat_sc, vecmat_sc, nth_sc,
    ExpField.mul_assoc (scale M * scale M) (scale M) (scale M)]
  rfl

/-- Logits: `logit_j = EU[q][j] * 2^-4s + sum_i attn_i (OV[t_i][i][j] * 2^-4s)`. -/
theorem logit_tables (M : Model) (t : List Nat) (r : K) (j : Nat) :
    logit M t r j = ofInt (nth j (EUz M (nth (M.n - 1) t 0)) 0) * U4 M
      + Rsum M.n (fun i => attn M t r i * (ofInt (nth j (OVz M (nth i t 0) i) 0) * U4 M)) := by
  have h2 : ∀ i, i < M.n →
      attn M t r i * nth j (vecmat (vecmat (vecmat (x M t i) (real_mat M M.WV) M.h)
        (real_mat M M.WO) M.d) (real_mat M M.WU) M.V) (ofInt 0)
      = attn M t r i * (ofInt (nth j (OVz M (nth i t 0) i) 0) * U4 M) := by
    intro i _
    rw [OV_bridge M t i j]
  have h3 := Rsum_ext M.n _ _ h2
  unfold logit
  rw [EU_bridge M t j, h3]

end Bridge

/-! ### The margin argument -/

section Margin
variable {K : Type} [ExpField K]

/-- The abstract margin lemma (Coq `margin_algebra`): if the weighted sum `sum_i e_i D_i` of the
integer logit differences `D_i = (A_m - A_j) + (B_i m - B_i j)` is positive (certified by numbers
`T_i` below `c0 * e_i * D_i` with positive sum), then logit `m` beats logit `j`. -/
theorem margin_pos (n : Nat) (hn : 0 < n) (e : Nat → K) (he : ∀ i, i < n → ofInt 0 < e i)
    (U : K) (hU : ofInt 0 < U) (Am Aj : Int) (Bm Bj : Nat → Int)
    (c0 : K) (hc0 : ofInt 0 < c0) (T : Nat → K)
    (hT : ∀ i, i < n → T i ≤ c0 * (e i * ofInt ((Am - Aj) + (Bm i - Bj i))))
    (hpos : ofInt 0 < Rsum n T) :
    ofInt Aj * U + Rsum n (fun i => e i * inv (Rsum n e) * (ofInt (Bj i) * U))
      < ofInt Am * U + Rsum n (fun i => e i * inv (Rsum n e) * (ofInt (Bm i) * U)) := by
  have hS : ofInt 0 < Rsum n e := Rsum_pos n e hn he
  have hiS : ofInt 0 < inv (Rsum n e) := ExpField.inv_pos hS
  have hsum1 : Rsum n (fun i => e i * inv (Rsum n e)) = ofInt 1 := by
    rw [Rsum_mul_right n e (inv (Rsum n e))]
    exact ExpField.mul_inv_cancel _ (ExpField.ne_of_pos hS)
  have hY : ofInt 0 < Rsum n (fun i => e i * ofInt ((Am - Aj) + (Bm i - Bj i))) := by
    have h1 : Rsum n T ≤ c0 * Rsum n (fun i => e i * ofInt ((Am - Aj) + (Bm i - Bj i))) := by
      rw [← Rsum_mul_left]
      exact Rsum_le n _ _ hT
    exact ExpField.pos_of_mul_pos_left hc0 (ExpField.lt_of_lt_of_le _ _ _ hpos h1)
  have hA : (ofInt Am : K) * U = ofInt Aj * U + ofInt (Am - Aj) * U := by
    rw [← ExpField.add_mul (ofInt Aj) (ofInt (Am - Aj)) U, ← ExpField.ofInt_add Aj (Am - Aj)]
    have e1 : Aj + (Am - Aj) = Am := by omega
    rw [e1]
  have hB : Rsum n (fun i => e i * inv (Rsum n e) * (ofInt (Bm i) * U))
      = Rsum n (fun i => e i * inv (Rsum n e) * (ofInt (Bj i) * U))
        + Rsum n (fun i => e i * inv (Rsum n e) * (ofInt (Bm i - Bj i) * U)) := by
    rw [← Rsum_add]
    apply Rsum_ext
    intro i _
    rw [← ExpField.mul_add, ← ExpField.add_mul, ← ExpField.ofInt_add]
    have e1 : Bj i + (Bm i - Bj i) = Bm i := by omega
    rw [e1]
  have hC : ofInt (Am - Aj) * U
      = Rsum n (fun i => e i * inv (Rsum n e) * (ofInt (Am - Aj) * U)) := by
    rw [Rsum_mul_right n (fun i => e i * inv (Rsum n e)) (ofInt (Am - Aj) * U), hsum1,
      ExpField.one_mul]
  have hD : Rsum n (fun i => e i * inv (Rsum n e) * (ofInt (Am - Aj) * U))
        + Rsum n (fun i => e i * inv (Rsum n e) * (ofInt (Bm i - Bj i) * U))
      = Rsum n (fun i => e i * ofInt ((Am - Aj) + (Bm i - Bj i))) * (inv (Rsum n e) * U) := by
    rw [← Rsum_add, ← Rsum_mul_right]
    apply Rsum_ext
    intro i _
    rw [← ExpField.mul_add, ← ExpField.add_mul, ← ExpField.ofInt_add,
      ExpField.mul_mul_mul_comm (e i) (inv (Rsum n e)) (ofInt ((Am - Aj) + (Bm i - Bj i))) U]
  have hD' : ofInt (Am - Aj) * U
        + Rsum n (fun i => e i * inv (Rsum n e) * (ofInt (Bm i - Bj i) * U))
      = Rsum n (fun i => e i * ofInt ((Am - Aj) + (Bm i - Bj i))) * (inv (Rsum n e) * U) := by
    rw [hC]
    exact hD
  have hfin : ofInt Am * U + Rsum n (fun i => e i * inv (Rsum n e) * (ofInt (Bm i) * U))
      = (ofInt Aj * U + Rsum n (fun i => e i * inv (Rsum n e) * (ofInt (Bj i) * U)))
        + Rsum n (fun i => e i * ofInt ((Am - Aj) + (Bm i - Bj i))) * (inv (Rsum n e) * U) := by
    rw [hA, hB,
      ExpField.add_add_add_comm (ofInt Aj * U) (ofInt (Am - Aj) * U)
        (Rsum n (fun i => e i * inv (Rsum n e) * (ofInt (Bj i) * U)))
        (Rsum n (fun i => e i * inv (Rsum n e) * (ofInt (Bm i - Bj i) * U))),
      hD']
  rw [hfin]
  exact ExpField.lt_add_of_pos_right _ (ExpField.mul_pos hY (ExpField.mul_pos hiS hU))

/-- The per-position logit difference `D_i(j)` of CHECKING.md section 5, for input `t`. -/
def Dm (M : Model) (t : List Nat) (j i : Nat) : Int :=
  (nth (list_max t) (EUz M (nth (M.n - 1) t 0)) 0 - nth j (EUz M (nth (M.n - 1) t 0)) 0)
  + (nth (list_max t) (OVz M (nth i t 0) i) 0 - nth j (OVz M (nth i t 0) i) 0)

/-- An input is correct as soon as, for every wrong logit `j`, some numbers `T_i` with positive
sum lie below `c0 * exp(s_i) * D_i(j)` (`c0 > 0` a common factor, e.g. `exp(-C/2^P)`). -/
theorem correct_of_margins (M : Model) (r : K) (t : List Nat) (hn : 0 < M.n)
    (c0 : K) (hc0 : ofInt 0 < c0)
    (H : ∀ j, j < M.V → j ≠ list_max t → ∃ T : Nat → K, ofInt 0 < Rsum M.n T ∧
      ∀ i, i < M.n → T i ≤ c0 * (exp (score M t r i) * ofInt (Dm M t j i))) :
    correct M r t := by
  intro j hj hjm
  have ⟨T, hpos, hT⟩ := H j hj hjm
  rw [logit_tables M t r j, logit_tables M t r (list_max t)]
  exact margin_pos M.n hn (fun k => exp (score M t r k)) (fun i _ => ExpField.exp_pos _)
    (U4 M) (U4_pos M)
    (nth (list_max t) (EUz M (nth (M.n - 1) t 0)) 0) (nth j (EUz M (nth (M.n - 1) t 0)) 0)
    (fun i => nth (list_max t) (OVz M (nth i t 0) i) 0) (fun i => nth j (OVz M (nth i t 0) i) 0)
    c0 hc0 T hT hpos

end Margin

end Pybridge
