/-
BruteForceTL: the Lean brute-force checker `check_bf_tl` for SpecTL models (biases, LayerNorm) and
its soundness theorem `check_bf_tl_sound`, proven once.

The checker evaluates the semantics of SpecTL.lean directly, per input, in the integer interval
arithmetic of IntervalTL.lean.  A table holds one row per (token, position): the `ln1` output
(with its `1/sqrt` check), the query, the key and the value.  Per input it computes the scores,
the attention weights (EXPLO / EXPHI of ExpBounds.lean, aligned to a common exponent), the head
output `zh`, the residual, `ln_final` and the logits.  An input counts iff
`hi(logit_j) < lo(logit_max)` for every `j ≠ max`.

It is NOT a transcription of coq/theories/TL/BruteForceTL.v.  Coq folds the value path into the
unembedding (`FoldTL.logit_fold`) and centres per position.  Here `ln_final` is applied to the
residual's interval, so the soundness proof is compositional (one `enc_*` lemma per operation)
and needs no fold identity.  The intervals are wider than Coq's, so the count can be lower.
tests/test_lean_maxofk_tl.py runs a line-by-line Python transcription of this file on exported
integers.  It checks that the transcription accepts exactly the Python checker's N on the tiny
models of tests/test_coq_maxofk_tl.py and rejects N + 1.

Review notes (docs/LEAN.md): every plain `def` is exposed by `show` or by a typed `have`
(`inth_tab`, `nth_tabulate`, `if_pos`/`if_neg`) before `rw` (rules 2, 3).  No recursive function
is new except `Rsum_ofInt_mul`, `Rsum_ge_term`, `Rsum_swap_term`, `Zsum_nonneg` and
`Zsum_ge_term`, which recurse on their first argument after the colon (rule 4).  No `simp`.
Section variables are not used for hypotheses: every theorem states its hypotheses.

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.TL.EncTL
import Proofs.BruteForce

namespace Pybridge.TL

open ExpField (ofInt inv exp)

/-! ## The checker -/

/-- Entry `k` of an interval vector (`(0, 0)` past the end). -/
def inth (l : List itv) (k : Nat) : itv := nth k l (0, 0)

/-- One (token, position) row: the flag of the `ln1` check, and the query, key and value. -/
structure row where
  rok : Bool
  rq : List itv
  rk : List itv
  rv : List itv

def dflt_row : row := { rok := false, rq := [], rk := [], rv := [] }

def getrow (R : List (List row)) (tok i : Nat) : row := nth i (nth tok R []) dflt_row

/-- Attention weight of one position from the aligned mantissas: `wl * 2^F / (wl + th - wh)`
(floor) and `wh * 2^F / (wh + tl - wl)` (ceiling); the fallbacks 0 and `2^F` are sound. -/
def attn_itv (F : Nat) (wl wh tl th : Int) : itv :=
  (if 0 < wl + (th - wh) then fdiv (wl * (2 : Int) ^ F) (wl + (th - wh)) else 0,
   if 0 < wh + (tl - wl) then cdiv (wh * (2 : Int) ^ F) (wh + (tl - wl)) else (2 : Int) ^ F)

section Check
variable (M : TLModel) (F : Nat)

/-- A weight `z / 2^s` on the grid `2^-F`. -/
def iwt (z : Int) : itv := iw F M.s z

/-- Component `j` of `u A` for an interval vector `u` of dimension `m`. -/
def ivm (m : Nat) (u : List itv) (A : List (List Int)) (j : Nat) : itv :=
  isum m (fun k => iscale M.s (inth u k) (nth j (nth k A []) 0))

/-- `u A + b`, `c` components. -/
def iaff (m : Nat) (u : List itv) (A : List (List Int)) (b : List Int) (c : Nat) : List itv :=
  tabulate c (fun j => iadd (ivm M m u A j) (iwt M F (nth j b 0)))

/-- LayerNorm of an interval `d`-vector: mean, centred vector, variance, output. -/
def lnmu (u : List itv) : itv := idiv (isum M.d (inth u)) (M.d : Int)

def lncs (u : List itv) : List itv := tabulate M.d (fun k => isub (inth u k) (lnmu M u))

def lnvar (u : List itv) : itv := idiv (isum M.d (fun l => isq F (inth (lncs M u) l))) (M.d : Int)

def lnout (u : List itv) (w b : List Int) : List itv :=
  tabulate M.d (fun k => iadd (iscale M.s (imul F (inth (lncs M u) k)
    (iinvsqrt F (lnvar M F u) M.epsNum M.epsDen)) (nth k w 0)) (iwt M F (nth k b 0)))

/-- `x_i = E[tok] + P[i]`. -/
def ix (tok i : Nat) : List itv :=
  tabulate M.d (fun k => iadd (iwt M F (nth k (nth tok M.E []) 0)) (iwt M F (nth k (nth i M.Pos []) 0)))

/-- `y_i = ln1(x_i)` (with the flag of its `1/sqrt` check), or `x_i` without LayerNorm. -/
def yrow (tok i : Nat) : Bool × List itv :=
  if M.ln = true then
    (isqrt_ok F (lnvar M F (ix M F tok i)) M.epsNum M.epsDen, lnout M F (ix M F tok i) M.ln1w M.ln1b)
  else (true, ix M F tok i)

def mkrow (tok i : Nat) : row :=
  { rok := (yrow M F tok i).1,
    rq := iaff M F M.d (yrow M F tok i).2 M.WQ M.bQ M.h,
    rk := iaff M F M.d (yrow M F tok i).2 M.WK M.bK M.h,
    rv := iaff M F M.d (yrow M F tok i).2 M.WV M.bV M.h }

/-- The table of rows, `V x n`. -/
def rowTab : List (List row) := tabulate M.V (fun tok => tabulate M.n (fun i => mkrow M F tok i))

def rowsOk (R : List (List row)) : Bool :=
  allB (fun tok => allB (fun i => (getrow R tok i).rok) M.n) M.V

def basic_ok_tl : Bool :=
  decide (1 ≤ M.n) && (decide (1 ≤ M.h) && (decide (1 ≤ M.d) && (decide (1 ≤ F)
    && (decide (M.s ≤ F) && (scale_ok F M.h && (decide (0 < M.epsNum) && decide (0 < M.epsDen)))))))

end Check

section Input
variable (M : TLModel) (F kk : Nat) (R : List (List row)) (t : List Nat)

/-- The rows of the query position and of position `i`. -/
def qrow : row := getrow R (nth (M.n - 1) t 0) (M.n - 1)
def prow (i : Nat) : row := getrow R (nth i t 0) i

/-- Scores `q . k_i * (1 / sqrt h)`, the scale enclosed by `[SLO, SHI]`. -/
def scores : List itv :=
  tabulate M.n (fun i => imul F (isum M.h (fun j => imul F (inth (qrow M R t).rq j)
    (inth (prow R t i).rk j))) (SLO F M.h, SHI F M.h))

def smax : Int := zmax_list ((scores M F R t).map (fun p => p.2))

def wlo : List dyadic :=
  tabulate M.n (fun i => EXPLO F kk ((inth (scores M F R t) i).1 - smax M F R t))
def whi : List dyadic :=
  tabulate M.n (fun i => EXPHI F kk ((inth (scores M F R t) i).2 - smax M F R t))

