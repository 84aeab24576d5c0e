/-
BruteForce: the exact brute-force check of CHECKING.md section 5 and its soundness theorem
`check_bf_sound : check_bf M P k N = true → AccuracyAtLeast K r M N` (for every `ExpField K` and
`r = 1/sqrt h`).  Also the attention-weight tables shared with `Cubic`.

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.ExpBounds

namespace Pybridge

open ExpField (ofInt inv exp)

/-- Rebuild `r` rows of width `c` from a row-major flattened matrix (used by generated
certificate files, which store each matrix as one flat `List Int`). -/
def rows (c : Nat) : Nat → List Int → List (List Int)
  | 0, _ => []
  | r + 1, l => l.take c :: rows c r (l.drop c)

/-! ### Tables indexed `[a][b][c]` -/

def get3 (T : List (List (List Int))) (a b c : Nat) : Int := nth c (nth b (nth a T []) []) 0

def tab3 (A B C : Nat) (f : Nat → Nat → Nat → Int) : List (List (List Int)) :=
  (seq 0 A).map (fun a => (seq 0 B).map (fun b => (seq 0 C).map (fun c => f a b c)))

theorem get3_tab3 (A B C : Nat) (f : Nat → Nat → Nat → Int) (a b c : Nat)
    (ha : a < A) (hb : b < B) (hc : c < C) : get3 (tab3 A B C f) a b c = f a b c := by
  unfold get3 tab3
  rw [nth_map_seq _ A a [] ha, nth_map_seq _ B b [] hb, nth_map_seq _ C c 0 hc]

theorem nth_mem {α : Type} (d : α) : ∀ (l : List α) (i : Nat), i < l.length → nth i l d ∈ l
  | [], i, h => absurd h (Nat.not_lt_zero i)
  | _ :: _, 0, _ => List.mem_cons.mpr (Or.inl rfl)
  | _ :: l, i + 1, h => List.mem_cons.mpr (Or.inr (nth_mem d l i (by
      have h' : i + 1 < l.length + 1 := h
      omega)))

/-- Maximum of a list of integers (0 for the empty list). -/
def maxL : List Int → Int
  | [] => 0
  | a :: l => l.foldl (fun m b => if m ≤ b then b else m) a

def concatL : List (List Int) → List Int
  | [] => []
  | l :: ls => l ++ concatL ls

/-- `QK[q][tok][i]`. -/
def QKt (M : Model) : List (List (List Int)) := tab3 M.V M.V M.n (fun q tok i => QKz M q tok i)

/-- The per-query shift `C[q] = max_{tok,i} hi(q,tok,i)` (any integer would be sound). -/
def Ct (M : Model) (P : Nat) : List Int :=
  (seq 0 M.V).map (fun q => maxL (concatL ((seq 0 M.V).map (fun tok =>
    (seq 0 M.n).map (fun i => hiS P M.h M.s (get3 (QKt M) q tok i))))))

/-- `WLO[q][tok][i] = EXPLO(lo - C[q])`. -/
def WLOt (M : Model) (P k : Nat) : List (List (List Int)) :=
  tab3 M.V M.V M.n (fun q tok i => explo P k (loS P M.h M.s (get3 (QKt M) q tok i) - nth q (Ct M P) 0))

/-- `WHI[q][tok][i] = EXPHI(hi - C[q])`. -/
def WHIt (M : Model) (P k : Nat) : List (List (List Int)) :=
  tab3 M.V M.V M.n (fun q tok i => exphi P k (hiS P M.h M.s (get3 (QKt M) q tok i) - nth q (Ct M P) 0))

/-- `EU[q]` for every query token. -/
def EUt (M : Model) : List (List Int) := (seq 0 M.V).map (fun q => EUz M q)

/-- `OV[tok][i]` for every token and position. -/
def OVt (M : Model) : List (List (List Int)) :=
  (seq 0 M.V).map (fun tok => (seq 0 M.n).map (fun i => OVz M tok i))

/-- EXPHI is defined everywhere it is used (`EXPLO(C - hi) > 0`; always true as `hi ≤ C`). -/
def posOk (M : Model) (P k : Nat) : Bool :=
  allB (fun q => allB (fun tok => allB (fun i =>
    decide (0 < explo P k (-(hiS P M.h M.s (get3 (QKt M) q tok i) - nth q (Ct M P) 0)))) M.n) M.V) M.V

theorem get3_QKt (M : Model) (q tok i : Nat) (hq : q < M.V) (ht : tok < M.V) (hi : i < M.n) :
    get3 (QKt M) q tok i = QKz M q tok i := by
  unfold QKt
  exact get3_tab3 _ _ _ _ q tok i hq ht hi

