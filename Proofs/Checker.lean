/-
Checker: the tables computed once (lists, then indexed), the global conditions, and the per-input
soundness lemma `key_correct` shared by the brute-force and cubic strategies (CHECKING.md
sections 2-5; Lean mirror of coq/theories/Checker.v).

Difference from Coq: the Coq tables compute `QK`, `OV` by distributivity over `X = E + P` (same
integers, fewer products); here every entry is the defining product (`QKz`, `OVz`, `EUz` of
`Tables.lean`), so no shape check is needed.  `basic_ok` also checks `V ≥ 2` (as the Python loader
does) and `posOk` (the mantissa of `EXPLO(C - hi)` is positive wherever `EXPHI` is used; always
true, since `hi ≤ C`), which replaces Coq's `EXPLO_pos`.

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.ExpBounds

namespace Pybridge

open ExpField (ofInt inv exp)

/-- `[f 0, ..., f (N-1)]`. -/
def tabulate {α : Type} (N : Nat) (f : Nat → α) : List α := (seq 0 N).map f

theorem nth_tabulate {α : Type} (N : Nat) (f : Nat → α) (i : Nat) (d : α) (h : i < N) :
    nth i (tabulate N f) d = f i :=
  nth_map_seq f N i d h

/-- Rebuild `r` rows of width `c` from a row-major flattened matrix (used by generated
certificate files, which store each matrix as one flat `List Int`). -/
def rows (c : Nat) : Nat → List Int → List (List Int)
  | 0, _ => []
  | r + 1, l => l.take c :: rows c r (l.drop c)

/-- The tables the checkers read: `EU[q][j]`, `OV[tok][i][j]` (integers), and the dyadic weight
enclosures `WLO[q][tok][i]`, `WHI[q][tok][i]`. -/
structure tables where
  mk_tables ::
  tEU : List (List Int)
  tOV : List (List (List Int))
  tWLO : List (List (List dyadic))
  tWHI : List (List (List dyadic))

def get2 (T : List (List Int)) (a b : Nat) : Int := nth b (nth a T []) 0
def get3 (T : List (List (List Int))) (a b c : Nat) : Int := nth c (nth b (nth a T []) []) 0
def getd3 (T : List (List (List dyadic))) (a b c : Nat) : dyadic :=
  nth c (nth b (nth a T []) []) (0, 0)

theorem getd3_tab (A B C : Nat) (f : Nat → Nat → Nat → dyadic) (a b c : Nat)
    (ha : a < A) (hb : b < B) (hc : c < C) :
    getd3 (tabulate A (fun a => tabulate B (fun b => tabulate C (fun c => f a b c)))) a b c
      = f a b c := by
  unfold getd3
  rw [nth_tabulate _ _ a [] ha, nth_tabulate _ _ b [] hb, nth_tabulate _ _ c ((0, 0) : dyadic) hc]

/-- `EU[q]` for every query token. -/
def tab_EU (M : Model) : List (List Int) := tabulate M.V (fun q => EUz M q)

/-- `OV[tok][i]` for every token and position. -/
def tab_OV (M : Model) : List (List (List Int)) :=
  tabulate M.V (fun tok => tabulate M.n (fun i => OVz M tok i))

/-- The per-query shift `C[q] = max_{tok, i} hi(q, tok, i)`. -/
def tab_C (M : Model) (P : Nat) : List Int :=
  tabulate M.V (fun q => zmax_list (concatL (tabulate M.V (fun tok => tabulate M.n (fun i =>
    hi_of M.s (SLO P M.h) (SHI P M.h) (QKz M q tok i))))))

/-- `WLO[q][tok][i] = EXPLO(lo(q, tok, i) - C[q])`. -/
def tab_WLO (M : Model) (P k : Nat) (Cs : List Int) : List (List (List dyadic)) :=
  tabulate M.V (fun q => tabulate M.V (fun tok => tabulate M.n (fun i =>
    EXPLO P k (lo_of M.s (SLO P M.h) (SHI P M.h) (QKz M q tok i) - nth q Cs 0))))