/-- The common exponent. -/
def wex : Int :=
  zmin_list ((seq 0 M.n).map (fun i => min (nth i (wlo M F kk R t) (0, 0)).2 (nth i (whi M F kk R t) (0, 0)).2))

def WLv : List Int := tabulate M.n (fun i => dalign (nth i (wlo M F kk R t) (0, 0)) (wex M F kk R t))
def WHv : List Int := tabulate M.n (fun i => dalign (nth i (whi M F kk R t) (0, 0)) (wex M F kk R t))

def attnv : List itv :=
  tabulate M.n (fun i => attn_itv F (nth i (WLv M F kk R t) 0) (nth i (WHv M F kk R t) 0)
    (Zsum M.n (fun l => nth l (WLv M F kk R t) 0)) (Zsum M.n (fun l => nth l (WHv M F kk R t) 0)))

/-- The mantissas `EXPHI` divides by are positive (the hypothesis of `whi_ge`). -/
def explo_ok : Bool :=
  allB (fun i => decide (0 < (EXPLO F kk (-((inth (scores M F R t) i).2 - smax M F R t))).1)) M.n

def zhv : List itv :=
  tabulate M.h (fun j => isum M.n (fun i => imul F (inth (attnv M F kk R t) i) (inth (prow R t i).rv j)))

def residv : List itv :=
  tabulate M.d (fun k => iadd (iadd (inth (ix M F (nth (M.n - 1) t 0) (M.n - 1)) k)
    (ivm M M.h (zhv M F kk R t) M.WO k)) (iwt M F (nth k M.bO 0)))

def finv : Bool × List itv :=
  if M.ln = true then
    (isqrt_ok F (lnvar M F (residv M F kk R t)) M.epsNum M.epsDen,
     lnout M F (residv M F kk R t) M.lnfw M.lnfb)
  else (true, residv M F kk R t)

def logitv : List itv := iaff M F M.d (finv M F kk R t).2 M.WU M.bU M.V

/-- `t` is proven correct. -/
def proven : Bool :=
  explo_ok M F kk R t && ((finv M F kk R t).1 && allB (fun j => decide (j = list_max t)
    || decide ((inth (logitv M F kk R t) j).2 < (inth (logitv M F kk R t) (list_max t)).1)) M.V)

end Input

/-- The brute-force check: `N ≤ #{t : t proven correct}`. -/
def check_bf_tl (M : TLModel) (F kk N : Nat) : Bool :=
  basic_ok_tl M F && (rowsOk M (rowTab M F)
    && decide (N ≤ (filt (proven M F kk (rowTab M F)) (all_inputs M.V M.n)).length))

/-! ## Soundness -/

theorem inth_tab (c : Nat) (f : Nat → itv) (j : Nat) (h : j < c) : inth (tabulate c f) j = f j :=
  nth_tabulate c f j (0, 0) h

theorem basic_ok_tl_spec {M : TLModel} {F : Nat} (h : basic_ok_tl M F = true) :
    1 ≤ M.n ∧ 1 ≤ M.h ∧ 1 ≤ M.d ∧ 1 ≤ F ∧ M.s ≤ F ∧ scale_ok F M.h = true := by
  have ⟨c1, h1⟩ := band_elim h
  have ⟨c2, h2⟩ := band_elim h1
  have ⟨c3, h3⟩ := band_elim h2
  have ⟨c4, h4⟩ := band_elim h3
  have ⟨c5, h5⟩ := band_elim h4
  have ⟨c6, _⟩ := band_elim h5
  exact ⟨dec_true c1, dec_true c2, dec_true c3, dec_true c4, dec_true c5, c6⟩

theorem getrow_tab (M : TLModel) (F tok i : Nat) (ht : tok < M.V) (hi : i < M.n) :
    getrow (rowTab M F) tok i = mkrow M F tok i := by
  have e1 : nth tok (rowTab M F) [] = tabulate M.n (fun i => mkrow M F tok i) :=
    nth_tabulate M.V (fun tok => tabulate M.n (fun i => mkrow M F tok i)) tok [] ht
  show nth i (nth tok (rowTab M F) []) dflt_row = mkrow M F tok i
  rw [e1]
  exact nth_tabulate M.n (fun i => mkrow M F tok i) i dflt_row hi

theorem rowsOk_spec (M : TLModel) (F tok i : Nat) (h : rowsOk M (rowTab M F) = true)
    (ht : tok < M.V) (hi : i < M.n) : (mkrow M F tok i).rok = true := by
  have h1 : allB (fun i => (getrow (rowTab M F) tok i).rok) M.n = true :=
    allB_spec (fun tok => allB (fun i => (getrow (rowTab M F) tok i).rok) M.n) M.V h tok ht
  have h2 : (getrow (rowTab M F) tok i).rok = true :=
    allB_spec (fun i => (getrow (rowTab M F) tok i).rok) M.n h1 i hi
  rw [getrow_tab M F tok i ht hi] at h2
  exact h2

theorem all_inputs_valid_tl (M : TLModel) (t : List Nat) (ht : t ∈ all_inputs M.V M.n) :
    valid M t := by
  have ⟨hl, hi⟩ := mem_prod_list 0 (rep M.n (seq 0 M.V)) t ht
  rw [length_rep] at hl
  refine ⟨hl, ?_⟩
  intro a ha
  have ⟨i, hi', e⟩ := mem_nth 0 t a ha
  have hmem := hi i (by rw [length_rep]; omega)
  rw [nth_rep (seq 0 M.V) [] M.n i (by omega), e] at hmem
  have := mem_seq 0 M.V a hmem
  omega

theorem Zsum_nonneg : ∀ (n : Nat) (f : Nat → Int), (∀ l, l < n → 0 ≤ f l) → 0 ≤ Zsum n f
  | 0, _, _ => Int.le_refl 0
  | n + 1, f, hf => by
    show 0 ≤ Zsum n f + f n
    have h1 := Zsum_nonneg n f (fun l hl => hf l (by omega))
    have h2 := hf n (by omega)
    omega

theorem Zsum_ge_term : ∀ (n : Nat) (f : Nat → Int), (∀ l, l < n → 0 ≤ f l) →
    ∀ i, i < n → f i ≤ Zsum n f
  | 0, _, _, i, hi => absurd hi (Nat.not_lt_zero i)
  | n + 1, f, hf, i, hi => by
    show f i ≤ Zsum n f + f n
    by_cases hin : i = n
    · rw [hin]
      have h1 := Zsum_nonneg n f (fun l hl => hf l (by omega))
      omega
    · have h1 := Zsum_ge_term n f (fun l hl => hf l (by omega)) i (by omega)
      have h2 := hf n (by omega)
      omega

section Sound
variable {K : Type} [ExpField K]

/-! ### Field helpers -/

/-- `a + b + c = a + c + b`. -/
theorem add_right_comm' (a b c : K) : a + b + c = a + c + b := by
  rw [ExpField.add_assoc a b c, ExpField.add_comm b c, ← ExpField.add_assoc a c b]

theorem lt_of_mul_lt_mul_right' {a b c : K} (h : a * c < b * c) (hc : ofInt 0 < c) : a < b := by
  apply Classical.byContradiction
  intro hn
  have hba : b ≤ a := by
    apply Classical.byContradiction
    intro hn2
    exact hn (ExpField.lt_of_not_le _ _ hn2)
  have h1 := ExpField.mul_le_mul_of_nonneg_right c hba (ExpField.le_of_lt _ _ hc)
  exact ExpField.lt_irrefl _ (ExpField.lt_of_lt_of_le _ _ _ h h1)