theorem get3_WLOt (M : Model) (P k q tok i : Nat) (hq : q < M.V) (ht : tok < M.V) (hi : i < M.n) :
    get3 (WLOt M P k) q tok i = explo P k (loS P M.h M.s (QKz M q tok i) - nth q (Ct M P) 0) := by
  unfold WLOt
  rw [get3_tab3 _ _ _ _ q tok i hq ht hi, get3_QKt M q tok i hq ht hi]

theorem get3_WHIt (M : Model) (P k q tok i : Nat) (hq : q < M.V) (ht : tok < M.V) (hi : i < M.n) :
    get3 (WHIt M P k) q tok i = exphi P k (hiS P M.h M.s (QKz M q tok i) - nth q (Ct M P) 0) := by
  unfold WHIt
  rw [get3_tab3 _ _ _ _ q tok i hq ht hi, get3_QKt M q tok i hq ht hi]

theorem nth_EUt (M : Model) (q : Nat) (hq : q < M.V) : nth q (EUt M) [] = EUz M q := by
  unfold EUt
  exact nth_map_seq _ M.V q [] hq

theorem nth_OVt (M : Model) (tok i : Nat) (ht : tok < M.V) (hi : i < M.n) :
    nth i (nth tok (OVt M) []) [] = OVz M tok i := by
  unfold OVt
  rw [nth_map_seq _ M.V tok [] ht, nth_map_seq _ M.n i [] hi]

/-! ### The attention-weight enclosure -/

section Weights
variable {K : Type} [ExpField K]

theorem unit4 {P U : K} (h : P * U = ofInt 1) : P * P * (P * P) * (U * U * (U * U)) = ofInt 1 := by
  rw [ExpField.mul_mul_mul_comm (P * P) (P * P) (U * U) (U * U), ExpField.mul_mul_mul_comm P P U U,
    h, ExpField.one_mul (ofInt 1), ExpField.one_mul (ofInt 1)]

/-- `v * (Dk * (a * b)) = Dk * b * (a * v)`. -/
theorem rearr_w (v Dk a b : K) : v * (Dk * (a * b)) = Dk * b * (a * v) := by
  rw [ExpField.mul_comm v (Dk * (a * b)), ExpField.mul_comm a b, ← ExpField.mul_assoc Dk b a,
    ExpField.mul_assoc (Dk * b) a v]

/-- `WLO[q][tok][i] ≤ 2^P exp(s - C[q]/2^P) ≤ WHI[q][tok][i]` with `s` the real score of token
`tok` at position `i` under query `q`. -/
theorem weights_enclose (M : Model) (P k : Nat) (r : K) (hr : IsInvSqrt M.h r)
    (hscale : scaleOk P M.h = true) (hpos : posOk M P k = true) (q tok i : Nat)
    (hq : q < M.V) (ht : tok < M.V) (hi : i < M.n) :
    ofInt (get3 (WLOt M P k) q tok i)
        ≤ ofInt ((2 : Int) ^ P) * exp (ofInt (QKz M q tok i) * U4 M * r
            + ofInt (-(nth q (Ct M P) 0)) * inv (ofInt ((2 : Int) ^ P)))
    ∧ ofInt ((2 : Int) ^ P) * exp (ofInt (QKz M q tok i) * U4 M * r
            + ofInt (-(nth q (Ct M P) 0)) * inv (ofInt ((2 : Int) ^ P)))
        ≤ ofInt (get3 (WHIt M P k) q tok i) := by
  have ⟨hh0, hrest⟩ := band_elim hscale
  have ⟨hslo0, hrest2⟩ := band_elim hrest
  have ⟨hc1, hc2⟩ := band_elim hrest2
  have hshi0 : 0 ≤ shi P M.h := by
    have := dec_true hslo0
    unfold shi
    omega
  have hρ := rho_bounds M.h r hr (dec_true hh0) ((2 : Int) ^ P) (slo P M.h) (shi P M.h)
    (pow2_pos P) hshi0 (dec_true hc1) (dec_true hc2)
  have hU : (ofInt (den4 M.s) : K) * U4 M = ofInt 1 := by
    unfold den4 U4
    rw [ExpField.ofInt_mul, ExpField.ofInt_mul]
    exact unit4 (scale_mul M)
  have hp := pow2_pos M.s
  have hden : 0 < den4 M.s := by
    unfold den4
    exact Int.mul_pos (Int.mul_pos hp hp) (Int.mul_pos hp hp)
  have encl := score_enclosure P M.h M.s (QKz M q tok i) (ofInt ((2 : Int) ^ P) * r) (U4 M)
    hρ.1 hρ.2 hU (ExpField.le_of_lt _ _ (U4_pos M)) hden
  have hlo' : ofInt (loS P M.h M.s (QKz M q tok i))
      ≤ ofInt ((2 : Int) ^ P) * (ofInt (QKz M q tok i) * U4 M * r) := by
    rw [rearr_score]
    exact encl.1
  have hhi' : ofInt ((2 : Int) ^ P) * (ofInt (QKz M q tok i) * U4 M * r)
      ≤ ofInt (hiS P M.h M.s (QKz M q tok i)) := by
    rw [rearr_score]
    exact encl.2
  have hposq : 0 < explo P k (-(hiS P M.h M.s (QKz M q tok i) - nth q (Ct M P) 0)) := by
    have a1 := allB_spec _ M.V hpos q hq
    have a2 := allB_spec _ M.V a1 tok ht
    have a3 := allB_spec _ M.n a2 i hi
    have a4 := dec_true a3
    rw [get3_QKt M q tok i hq ht hi] at a4
    exact a4
  rw [get3_WLOt M P k q tok i hq ht hi, get3_WHIt M P k q tok i hq ht hi]
  exact ⟨wlo_le P k _ _ _ hlo', whi_ge P k _ _ _ hhi' hposq⟩

