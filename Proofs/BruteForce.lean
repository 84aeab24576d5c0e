/-
BruteForce: the strategy of CHECKING.md section 5, for small `V^n` (Lean mirror of
coq/theories/BruteForce.v).  `check_bf M P k N` enumerates all `V^n` inputs, counts those proven
correct (`LB_j > 0` for every `j ≠ max t`, `LB_j` an exact dyadic sum) and compares `N` with the
count; `check_bf_sound` turns `check_bf M P k N = true` into `AccuracyAtLeast K r M N` for every
`ExpField K` and `r = 1/sqrt h`.

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.Checker

namespace Pybridge

open ExpField (ofInt inv exp)

/-- All `V^n` inputs. -/
def all_inputs (V n : Nat) : List (List Nat) := prod_list (rep n (seq 0 V))

/-- `lb(D_i(j), WLO[q][t_i][i], WHI[q][t_i][i])`, the term of `LB_j` at position `i`. -/
def LB_term (M : Model) (T : tables) (t : List Nat) (j i : Nat) : dyadic :=
  lbD (Dz T (nth (M.n - 1) t 0) (nth i t 0) i (list_max t) j)
    (getd3 T.tWLO (nth (M.n - 1) t 0) (nth i t 0) i) (getd3 T.tWHI (nth (M.n - 1) t 0) (nth i t 0) i)

/-- `LB_j = sum_i lb(D_i(j), WLO[q][t_i][i], WHI[q][t_i][i])` (an exact dyadic). -/
def LB (M : Model) (T : tables) (t : List Nat) (j : Nat) : dyadic := dsum M.n (LB_term M T t j)

/-- `t` is proven correct: `LB_j > 0` for every `j ≠ max t`. -/
def proven_correct_bf (M : Model) (T : tables) (t : List Nat) : Bool :=
  allB (fun j => decide (j = list_max t) || dpos (LB M T t j)) M.V

/-- The brute-force check: `N ≤ #{t : t proven correct}`. -/
def check_bf (M : Model) (P k N : Nat) : Bool :=
  basic_ok M P k
    && decide (N ≤ (filt (proven_correct_bf M (compute_tables M P k)) (all_inputs M.V M.n)).length)

theorem all_inputs_valid (M : Model) (t : List Nat) (ht : t ∈ all_inputs M.V M.n) : valid M t := by
  have ⟨hl, hi⟩ := mem_prod_list 0 (rep M.n (seq 0 M.V)) t ht
  rw [length_rep] at hl
  refine ⟨hl, ?_⟩
  intro a ha
  have ⟨i, hi', e⟩ := mem_nth 0 t a ha
  have hmem := hi i (by rw [length_rep]; omega)
  rw [nth_rep (seq 0 M.V) [] M.n i (by omega), e] at hmem
  have := mem_seq 0 M.V a hmem
  omega

theorem nd_all_inputs (V n : Nat) : ND (all_inputs V n) :=
  nd_prod_list (rep n (seq 0 V)) (fun L hL => by
    rw [mem_rep (seq 0 V) n L hL]
    exact nd_seq 0 V)

section Sound
variable {K : Type} [ExpField K]

/-- Soundness of the brute-force check: for every `ExpField K` (e.g. the reals with `Real.exp`)
and `r = 1/sqrt h`, `check_bf M P k N = true` implies that at least `N` distinct valid inputs are
classified correctly. -/
theorem check_bf_sound (M : Model) (P k N : Nat) (r : K) (hr : IsInvSqrt M.h r)
    (hc : check_bf M P k N = true) : AccuracyAtLeast K r M N := by
  have ⟨hok, hN⟩ := band_elim hc
  refine ⟨filt (proven_correct_bf M (compute_tables M P k)) (all_inputs M.V M.n),
    (nd_filt _ _ (nd_all_inputs M.V M.n)).nodup, ?_, dec_true hN⟩
  intro t ht
  have ⟨hin, hpc⟩ := mem_filt _ _ t ht
  have hv := all_inputs_valid M t hin
  refine ⟨hv, ?_⟩
  apply key_correct M P k r hr t hok hv
  intro j hj hjm
  have h1 := allB_spec _ M.V hpc j hj
  cases bor_elim h1 with
  | inl h2 => exact absurd (dec_true h2) hjm
  | inr h2 =>
    refine ⟨fun i => dval (LB_term M (compute_tables M P k) t j i), ?_, ?_⟩
    · have h3 : (ofInt 0 : K) < dval (dsum M.n (LB_term M (compute_tables M P k) t j)) :=
        dpos_spec h2
      rw [dval_dsum] at h3
      exact h3
    · intro i _ w hw1 hw2
      exact lbD_le _ _ _ w hw1 hw2

end Sound

end Pybridge