/-- `WHI[q][tok][i] = EXPHI(hi(q, tok, i) - C[q])`. -/
def tab_WHI (M : Model) (P k : Nat) (Cs : List Int) : List (List (List dyadic)) :=
  tabulate M.V (fun q => tabulate M.V (fun tok => tabulate M.n (fun i =>
    EXPHI P k (hi_of M.s (SLO P M.h) (SHI P M.h) (QKz M q tok i) - nth q Cs 0))))

def compute_tables (M : Model) (P k : Nat) : tables :=
  ⟨tab_EU M, tab_OV M, tab_WLO M P k (tab_C M P), tab_WHI M P k (tab_C M P)⟩

/-- `EXPHI` is defined wherever it is used: the mantissa of `EXPLO(C[q] - hi)` is positive. -/
def posOk (M : Model) (P k : Nat) : Bool :=
  allB (fun q => allB (fun tok => allB (fun i =>
    decide (0 < (EXPLO P k (-(hi_of M.s (SLO P M.h) (SHI P M.h) (QKz M q tok i)
      - nth q (tab_C M P) 0))).1)) M.n) M.V) M.V

/-- Global conditions of CHECKING.md (`n ≥ 1`, `V ≥ 2`, ranges of `P` and `k`, the scale check). -/
def basic_ok (M : Model) (P k : Nat) : Bool :=
  decide (0 < M.n) && (decide (2 ≤ M.V) && (decide (16 ≤ P) && (decide (P ≤ 256)
    && (decide (1 ≤ k) && (decide (k ≤ 64) && (scale_ok P M.h && posOk M P k))))))

theorem basic_ok_spec (M : Model) (P k : Nat) (h : basic_ok M P k = true) :
    0 < M.n ∧ 2 ≤ M.V ∧ scale_ok P M.h = true ∧ posOk M P k = true := by
  have ⟨h1, h2⟩ := band_elim h
  have ⟨h3, h4⟩ := band_elim h2
  have ⟨_, h6⟩ := band_elim h4
  have ⟨_, h8⟩ := band_elim h6
  have ⟨_, h10⟩ := band_elim h8
  have ⟨_, h12⟩ := band_elim h10
  have ⟨h13, h14⟩ := band_elim h12
  exact ⟨dec_true h1, dec_true h3, h13, h14⟩

/-! ### What the tables contain -/

theorem EU_spec (M : Model) (P k q : Nat) (hq : q < M.V) :
    nth q (compute_tables M P k).tEU [] = EUz M q :=
  nth_tabulate M.V (fun q => EUz M q) q [] hq

theorem OV_spec (M : Model) (P k tok i : Nat) (ht : tok < M.V) (hi : i < M.n) :
    nth i (nth tok (compute_tables M P k).tOV []) [] = OVz M tok i := by
  show nth i (nth tok (tabulate M.V (fun tok => tabulate M.n (fun i => OVz M tok i))) []) []
    = OVz M tok i
  rw [nth_tabulate _ _ tok [] ht, nth_tabulate _ _ i [] hi]

theorem WLO_spec (M : Model) (P k q tok i : Nat) (hq : q < M.V) (ht : tok < M.V) (hi : i < M.n) :
    getd3 (compute_tables M P k).tWLO q tok i
      = EXPLO P k (lo_of M.s (SLO P M.h) (SHI P M.h) (QKz M q tok i) - nth q (tab_C M P) 0) :=
  getd3_tab M.V M.V M.n
    (fun q tok i => EXPLO P k (lo_of M.s (SLO P M.h) (SHI P M.h) (QKz M q tok i)
      - nth q (tab_C M P) 0)) q tok i hq ht hi

theorem WHI_spec (M : Model) (P k q tok i : Nat) (hq : q < M.V) (ht : tok < M.V) (hi : i < M.n) :
    getd3 (compute_tables M P k).tWHI q tok i
      = EXPHI P k (hi_of M.s (SLO P M.h) (SHI P M.h) (QKz M q tok i) - nth q (tab_C M P) 0) :=
  getd3_tab M.V M.V M.n
    (fun q tok i => EXPHI P k (hi_of M.s (SLO P M.h) (SHI P M.h) (QKz M q tok i)
      - nth q (tab_C M P) 0)) q tok i hq ht hi