/-- `a ≤ b * E` gives `a * inv E ≤ b` (`E > 0`). -/
theorem le_unshift {a b E : K} (hE : ofInt 0 < E) (h : a ≤ b * E) : a * inv E ≤ b := by
  have h1 := ExpField.mul_le_mul_of_nonneg_right (inv E) h (ExpField.le_of_lt _ _ (ExpField.inv_pos hE))
  rw [ExpField.mul_assoc b E (inv E), ExpField.mul_inv_cancel E (ExpField.ne_of_pos hE),
    ExpField.mul_one b] at h1
  exact h1

/-- `b * E ≤ a` gives `b ≤ a * inv E` (`E > 0`). -/
theorem unshift_le {a b E : K} (hE : ofInt 0 < E) (h : b * E ≤ a) : b ≤ a * inv E := by
  have h1 := ExpField.mul_le_mul_of_nonneg_right (inv E) h (ExpField.le_of_lt _ _ (ExpField.inv_pos hE))
  rw [ExpField.mul_assoc b E (inv E), ExpField.mul_inv_cancel E (ExpField.ne_of_pos hE),
    ExpField.mul_one b] at h1
  exact h1

/-- An integer `z` with `0 < e ≤ z * U`, `U > 0`, is non-negative. -/
theorem int_nonneg_of {z : Int} {U e : K} (hU : ofInt 0 < U) (he : ofInt 0 < e)
    (h : e ≤ ofInt z * U) : 0 ≤ z := by
  apply Classical.byContradiction
  intro hn
  have hz : (ofInt z : K) ≤ ofInt 0 := ExpField.ofInt_le z 0 (by omega)
  have h1 := ExpField.mul_le_mul_of_nonneg_right U hz (ExpField.le_of_lt _ _ hU)
  rw [ExpField.zero_mul U] at h1
  exact ExpField.lt_irrefl _ (ExpField.lt_of_lt_of_le _ _ _ he (ExpField.le_trans _ _ _ h h1))

theorem Rsum_ofInt_mul (U : K) : ∀ (n : Nat) (W : Nat → Int),
    Rsum n (fun l => ofInt (W l) * U) = ofInt (Zsum n W) * U
  | 0, _ => by
    show (ofInt 0 : K) = ofInt 0 * U
    rw [ExpField.zero_mul U]
  | n + 1, W => by
    show Rsum n (fun l => ofInt (W l) * U) + ofInt (W n) * U = ofInt (Zsum n W + W n) * U
    rw [Rsum_ofInt_mul U n W, ExpField.ofInt_add (Zsum n W) (W n),
      ExpField.add_mul (ofInt (Zsum n W)) (ofInt (W n)) U]

theorem Rsum_ge_term : ∀ (n : Nat) (f : Nat → K), (∀ l, l < n → ofInt 0 ≤ f l) →
    ∀ i, i < n → f i ≤ Rsum n f
  | 0, _, _, i, hi => absurd hi (Nat.not_lt_zero i)
  | n + 1, f, hf, i, hi => by
    rw [Rsum_succ n f]
    by_cases hin : i = n
    · rw [hin]
      have h0 := Rsum_nonneg n f (fun l hl => hf l (by omega))
      have h1 := ExpField.add_le_add_right (f n) h0
      rw [ExpField.zero_add (f n)] at h1
      exact h1
    · have h1 := Rsum_ge_term n f (fun l hl => hf l (by omega)) i (by omega)
      have h2 := ExpField.add_le_add_left (ofInt 0) (f n) (Rsum n f) (hf n (by omega))
      rw [ExpField.add_zero (Rsum n f)] at h2
      exact ExpField.le_trans _ _ _ h1 h2

/-- `f ≤ q` termwise gives `Rsum n f + q i ≤ Rsum n q + f i` for `i < n`. -/
theorem Rsum_swap_term : ∀ (n : Nat) (f q : Nat → K), (∀ l, l < n → f l ≤ q l) →
    ∀ i, i < n → Rsum n f + q i ≤ Rsum n q + f i
  | 0, _, _, _, i, hi => absurd hi (Nat.not_lt_zero i)
  | n + 1, f, q, hfq, i, hi => by
    rw [Rsum_succ n f, Rsum_succ n q]
    by_cases hin : i = n
    · rw [hin, ExpField.add_assoc (Rsum n f) (f n) (q n), ExpField.add_assoc (Rsum n q) (q n) (f n),
        ExpField.add_comm (q n) (f n)]
      exact ExpField.add_le_add_right (f n + q n) (Rsum_le n f q (fun l hl => hfq l (by omega)))
    · rw [add_right_comm' (Rsum n f) (f n) (q i), add_right_comm' (Rsum n q) (q n) (f i)]
      exact ExpField.add_le_add (Rsum_swap_term n f q (fun l hl => hfq l (by omega)) i (by omega))
        (hfq n (by omega))

/-! ### The attention weights -/

/-- `a * S ≤ e * D`, `S > 0`, `p ≥ 0` give `a * p ≤ e * inv S * p * D`. -/
theorem frac_lo {a S e D p : K} (hS : ofInt 0 < S) (hp : ofInt 0 ≤ p) (h : a * S ≤ e * D) :
    a * p ≤ e * inv S * p * D := by
  have h1 := ExpField.mul_le_mul_of_nonneg_right (inv S * p) h
    (ExpField.mul_nonneg (ExpField.le_of_lt _ _ (ExpField.inv_pos hS)) hp)
  rw [← ExpField.mul_assoc (a * S) (inv S) p, ExpField.mul_assoc a S (inv S),
    ExpField.mul_inv_cancel S (ExpField.ne_of_pos hS), ExpField.mul_one a,
    ExpField.mul_mul_mul_comm e D (inv S) p, ExpField.mul_comm D p,
    ← ExpField.mul_assoc (e * inv S) p D] at h1
  exact h1

/-- `e * D ≤ hh * S`, `S > 0`, `p ≥ 0` give `e * inv S * p * D ≤ hh * p`. -/
theorem frac_hi {hh S e D p : K} (hS : ofInt 0 < S) (hp : ofInt 0 ≤ p) (h : e * D ≤ hh * S) :
    e * inv S * p * D ≤ hh * p := by
  have h1 := ExpField.mul_le_mul_of_nonneg_right (inv S * p) h
    (ExpField.mul_nonneg (ExpField.le_of_lt _ _ (ExpField.inv_pos hS)) hp)
  rw [← ExpField.mul_assoc (hh * S) (inv S) p, ExpField.mul_assoc hh S (inv S),
    ExpField.mul_inv_cancel S (ExpField.ne_of_pos hS), ExpField.mul_one hh,
    ExpField.mul_mul_mul_comm e D (inv S) p, ExpField.mul_comm D p,
    ← ExpField.mul_assoc (e * inv S) p D] at h1
  exact h1