end Weights

/-! ### The brute-force check -/

/-- `D_i(j)` read from the tables. -/
def Dt (M : Model) (t : List Nat) (j i : Nat) : Int :=
  (nth (list_max t) (nth (nth (M.n - 1) t 0) (EUt M) []) 0
    - nth j (nth (nth (M.n - 1) t 0) (EUt M) []) 0)
  + (nth (list_max t) (nth i (nth (nth i t 0) (OVt M) []) []) 0
    - nth j (nth i (nth (nth i t 0) (OVt M) []) []) 0)

/-- `t` is proven correct: `LB_j > 0` for every `j ≠ max t`. -/
def provenCorrect (M : Model) (P k : Nat) (t : List Nat) : Bool :=
  allB (fun j => decide (j = list_max t) || decide (0 < Zsum M.n (fun i =>
    lbZ (Dt M t j i) (get3 (WLOt M P k) (nth (M.n - 1) t 0) (nth i t 0) i)
      (get3 (WHIt M P k) (nth (M.n - 1) t 0) (nth i t 0) i)))) M.V

/-- All `V^n` inputs. -/
def allInputs (V n : Nat) : List (List Nat) := prod_list (rep n (seq 0 V))

/-- The brute-force check: `N ≤ #{t : t proven correct}`. -/
def check_bf (M : Model) (P k N : Nat) : Bool :=
  decide (0 < M.n) && (decide (2 ≤ M.V) && (scaleOk P M.h && (posOk M P k &&
    decide (N ≤ (filt (provenCorrect M P k) (allInputs M.V M.n)).length))))

theorem bor_elim {a b : Bool} (h : (a || b) = true) : a = true ∨ b = true := by
  cases a <;> cases b <;> first | exact Or.inl rfl | exact Or.inr rfl | exact absurd h (by decide)

theorem allInputs_valid (M : Model) (t : List Nat) (ht : t ∈ allInputs M.V M.n) : valid M t := by
  have ⟨hl, hi⟩ := mem_prod_list 0 (rep M.n (seq 0 M.V)) t ht
  rw [length_rep] at hl
  refine ⟨hl, ?_⟩
  intro a ha
  have ⟨i, hi', e⟩ := mem_nth 0 t a ha
  have hmem := hi i (by rw [length_rep]; omega)
  rw [nth_rep (seq 0 M.V) [] M.n i (by omega), e] at hmem
  have := mem_seq 0 M.V a hmem
  omega

theorem nd_allInputs (V n : Nat) : ND (allInputs V n) :=
  nd_prod_list (rep n (seq 0 V)) (fun L hL => by
    rw [mem_rep (seq 0 V) n L hL]
    exact nd_seq 0 V)

/-- Token, query and max ranges of a valid input. -/
theorem valid_ranges (M : Model) (t : List Nat) (hv : valid M t) (hn : 0 < M.n) :
    (∀ i, i < M.n → nth i t 0 < M.V) ∧ list_max t < M.V := by
  have hl := hv.1
  refine ⟨fun i hi => hv.2 _ (nth_mem 0 t i (by omega)), ?_⟩
  have hm := list_max_le t (M.V - 1) (fun a ha => by have := hv.2 a ha; omega)
  have h0 : nth 0 t 0 < M.V := hv.2 _ (nth_mem 0 t 0 (by omega))
  omega