theorem WLO_nonneg (M : Model) (P k q tok i : Nat) (hq : q < M.V) (ht : tok < M.V) (hi : i < M.n) :
    0 ≤ (getd3 (compute_tables M P k).tWLO q tok i).1 := by
  rw [WLO_spec M P k q tok i hq ht hi]
  exact EXPLO_nonneg P k _

/-- Token, query and max ranges of a valid input. -/
theorem valid_ranges (M : Model) (t : List Nat) (hv : valid M t) (hn : 0 < M.n) :
    (∀ i, i < M.n → nth i t 0 < M.V) ∧ list_max t < M.V := by
  have hl := hv.1
  refine ⟨fun i hi => hv.2 _ (nth_mem 0 t i (by omega)), ?_⟩
  have hm := list_max_le t (M.V - 1) (fun a ha => by have := hv.2 a ha; omega)
  have h0 : nth 0 t 0 < M.V := hv.2 _ (nth_mem 0 t 0 (by omega))
  omega

/-! ### The attention-weight enclosure (Coq `weight_bounds` + `W_spec`) -/

section Weights
variable {K : Type} [ExpField K]

theorem unit4 {P U : K} (h : P * U = ofInt 1) : P * P * (P * P) * (U * U * (U * U)) = ofInt 1 := by
  rw [ExpField.mul_mul_mul_comm (P * P) (P * P) (U * U) (U * U), ExpField.mul_mul_mul_comm P P U U,
    h, ExpField.one_mul (ofInt 1), ExpField.one_mul (ofInt 1)]

/-- `WLO[q][tok][i] ≤ exp(s - C[q]/2^P) ≤ WHI[q][tok][i]` (as values in `K`), with `s` the real
score of token `tok` at position `i` under query `q`. -/
theorem weights_enclose (M : Model) (P k : Nat) (r : K) (hr : IsInvSqrt M.h r)
    (hscale : scale_ok P M.h = true) (hpos : posOk M P k = true) (q tok i : Nat)
    (hq : q < M.V) (ht : tok < M.V) (hi : i < M.n) :
    dval (getd3 (compute_tables M P k).tWLO q tok i)
        ≤ exp (ofInt (QKz M q tok i) * U4 M * r + ofInt (-(nth q (tab_C M P) 0)) * inv (pw P))
    ∧ exp (ofInt (QKz M q tok i) * U4 M * r + ofInt (-(nth q (tab_C M P) 0)) * inv (pw P))
        ≤ dval (getd3 (compute_tables M P k).tWHI q tok i) := by
  have ⟨hh0, hrest⟩ := band_elim hscale
  have ⟨hslo0, hrest2⟩ := band_elim hrest
  have ⟨hc1, hc2⟩ := band_elim hrest2
  have hshi0 : 0 ≤ SHI P M.h := by
    have := dec_true hslo0
    unfold SHI
    omega
  have hρ := rho_bounds M.h r hr (dec_true hh0) ((2 : Int) ^ P) (SLO P M.h) (SHI P M.h)
    (pow2_pos P) hshi0 (dec_true hc1) (dec_true hc2)
  have hU : (ofInt (den4 M.s) : K) * U4 M = ofInt 1 := by
    unfold den4 U4
    rw [ExpField.ofInt_mul, ExpField.ofInt_mul]
    exact unit4 (scale_mul M)
  have hp := pow2_pos M.s
  have hden : 0 < den4 M.s := by
    unfold den4
    exact Int.mul_pos (Int.mul_pos hp hp) (Int.mul_pos hp hp)
  have encl := score_enclosure M.s (SLO P M.h) (SHI P M.h) (QKz M q tok i) (pw P * r) (U4 M)
    hρ.1 hρ.2 hU hden
  have hlo' : ofInt (lo_of M.s (SLO P M.h) (SHI P M.h) (QKz M q tok i))
      ≤ pw P * (ofInt (QKz M q tok i) * U4 M * r) := by
    rw [rearr_score]
    exact encl.1
  have hhi' : pw P * (ofInt (QKz M q tok i) * U4 M * r)
      ≤ ofInt (hi_of M.s (SLO P M.h) (SHI P M.h) (QKz M q tok i)) := by
    rw [rearr_score]
    exact encl.2
  have hposq : 0 < (EXPLO P k (-(hi_of M.s (SLO P M.h) (SHI P M.h) (QKz M q tok i)
      - nth q (tab_C M P) 0))).1 := by
    have a1 := allB_spec _ M.V hpos q hq
    have a2 := allB_spec _ M.V a1 tok ht
    have a3 := allB_spec _ M.n a2 i hi
    exact dec_true a3
  rw [WLO_spec M P k q tok i hq ht hi, WHI_spec M P k q tok i hq ht hi]
  exact ⟨wlo_le P k _ _ _ hlo', whi_ge P k _ _ _ hhi' hposq⟩