/-- Lower end: `a U ≤ e`, `S + hh U ≤ T U + e`, `r + hh = T`, `a, r ≥ 0` give
`a S ≤ e (a + r)`. -/
theorem attn_lower_key {a r hh T U e S : K} (ha : ofInt 0 ≤ a) (hr : ofInt 0 ≤ r)
    (hT : r + hh = T) (H1 : a * U ≤ e) (H2 : S + hh * U ≤ T * U + e) : a * S ≤ e * (a + r) := by
  have m1 := ExpField.mul_le_mul_of_nonneg_left _ _ a H2 ha
  rw [← hT, ExpField.add_mul r hh U, ExpField.mul_add a S (hh * U),
    ExpField.mul_add a (r * U + hh * U) e, ExpField.mul_add a (r * U) (hh * U),
    add_right_comm' (a * (r * U)) (a * (hh * U)) (a * e)] at m1
  have m2 := ExpField.le_of_add_le_add_right m1
  have m3 : a * (r * U) ≤ r * e := by
    rw [ExpField.mul_left_comm a r U]
    exact ExpField.mul_le_mul_of_nonneg_left _ _ r H1 hr
  have m4 := ExpField.add_le_add_right (a * e) m3
  rw [ExpField.mul_add e a r, ExpField.mul_comm e a, ExpField.mul_comm e r,
    ExpField.add_comm (a * e) (r * e)]
  exact ExpField.le_trans _ _ _ m2 m4

/-- Upper end: `e ≤ hh U`, `T U + e ≤ S + a U`, `r + a = T`, `hh, r ≥ 0` give
`e (hh + r) ≤ hh S`. -/
theorem attn_upper_key {a r hh T U e S : K} (hh0 : ofInt 0 ≤ hh) (hr : ofInt 0 ≤ r)
    (hT : r + a = T) (H1 : e ≤ hh * U) (H2 : T * U + e ≤ S + a * U) : e * (hh + r) ≤ hh * S := by
  have m1 := ExpField.mul_le_mul_of_nonneg_left _ _ hh H2 hh0
  rw [← hT, ExpField.add_mul r a U, ExpField.mul_add hh (r * U + a * U) e,
    ExpField.mul_add hh (r * U) (a * U), add_right_comm' (hh * (r * U)) (hh * (a * U)) (hh * e),
    ExpField.mul_add hh S (a * U)] at m1
  have m2 := ExpField.le_of_add_le_add_right m1
  have m3 : r * e ≤ hh * (r * U) := by
    rw [ExpField.mul_left_comm hh r U]
    exact ExpField.mul_le_mul_of_nonneg_left _ _ r H1 hr
  have m4 := ExpField.add_le_add_right (hh * e) m3
  rw [ExpField.mul_add e hh r, ExpField.mul_comm e hh, ExpField.mul_comm e r,
    ExpField.add_comm (hh * e) (r * e)]
  exact ExpField.le_trans _ _ _ m4 m2

/-- The attention weight `e_i / sum_l e_l` lies in `attn_itv` when `WL_l U ≤ e_l ≤ WH_l U`. -/
theorem enc_attn (F n : Nat) (e : Nat → K) (WL WH : Nat → Int) (U : K) (i : Nat) (hi : i < n)
    (hU : ofInt 0 < U) (he : ∀ l, l < n → ofInt 0 < e l) (hWL : ∀ l, l < n → 0 ≤ WL l)
    (hlo : ∀ l, l < n → ofInt (WL l) * U ≤ e l) (hhi : ∀ l, l < n → e l ≤ ofInt (WH l) * U) :
    enc F (attn_itv F (WL i) (WH i) (Zsum n WL) (Zsum n WH)) (e i * inv (Rsum n e)) := by
  have hS : ofInt 0 < Rsum n e := Rsum_pos n e (by omega) he
  have hWH : ∀ l, l < n → 0 ≤ WH l := fun l hl => int_nonneg_of hU (he l hl) (hhi l hl)
  have hP : (ofInt 0 : K) < pw F := pw_pos F
  have hA : ofInt 0 < e i * inv (Rsum n e) := ExpField.mul_pos (he i hi) (ExpField.inv_pos hS)
  have H2 : Rsum n e + ofInt (WH i) * U ≤ Rsum n (fun l => ofInt (WH l) * U) + e i :=
    Rsum_swap_term n e (fun l => ofInt (WH l) * U) (fun l hl => hhi l hl) i hi
  rw [Rsum_ofInt_mul U n WH] at H2
  have H2' : Rsum n (fun l => ofInt (WL l) * U) + e i ≤ Rsum n e + ofInt (WL i) * U :=
    Rsum_swap_term n (fun l => ofInt (WL l) * U) e (fun l hl => hlo l hl) i hi
  rw [Rsum_ofInt_mul U n WL] at H2'
  have hr : 0 ≤ Zsum n WH - WH i := by
    have := Zsum_ge_term n WH hWH i hi
    omega
  have hr' : 0 ≤ Zsum n WL - WL i := by
    have := Zsum_ge_term n WL hWL i hi
    omega
  have hT : (ofInt (Zsum n WH - WH i) : K) + ofInt (WH i) = ofInt (Zsum n WH) := by
    have ei : Zsum n WH - WH i + WH i = Zsum n WH := by omega
    rw [← ExpField.ofInt_add (Zsum n WH - WH i) (WH i), ei]
  have hT' : (ofInt (Zsum n WL - WL i) : K) + ofInt (WL i) = ofInt (Zsum n WL) := by
    have ei : Zsum n WL - WL i + WL i = Zsum n WL := by omega
    rw [← ExpField.ofInt_add (Zsum n WL - WL i) (WL i), ei]
  show ofInt (if 0 < WL i + (Zsum n WH - WH i)
        then fdiv (WL i * (2 : Int) ^ F) (WL i + (Zsum n WH - WH i)) else 0)
      ≤ e i * inv (Rsum n e) * pw F
    ∧ e i * inv (Rsum n e) * pw F
      ≤ ofInt (if 0 < WH i + (Zsum n WL - WL i)
        then cdiv (WH i * (2 : Int) ^ F) (WH i + (Zsum n WL - WL i)) else (2 : Int) ^ F)
  refine ⟨?_, ?_⟩
  · by_cases hd : 0 < WL i + (Zsum n WH - WH i)
    · rw [if_pos hd]
      apply ofInt_fdiv_le (WL i * (2 : Int) ^ F) (WL i + (Zsum n WH - WH i)) hd
      rw [ExpField.ofInt_mul (WL i) ((2 : Int) ^ F), ← pw_def F,
        ExpField.ofInt_add (WL i) (Zsum n WH - WH i)]
      apply frac_lo hS (ExpField.le_of_lt _ _ hP)
      exact attn_lower_key (ExpField.ofInt_le 0 _ (hWL i hi)) (ExpField.ofInt_le 0 _ hr) hT
        (hlo i hi) H2
    · rw [if_neg hd]
      exact ExpField.le_of_lt _ _ (ExpField.mul_pos hA hP)
  · by_cases hd : 0 < WH i + (Zsum n WL - WL i)
    · rw [if_pos hd]
      apply le_ofInt_cdiv (WH i * (2 : Int) ^ F) (WH i + (Zsum n WL - WL i)) hd
      rw [ExpField.ofInt_mul (WH i) ((2 : Int) ^ F), ← pw_def F,
        ExpField.ofInt_add (WH i) (Zsum n WL - WL i)]
      apply frac_hi hS (ExpField.le_of_lt _ _ hP)
      exact attn_upper_key (ExpField.ofInt_le 0 _ (hWH i hi)) (ExpField.ofInt_le 0 _ hr') hT'
        (hhi i hi) H2'
    · rw [if_neg hd, ← pw_def F]
      have h0 : e i ≤ Rsum n e := Rsum_ge_term n e (fun l hl => ExpField.le_of_lt _ _ (he l hl)) i hi
      have h1 := ExpField.mul_le_mul_of_nonneg_right (inv (Rsum n e)) h0
        (ExpField.le_of_lt _ _ (ExpField.inv_pos hS))
      rw [ExpField.mul_inv_cancel (Rsum n e) (ExpField.ne_of_pos hS)] at h1
      have h2 := ExpField.mul_le_mul_of_nonneg_right (pw F) h1 (ExpField.le_of_lt _ _ hP)
      rw [ExpField.one_mul (pw F)] at h2
      exact h2

/-! ### Affine maps, LayerNorm, rows -/

theorem enc_iwt (M : TLModel) (F : Nat) (hsF : M.s ≤ F) (z : Int) :
    enc F (iwt M F z) (wt M z : K) :=
  enc_iw z hsF

theorem enc_ivm (M : TLModel) (F m : Nat) (u : List itv) (ur : Nat → K) (A : List (List Int))
    (j : Nat) (hu : ∀ k, k < m → enc F (inth u k) (ur k)) :
    enc F (ivm M m u A j) (vecmat M m ur A j) := by
  show enc F (isum m (fun k => iscale M.s (inth u k) (nth j (nth k A []) 0)))
    (Rsum m (fun k => ur k * ent M A k j))
  exact enc_isum F m (fun k => iscale M.s (inth u k) (nth j (nth k A []) 0))
    (fun k => ur k * ent M A k j) (fun k hk => enc_iscale M.s (nth j (nth k A []) 0) (hu k hk))

theorem enc_iaff (M : TLModel) (F : Nat) (hsF : M.s ≤ F) (m : Nat) (u : List itv) (ur : Nat → K)
    (A : List (List Int)) (b : List Int) (c j : Nat) (hu : ∀ k, k < m → enc F (inth u k) (ur k))
    (hj : j < c) : enc F (inth (iaff M F m u A b c) j) (vecmat M m ur A j + vent M b j) := by
  have e : inth (iaff M F m u A b c) j = iadd (ivm M m u A j) (iwt M F (nth j b 0)) :=
    inth_tab c (fun j => iadd (ivm M m u A j) (iwt M F (nth j b 0))) j hj
  rw [e]
  exact enc_iadd (enc_ivm M F m u ur A j hu) (enc_iwt M F hsF (nth j b 0))

theorem enc_ix (M : TLModel) (F : Nat) (hsF : M.s ≤ F) (t : List Nat) (i k : Nat) (hk : k < M.d) :
    enc F (inth (ix M F (nth i t 0) i) k) (x M t i k : K) := by
  have e : inth (ix M F (nth i t 0) i) k
      = iadd (iwt M F (nth k (nth (nth i t 0) M.E []) 0)) (iwt M F (nth k (nth i M.Pos []) 0)) :=
    inth_tab M.d (fun k => iadd (iwt M F (nth k (nth (nth i t 0) M.E []) 0))
      (iwt M F (nth k (nth i M.Pos []) 0))) k hk
  rw [e]
  exact enc_iadd (enc_iwt M F hsF (nth k (nth (nth i t 0) M.E []) 0))
    (enc_iwt M F hsF (nth k (nth i M.Pos []) 0))

theorem enc_lnout {g : K → K} (hg : IsInvSqrtFn g) (M : TLModel) (F : Nat) (hsF : M.s ≤ F)
    (hd : 1 ≤ M.d) (u : List itv) (ur : Nat → K) (w b : List Int)
    (hu : ∀ k, k < M.d → enc F (inth u k) (ur k))
    (hok : isqrt_ok F (lnvar M F u) M.epsNum M.epsDen = true) (k : Nat) (hk : k < M.d) :
    enc F (inth (lnout M F u w b) k) (layernorm M g ur w b k) := by
  have hdZ : (0 : Int) < (M.d : Int) := by omega
  have hmu : enc F (lnmu M u) (Rsum M.d ur * inv (ofInt (M.d : Int))) :=
    enc_idiv hdZ (enc_isum F M.d (inth u) ur hu)
  have hcs : ∀ l, l < M.d → enc F (inth (lncs M u) l)
      (ur l + -(Rsum M.d ur * inv (ofInt (M.d : Int)))) := by
    intro l hl
    have e : inth (lncs M u) l = isub (inth u l) (lnmu M u) :=
      inth_tab M.d (fun k => isub (inth u k) (lnmu M u)) l hl
    rw [e]
    exact enc_isub (hu l hl) hmu
  have hvar : enc F (lnvar M F u)
      (Rsum M.d (fun l => (ur l + -(Rsum M.d ur * inv (ofInt (M.d : Int))))
        * (ur l + -(Rsum M.d ur * inv (ofInt (M.d : Int))))) * inv (ofInt (M.d : Int))) :=
    enc_idiv hdZ (enc_isum F M.d (fun l => isq F (inth (lncs M u) l))
      (fun l => (ur l + -(Rsum M.d ur * inv (ofInt (M.d : Int))))
        * (ur l + -(Rsum M.d ur * inv (ofInt (M.d : Int)))))
      (fun l hl => enc_isq (hcs l hl)))
  have hv0 : ofInt 0 ≤ Rsum M.d (fun l => (ur l + -(Rsum M.d ur * inv (ofInt (M.d : Int))))
        * (ur l + -(Rsum M.d ur * inv (ofInt (M.d : Int))))) * inv (ofInt (M.d : Int)) :=
    ExpField.mul_nonneg
      (Rsum_nonneg M.d _ (fun l _ => mul_self_nonneg' (ur l + -(Rsum M.d ur * inv (ofInt (M.d : Int))))))
      (ExpField.le_of_lt _ _ (ExpField.inv_pos (ExpField.ofInt_lt 0 _ hdZ)))
  have hrho := enc_iinvsqrt hg hok hvar hv0
  have e : inth (lnout M F u w b) k = iadd (iscale M.s (imul F (inth (lncs M u) k)
      (iinvsqrt F (lnvar M F u) M.epsNum M.epsDen)) (nth k w 0)) (iwt M F (nth k b 0)) :=
    inth_tab M.d (fun k => iadd (iscale M.s (imul F (inth (lncs M u) k)
      (iinvsqrt F (lnvar M F u) M.epsNum M.epsDen)) (nth k w 0)) (iwt M F (nth k b 0))) k hk
  rw [e]
  exact enc_iadd (enc_iscale M.s (nth k w 0) (enc_imul (hcs k hk) hrho)) (enc_iwt M F hsF (nth k b 0))

theorem enc_yrow {g : K → K} (hg : IsInvSqrtFn g) (M : TLModel) (F : Nat) (hsF : M.s ≤ F)
    (hd : 1 ≤ M.d) (t : List Nat) (i : Nat) (hok : (yrow M F (nth i t 0) i).1 = true) :
    ∀ k, k < M.d → enc F (inth (yrow M F (nth i t 0) i).2 k) (y M g t i k) := by
  intro k hk
  by_cases hl : M.ln = true
  · have e : yrow M F (nth i t 0) i
        = (isqrt_ok F (lnvar M F (ix M F (nth i t 0) i)) M.epsNum M.epsDen,
           lnout M F (ix M F (nth i t 0) i) M.ln1w M.ln1b) := if_pos hl
    have ey : y M g t i = layernorm M g (x M t i) M.ln1w M.ln1b := if_pos hl
    rw [e] at hok
    rw [e, ey]
    exact enc_lnout hg M F hsF hd (ix M F (nth i t 0) i) (x M t i) M.ln1w M.ln1b
      (fun k' hk' => enc_ix M F hsF t i k' hk') hok k hk
  · have e : yrow M F (nth i t 0) i = (true, ix M F (nth i t 0) i) := if_neg hl
    have ey : y M g t i = x M t i := if_neg hl
    rw [e, ey]
    exact enc_ix M F hsF t i k hk

/-! ### One input -/

theorem enc_logits {g : K → K} (hg : IsInvSqrtFn g) (M : TLModel) (F kk : Nat)
    (R : List (List row)) (t : List Nat) (hb : basic_ok_tl M F = true) (hv : valid M t)
    (hrow : ∀ i, i < M.n → prow R t i = mkrow M F (nth i t 0) i)
    (hrok : ∀ i, i < M.n → (mkrow M F (nth i t 0) i).rok = true)
    (hex : explo_ok M F kk R t = true) (hfin : (finv M F kk R t).1 = true)
    (j : Nat) (hj : j < M.V) : enc F (inth (logitv M F kk R t) j) (logit M g t j) := by
  have ⟨hn, _, hd, _, hsF, hsc⟩ := basic_ok_tl_spec hb
  have hY : ∀ i, i < M.n → ∀ k, k < M.d → enc F (inth (yrow M F (nth i t 0) i).2 k) (y M g t i k) :=
    fun i hi => enc_yrow hg M F hsF hd t i (hrok i hi)
  have hq : qrow M R t = mkrow M F (nth (M.n - 1) t 0) (M.n - 1) := hrow (M.n - 1) (by omega)
  -- query, keys, values
  have hQ : ∀ j', j' < M.h → enc F (inth (qrow M R t).rq j') (qv M g t j') := by
    intro j' hj'
    rw [hq]
    exact enc_iaff M F hsF M.d (yrow M F (nth (M.n - 1) t 0) (M.n - 1)).2 (y M g t (M.n - 1)) M.WQ
      M.bQ M.h j' (hY (M.n - 1) (by omega)) hj'
  have hK : ∀ i, i < M.n → ∀ j', j' < M.h → enc F (inth (prow R t i).rk j') (kv M g t i j') := by
    intro i hi j' hj'
    rw [hrow i hi]
    exact enc_iaff M F hsF M.d (yrow M F (nth i t 0) i).2 (y M g t i) M.WK M.bK M.h j' (hY i hi) hj'
  have hV : ∀ i, i < M.n → ∀ j', j' < M.h → enc F (inth (prow R t i).rv j') (vv M g t i j') := by
    intro i hi j' hj'
    rw [hrow i hi]
    exact enc_iaff M F hsF M.d (yrow M F (nth i t 0) i).2 (y M g t i) M.WV M.bV M.h j' (hY i hi) hj'
  -- the scale 1 / sqrt h
  have hscale : enc F ((SLO F M.h, SHI F M.h) : itv) (g (ofInt (M.h : Int))) := by
    have ⟨s1, s2⟩ := band_elim hsc
    have ⟨s3, s4⟩ := band_elim s2
    have ⟨s5, s6⟩ := band_elim s4
    have hh0 : 0 < M.h := dec_true s1
    have hslo : 0 ≤ SLO F M.h := dec_true s3
    have c1 : SLO F M.h * SLO F M.h * (M.h : Int) ≤ (2 : Int) ^ F * (2 : Int) ^ F := dec_true s5
    have c2 : (2 : Int) ^ F * (2 : Int) ^ F ≤ SHI F M.h * SHI F M.h * (M.h : Int) := dec_true s6
    have hw : (ofInt 0 : K) < ofInt (M.h : Int) := ExpField.ofInt_lt 0 _ (by omega)
    have k1 := ExpField.ofInt_le (K := K) _ _ c1
    rw [ExpField.ofInt_mul (SLO F M.h * SLO F M.h) (M.h : Int),
      ExpField.ofInt_mul (SLO F M.h) (SLO F M.h), ExpField.ofInt_mul ((2 : Int) ^ F) ((2 : Int) ^ F),
      ← pw_def F] at k1
    have k2 := ExpField.ofInt_le (K := K) _ _ c2
    rw [ExpField.ofInt_mul (SHI F M.h * SHI F M.h) (M.h : Int),
      ExpField.ofInt_mul (SHI F M.h) (SHI F M.h), ExpField.ofInt_mul ((2 : Int) ^ F) ((2 : Int) ^ F),
      ← pw_def F] at k2
    have hshi : (ofInt 0 : K) ≤ ofInt (SHI F M.h) :=
      ExpField.ofInt_le 0 _ (by show 0 ≤ SLO F M.h + 1; omega)
    show ofInt (SLO F M.h) ≤ g (ofInt (M.h : Int)) * pw F
      ∧ g (ofInt (M.h : Int)) * pw F ≤ ofInt (SHI F M.h)
    exact ⟨le_g_scaled hg hw (pw_pos F) k1, g_le_scaled hg hw hshi k2⟩
  -- scores
  have hS : ∀ i, i < M.n → enc F (inth (scores M F R t) i) (score M g t i) := by
    intro i hi
    have e : inth (scores M F R t) i = imul F (isum M.h (fun j' => imul F (inth (qrow M R t).rq j')
        (inth (prow R t i).rk j'))) (SLO F M.h, SHI F M.h) :=
      inth_tab M.n (fun i => imul F (isum M.h (fun j' => imul F (inth (qrow M R t).rq j')
        (inth (prow R t i).rk j'))) (SLO F M.h, SHI F M.h)) i hi
    rw [e]
    exact enc_imul (enc_isum F M.h (fun j' => imul F (inth (qrow M R t).rq j') (inth (prow R t i).rk j'))
      (fun j' => qv M g t j' * kv M g t i j') (fun j' hj' => enc_imul (hQ j' hj') (hK i hi j' hj')))
      hscale
  -- attention weights
  have hA : ∀ i, i < M.n → enc F (inth (attnv M F kk R t) i) (attn M g t i) := by
    intro i hi
    have hE : (ofInt 0 : K) < exp (ofInt (-(smax M F R t)) * inv (pw F)) := ExpField.exp_pos _
    have hEx : ∀ l, l < M.n → wex M F kk R t ≤ (nth l (wlo M F kk R t) (0, 0)).2
        ∧ wex M F kk R t ≤ (nth l (whi M F kk R t) (0, 0)).2 := by
      intro l hl
      have h2 : wex M F kk R t
          ≤ min (nth l (wlo M F kk R t) (0, 0)).2 (nth l (whi M F kk R t) (0, 0)).2 :=
        zmin_list_le ((seq 0 M.n).map (fun i => min (nth i (wlo M F kk R t) (0, 0)).2
            (nth i (whi M F kk R t) (0, 0)).2))
          (min (nth l (wlo M F kk R t) (0, 0)).2 (nth l (whi M F kk R t) (0, 0)).2)
          (mem_map_of_mem' (fun i => min (nth i (wlo M F kk R t) (0, 0)).2
            (nth i (whi M F kk R t) (0, 0)).2) (seq 0 M.n) l (mem_seq_of 0 M.n l (Nat.zero_le l) (by omega)))
      exact ⟨by omega, by omega⟩
    have eWL : ∀ l, l < M.n → nth l (WLv M F kk R t) 0
        = dalign (EXPLO F kk ((inth (scores M F R t) l).1 - smax M F R t)) (wex M F kk R t) := by
      intro l hl
      have e1 : nth l (WLv M F kk R t) 0 = dalign (nth l (wlo M F kk R t) (0, 0)) (wex M F kk R t) :=
        nth_tabulate M.n (fun i => dalign (nth i (wlo M F kk R t) (0, 0)) (wex M F kk R t)) l 0 hl
      have e2 : nth l (wlo M F kk R t) (0, 0)
          = EXPLO F kk ((inth (scores M F R t) l).1 - smax M F R t) :=
        nth_tabulate M.n (fun i => EXPLO F kk ((inth (scores M F R t) i).1 - smax M F R t)) l (0, 0) hl
      rw [e1, e2]
    have eWH : ∀ l, l < M.n → nth l (WHv M F kk R t) 0
        = dalign (EXPHI F kk ((inth (scores M F R t) l).2 - smax M F R t)) (wex M F kk R t) := by
      intro l hl
      have e1 : nth l (WHv M F kk R t) 0 = dalign (nth l (whi M F kk R t) (0, 0)) (wex M F kk R t) :=
        nth_tabulate M.n (fun i => dalign (nth i (whi M F kk R t) (0, 0)) (wex M F kk R t)) l 0 hl
      have e2 : nth l (whi M F kk R t) (0, 0)
          = EXPHI F kk ((inth (scores M F R t) l).2 - smax M F R t) :=
        nth_tabulate M.n (fun i => EXPHI F kk ((inth (scores M F R t) i).2 - smax M F R t)) l (0, 0) hl
      rw [e1, e2]
    have eLo : ∀ l, l < M.n → nth l (wlo M F kk R t) (0, 0)
        = EXPLO F kk ((inth (scores M F R t) l).1 - smax M F R t) := fun l hl =>
      nth_tabulate M.n (fun i => EXPLO F kk ((inth (scores M F R t) i).1 - smax M F R t)) l (0, 0) hl
    have eHi : ∀ l, l < M.n → nth l (whi M F kk R t) (0, 0)
        = EXPHI F kk ((inth (scores M F R t) l).2 - smax M F R t) := fun l hl =>
      nth_tabulate M.n (fun i => EXPHI F kk ((inth (scores M F R t) i).2 - smax M F R t)) l (0, 0) hl
    have hWL0 : ∀ l, l < M.n → 0 ≤ nth l (WLv M F kk R t) 0 := by
      intro l hl
      rw [eWL l hl]
      show 0 ≤ (EXPLO F kk ((inth (scores M F R t) l).1 - smax M F R t)).1
        * (2 : Int) ^ ((EXPLO F kk ((inth (scores M F R t) l).1 - smax M F R t)).2 - wex M F kk R t).toNat
      exact Int.mul_nonneg (EXPLO_nonneg F kk _) (Int.le_of_lt (pow2_pos _))
    have hlo : ∀ l, l < M.n → ofInt (nth l (WLv M F kk R t) 0)
        * (zpow2 (wex M F kk R t) * inv (exp (ofInt (-(smax M F R t)) * inv (pw F))))
        ≤ exp (score M g t l) := by
      intro l hl
      have hx : wex M F kk R t ≤ (EXPLO F kk ((inth (scores M F R t) l).1 - smax M F R t)).2 := by
        have h0 := (hEx l hl).1
        rw [eLo l hl] at h0
        exact h0
      have ⟨s1, _⟩ : ofInt (inth (scores M F R t) l).1 ≤ score M g t l * pw F
          ∧ score M g t l * pw F ≤ ofInt (inth (scores M F R t) l).2 := hS l hl
      rw [ExpField.mul_comm (score M g t l) (pw F)] at s1
      have h1 := wlo_le F kk (smax M F R t) _ (score M g t l) s1
      rw [← dval_align _ _ hx, ← eWL l hl,
        ExpField.exp_add (score M g t l) (ofInt (-(smax M F R t)) * inv (pw F))] at h1
      have h2 := le_unshift hE h1
      rw [ExpField.mul_assoc (ofInt (nth l (WLv M F kk R t) 0)) (zpow2 (wex M F kk R t))
        (inv (exp (ofInt (-(smax M F R t)) * inv (pw F))))] at h2
      exact h2
    have hhi : ∀ l, l < M.n → exp (score M g t l)
        ≤ ofInt (nth l (WHv M F kk R t) 0)
          * (zpow2 (wex M F kk R t) * inv (exp (ofInt (-(smax M F R t)) * inv (pw F)))) := by
      intro l hl
      have hx : wex M F kk R t ≤ (EXPHI F kk ((inth (scores M F R t) l).2 - smax M F R t)).2 := by
        have h0 := (hEx l hl).2
        rw [eHi l hl] at h0
        exact h0
      have ⟨_, s2⟩ : ofInt (inth (scores M F R t) l).1 ≤ score M g t l * pw F
          ∧ score M g t l * pw F ≤ ofInt (inth (scores M F R t) l).2 := hS l hl
      rw [ExpField.mul_comm (score M g t l) (pw F)] at s2
      have hpos : 0 < (EXPLO F kk (-((inth (scores M F R t) l).2 - smax M F R t))).1 :=
        dec_true (allB_spec (fun i => decide (0 < (EXPLO F kk
          (-((inth (scores M F R t) i).2 - smax M F R t))).1)) M.n hex l hl)
      have h1 := whi_ge F kk (smax M F R t) _ (score M g t l) s2 hpos
      rw [← dval_align _ _ hx, ← eWH l hl,
        ExpField.exp_add (score M g t l) (ofInt (-(smax M F R t)) * inv (pw F))] at h1
      have h2 := unshift_le hE h1
      rw [ExpField.mul_assoc (ofInt (nth l (WHv M F kk R t) 0)) (zpow2 (wex M F kk R t))
        (inv (exp (ofInt (-(smax M F R t)) * inv (pw F))))] at h2
      exact h2
    have e : inth (attnv M F kk R t) i = attn_itv F (nth i (WLv M F kk R t) 0) (nth i (WHv M F kk R t) 0)
        (Zsum M.n (fun l => nth l (WLv M F kk R t) 0)) (Zsum M.n (fun l => nth l (WHv M F kk R t) 0)) :=
      inth_tab M.n (fun i => attn_itv F (nth i (WLv M F kk R t) 0) (nth i (WHv M F kk R t) 0)
        (Zsum M.n (fun l => nth l (WLv M F kk R t) 0)) (Zsum M.n (fun l => nth l (WHv M F kk R t) 0))) i hi
    rw [e]
    exact enc_attn F M.n (fun l => exp (score M g t l)) (fun l => nth l (WLv M F kk R t) 0)
      (fun l => nth l (WHv M F kk R t) 0)
      (zpow2 (wex M F kk R t) * inv (exp (ofInt (-(smax M F R t)) * inv (pw F)))) i hi
      (ExpField.mul_pos (zpow2_pos _) (ExpField.inv_pos hE)) (fun l _ => ExpField.exp_pos _)
      hWL0 hlo hhi
  -- head output, residual, ln_final, logits
  have hZ : ∀ j', j' < M.h → enc F (inth (zhv M F kk R t) j') (zh M g t j') := by
    intro j' hj'
    have e : inth (zhv M F kk R t) j'
        = isum M.n (fun i => imul F (inth (attnv M F kk R t) i) (inth (prow R t i).rv j')) :=
      inth_tab M.h (fun j => isum M.n (fun i => imul F (inth (attnv M F kk R t) i)
        (inth (prow R t i).rv j))) j' hj'
    rw [e]
    exact enc_isum F M.n (fun i => imul F (inth (attnv M F kk R t) i) (inth (prow R t i).rv j'))
      (fun i => attn M g t i * vv M g t i j') (fun i hi => enc_imul (hA i hi) (hV i hi j' hj'))
  have hR : ∀ k, k < M.d → enc F (inth (residv M F kk R t) k) (resid M g t k) := by
    intro k hk
    have e : inth (residv M F kk R t) k = iadd (iadd (inth (ix M F (nth (M.n - 1) t 0) (M.n - 1)) k)
        (ivm M M.h (zhv M F kk R t) M.WO k)) (iwt M F (nth k M.bO 0)) :=
      inth_tab M.d (fun k => iadd (iadd (inth (ix M F (nth (M.n - 1) t 0) (M.n - 1)) k)
        (ivm M M.h (zhv M F kk R t) M.WO k)) (iwt M F (nth k M.bO 0))) k hk
    rw [e]
    exact enc_iadd (enc_iadd (enc_ix M F hsF t (M.n - 1) k hk)
      (enc_ivm M F M.h (zhv M F kk R t) (zh M g t) M.WO k hZ)) (enc_iwt M F hsF (nth k M.bO 0))
  have hFin : ∀ k, k < M.d → enc F (inth (finv M F kk R t).2 k) (fin M g t k) := by
    intro k hk
    by_cases hl : M.ln = true
    · have e : finv M F kk R t
          = (isqrt_ok F (lnvar M F (residv M F kk R t)) M.epsNum M.epsDen,
             lnout M F (residv M F kk R t) M.lnfw M.lnfb) := if_pos hl
      have ef : fin M g t = layernorm M g (resid M g t) M.lnfw M.lnfb := if_pos hl
      have hok := hfin
      rw [e] at hok
      rw [e, ef]
      exact enc_lnout hg M F hsF hd (residv M F kk R t) (resid M g t) M.lnfw M.lnfb hR hok k hk
    · have e : finv M F kk R t = (true, residv M F kk R t) := if_neg hl
      have ef : fin M g t = resid M g t := if_neg hl
      rw [e, ef]
      exact hR k hk
  exact enc_iaff M F hsF M.d (finv M F kk R t).2 (fin M g t) M.WU M.bU M.V j hFin hj

theorem proven_sound {g : K → K} (hg : IsInvSqrtFn g) (M : TLModel) (F kk : Nat) (t : List Nat)
    (hb : basic_ok_tl M F = true) (hrows : rowsOk M (rowTab M F) = true) (hv : valid M t)
    (hp : proven M F kk (rowTab M F) t = true) : correct M g t := by
  have ⟨hex, hp2⟩ := band_elim hp
  have ⟨hfin, hall⟩ := band_elim hp2
  have ⟨hn, _, _, _, _, _⟩ := basic_ok_tl_spec hb
  have ⟨hlen, hval⟩ : t.length = M.n ∧ (∀ a, a ∈ t → a < M.V) := hv
  have ht : ∀ i, i < M.n → nth i t 0 < M.V := fun i hi =>
    hval (nth i t 0) (nth_mem 0 t i (by omega))
  have hrow : ∀ i, i < M.n → prow (rowTab M F) t i = mkrow M F (nth i t 0) i :=
    fun i hi => getrow_tab M F (nth i t 0) i (ht i hi) hi
  have hrok : ∀ i, i < M.n → (mkrow M F (nth i t 0) i).rok = true :=
    fun i hi => rowsOk_spec M F (nth i t 0) i hrows (ht i hi) hi
  have hm : list_max t < M.V := by
    have h0 := ht 0 (by omega)
    have h1 := list_max_le t (M.V - 1) (fun a ha => by have := hval a ha; omega)
    omega
  intro j hj hjm
  have h1 : (decide (j = list_max t) || decide ((inth (logitv M F kk (rowTab M F) t) j).2
      < (inth (logitv M F kk (rowTab M F) t) (list_max t)).1)) = true :=
    allB_spec (fun j => decide (j = list_max t) || decide ((inth (logitv M F kk (rowTab M F) t) j).2
      < (inth (logitv M F kk (rowTab M F) t) (list_max t)).1)) M.V hall j hj
  cases bor_elim h1 with
  | inl h2 => exact absurd (dec_true h2) hjm
  | inr h2 =>
    have hlt : (inth (logitv M F kk (rowTab M F) t) j).2
        < (inth (logitv M F kk (rowTab M F) t) (list_max t)).1 := dec_true h2
    have ⟨_, u1⟩ : ofInt (inth (logitv M F kk (rowTab M F) t) j).1 ≤ logit M g t j * pw F
        ∧ logit M g t j * pw F ≤ ofInt (inth (logitv M F kk (rowTab M F) t) j).2 :=
      enc_logits hg M F kk (rowTab M F) t hb hv hrow hrok hex hfin j hj
    have ⟨l2, _⟩ : ofInt (inth (logitv M F kk (rowTab M F) t) (list_max t)).1
          ≤ logit M g t (list_max t) * pw F
        ∧ logit M g t (list_max t) * pw F
          ≤ ofInt (inth (logitv M F kk (rowTab M F) t) (list_max t)).2 :=
      enc_logits hg M F kk (rowTab M F) t hb hv hrow hrok hex hfin (list_max t) hm
    have h3 : logit M g t j * pw F < logit M g t (list_max t) * pw F :=
      ExpField.lt_of_le_of_lt _ _ _ u1
        (ExpField.lt_of_lt_of_le _ _ _ (ExpField.ofInt_lt _ _ hlt) l2)
    exact lt_of_mul_lt_mul_right' h3 (pw_pos F)

/-- Soundness of the brute-force check, proven once: for every `ExpField K` (e.g. the reals with
`Real.exp`) and every `g` that is `1 / sqrt` on the positives, `check_bf_tl M F kk N = true`
implies that at least `N` distinct valid inputs are classified correctly. -/
theorem check_bf_tl_sound (g : K → K) (hg : IsInvSqrtFn g) (M : TLModel) (F kk N : Nat)
    (hc : check_bf_tl M F kk N = true) : AccuracyAtLeast K g M N := by
  have ⟨hb, h1⟩ := band_elim hc
  have ⟨hrows, hN⟩ := band_elim h1
  refine ⟨filt (proven M F kk (rowTab M F)) (all_inputs M.V M.n),
    (nd_filt _ _ (nd_all_inputs M.V M.n)).nodup, ?_, dec_true hN⟩
  intro t ht
  have ⟨hin, hpc⟩ := mem_filt _ _ t ht
  have hv := all_inputs_valid_tl M t hin
  exact ⟨hv, proven_sound hg M F kk t hb hrows hv hpc⟩

end Sound

end Pybridge.TL