section Sound
variable {K : Type} [ExpField K]

theorem Dt_eq (M : Model) (t : List Nat) (j i : Nat) (hn : 0 < M.n) (hv : valid M t)
    (hi : i < M.n) : Dt M t j i = Dm M t j i := by
  have ⟨htok, _⟩ := valid_ranges M t hv hn
  unfold Dt Dm
  rw [nth_EUt M _ (htok (M.n - 1) (by omega)), nth_OVt M _ i (htok i hi) hi]

theorem bf_correct (M : Model) (P k : Nat) (r : K) (hr : IsInvSqrt M.h r)
    (hscale : scaleOk P M.h = true) (hpos : posOk M P k = true) (hn : 0 < M.n)
    (t : List Nat) (hv : valid M t) (hpc : provenCorrect M P k t = true) : correct M r t := by
  have ⟨htok, _⟩ := valid_ranges M t hv hn
  have hq : nth (M.n - 1) t 0 < M.V := htok (M.n - 1) (by omega)
  have hDk : (ofInt 0 : K) < ofInt ((2 : Int) ^ P) := ExpField.ofInt_lt 0 _ (pow2_pos P)
  apply correct_of_margins M r t hn
    (ofInt ((2 : Int) ^ P)
      * exp (ofInt (-(nth (nth (M.n - 1) t 0) (Ct M P) 0)) * inv (ofInt ((2 : Int) ^ P))))
    (ExpField.mul_pos hDk (ExpField.exp_pos _))
  intro j hj hjm
  refine ⟨fun i => lbZ (Dt M t j i) (get3 (WLOt M P k) (nth (M.n - 1) t 0) (nth i t 0) i)
      (get3 (WHIt M P k) (nth (M.n - 1) t 0) (nth i t 0) i), ?_, ?_⟩
  · have h1 := allB_spec _ M.V hpc j hj
    cases bor_elim h1 with
    | inl h2 => exact absurd (dec_true h2) hjm
    | inr h2 => exact dec_true h2
  · intro i hi
    show ofInt (lbZ (Dt M t j i) (get3 (WLOt M P k) (nth (M.n - 1) t 0) (nth i t 0) i)
        (get3 (WHIt M P k) (nth (M.n - 1) t 0) (nth i t 0) i))
      ≤ ofInt ((2 : Int) ^ P)
          * exp (ofInt (-(nth (nth (M.n - 1) t 0) (Ct M P) 0)) * inv (ofInt ((2 : Int) ^ P)))
        * (exp (score M t r i) * ofInt (Dm M t j i))
    have enc := weights_enclose M P k r hr hscale hpos (nth (M.n - 1) t 0) (nth i t 0) i hq
      (htok i hi) hi
    have h3 := lbZ_le (Dt M t j i) _ _ _ enc.1 enc.2
    rw [Dt_eq M t j i hn hv hi] at h3 ⊢
    rw [ExpField.exp_add, ← score_QK M t r i,
      rearr_w (ofInt (Dm M t j i)) (ofInt ((2 : Int) ^ P)) (exp (score M t r i))] at h3
    exact h3

/-- Soundness of the brute-force check: for every `ExpField K` (e.g. the reals with `Real.exp`)
and `r = 1/sqrt h`, `check_bf M P k N = true` implies that at least `N` distinct valid inputs are
classified correctly. -/
theorem check_bf_sound (M : Model) (P k N : Nat) (r : K) (hr : IsInvSqrt M.h r)
    (hc : check_bf M P k N = true) : AccuracyAtLeast K r M N := by
  have ⟨hn, h1⟩ := band_elim hc
  have ⟨_, h2⟩ := band_elim h1
  have ⟨hscale, h3⟩ := band_elim h2
  have ⟨hpos, hN⟩ := band_elim h3
  refine ⟨filt (provenCorrect M P k) (allInputs M.V M.n),
    (nd_filt _ _ (nd_allInputs M.V M.n)).nodup, ?_, dec_true hN⟩
  intro t ht
  have ⟨hin, hpc⟩ := mem_filt _ _ t ht
  have hv := allInputs_valid M t hin
  exact ⟨hv, bf_correct M P k r hr hscale hpos (dec_true hn) t hv hpc⟩

end Sound

end Pybridge