end Weights

/-! ### The margin argument (CHECKING.md section 5) -/

/-- Per-position logit difference `D_i(j)` read from the tables. -/
def Dz (T : tables) (q tok i m j : Nat) : Int :=
  (get2 T.tEU q m - get2 T.tEU q j) + (get3 T.tOV tok i m - get3 T.tOV tok i j)

theorem Dz_eq (M : Model) (P k : Nat) (t : List Nat) (j i : Nat) (hn : 0 < M.n) (hv : valid M t)
    (hi : i < M.n) :
    Dz (compute_tables M P k) (nth (M.n - 1) t 0) (nth i t 0) i (list_max t) j = Dm M t j i := by
  have ⟨htok, _⟩ := valid_ranges M t hv hn
  unfold Dz get2 get3 Dm
  rw [EU_spec M P k _ (htok (M.n - 1) (by omega)), OV_spec M P k _ i (htok i hi) hi]

section Key
variable {K : Type} [ExpField K]

/-- `v * (E * c) = c * (E * v)`. -/
theorem rearr_margin (v E c : K) : v * (E * c) = c * (E * v) := by
  rw [ExpField.mul_comm E c, ← ExpField.mul_assoc v c E, ExpField.mul_comm v c,
    ExpField.mul_assoc c v E, ExpField.mul_comm v E]

/-- Soundness of one input (Coq `key_correct`): if for every wrong logit `j` there are numbers
`T_i` with positive sum and `T_i ≤ D_i(j) * w` for every `w` in the weight enclosure
`[WLO, WHI]` of position `i`, then the model is correct on `t`. -/
theorem key_correct (M : Model) (P k : Nat) (r : K) (hr : IsInvSqrt M.h r) (t : List Nat)
    (hok : basic_ok M P k = true) (hv : valid M t)
    (H : ∀ j, j < M.V → j ≠ list_max t → ∃ Tm : Nat → K, ofInt 0 < Rsum M.n Tm ∧
      ∀ i, i < M.n → ∀ w : K,
        dval (getd3 (compute_tables M P k).tWLO (nth (M.n - 1) t 0) (nth i t 0) i) ≤ w →
        w ≤ dval (getd3 (compute_tables M P k).tWHI (nth (M.n - 1) t 0) (nth i t 0) i) →
        Tm i ≤ ofInt (Dz (compute_tables M P k) (nth (M.n - 1) t 0) (nth i t 0) i (list_max t) j)
          * w) :
    correct M r t := by
  have ⟨hn, _, hscale, hpos⟩ := basic_ok_spec M P k hok
  have ⟨htok, _⟩ := valid_ranges M t hv hn
  have hq : nth (M.n - 1) t 0 < M.V := htok (M.n - 1) (by omega)
  apply correct_of_margins M r t hn
    (exp (ofInt (-(nth (nth (M.n - 1) t 0) (tab_C M P) 0)) * inv (pw P))) (ExpField.exp_pos _)
  intro j hj hjm
  have ⟨Tm, hTpos, hT⟩ := H j hj hjm
  refine ⟨Tm, hTpos, ?_⟩
  intro i hi
  have enc := weights_enclose M P k r hr hscale hpos (nth (M.n - 1) t 0) (nth i t 0) i hq
    (htok i hi) hi
  have h1 := hT i hi _ enc.1 enc.2
  rw [Dz_eq M P k t j i hn hv hi, ExpField.exp_add, ← score_QK M t r i,
    rearr_margin (ofInt (Dm M t j i)) (exp (score M t r i))] at h1
  exact h1

end Key

end Pybridge
