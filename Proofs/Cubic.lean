/-
Cubic: the block strategy of CHECKING.md section 6 (revision 3), and its soundness theorem
`check_cubic_sound` (Lean mirror of coq/theories/Cubic.v).

A block `(q, m, N, K)` (natural numbers; `N`, `K` bitmasks) stands for the inputs with query `q`,
tokens from `K` at the non-query positions in `N`, and `m` at the other non-query positions.
`check_cubic` checks the global conditions, that every block is well formed, that the keys
`(q, m, N)` are strictly increasing (hence distinct: the exporter sorts the blocks), and that
`N ≤ sum over passing blocks of |K|^|N|`.  The witness list of the soundness theorem is the
concatenation of the passing blocks' input lists, whose length is exactly that count.

Revision 3: at a position in `N`, the block term is the minimum over `K` of the per-token product
bound `lb(dE + dO(m, k, i), WLO[q][k][i], WHI[q][k][i])` (`bterm` below; a local `let` in Coq).

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.Checker

namespace Pybridge

open ExpField (ofInt inv exp)

/-- A block `(q, m, N, K)`. -/
abbrev block : Type := Nat × Nat × Nat × Nat

/-- The tokens `j ≠ m` below `V`. -/
def others (V m : Nat) : List Nat := filt (fun j => decide (j ≠ m)) (seq 0 V)

/-- `dE[q][m] = min_{j ≠ m} (EU[q][m] - EU[q][j]) = EU[q][m] - max_{j ≠ m} EU[q][j]`. -/
def tab_dE (V : Nat) (EU : List (List Int)) : List (List Int) :=
  tabulate V (fun q => tabulate V (fun m =>
    nth m (nth q EU []) 0 - zmax_list ((others V m).map (fun j => nth j (nth q EU []) 0))))

/-- `dO[m][tok][i] = min_{j ≠ m} (OV[tok][i][m] - OV[tok][i][j])
= OV[tok][i][m] - max_{j ≠ m} OV[tok][i][j]`. -/
def tab_dO (V n : Nat) (OV : List (List (List Int))) : List (List (List Int)) :=
  tabulate V (fun m => tabulate V (fun tok => tabulate n (fun i =>
    nth m (nth i (nth tok OV []) []) 0
      - zmax_list ((others V m).map (fun j => nth j (nth i (nth tok OV []) []) 0)))))

/-- The `dE`, `dO` tables of a model. -/
def dE_of (M : Model) (P k : Nat) : List (List Int) := tab_dE M.V (compute_tables M P k).tEU
def dO_of (M : Model) (P k : Nat) : List (List (List Int)) :=
  tab_dO M.V M.n (compute_tables M P k).tOV

/-- Bit `i` of `x` (Coq `Z.testbit`, Python `x >> i & 1`). -/
def testBit : Nat → Nat → Bool
  | x, 0 => decide (x % 2 = 1)
  | x, i + 1 => testBit (x / 2) i

/-- The token set of a hint: `{tok < m : bit tok of K}`. -/
def Klist (m km : Nat) : List Nat := filt (fun tok => testBit km tok) (seq 0 m)

/-- The tokens allowed at a non-query position `i`: `K` if `i ∈ N`, else `[m]`. -/
def blk_pos (m nm km i : Nat) : List Nat := if testBit nm i = true then Klist m km else [m]

/-- The per-position token lists of a block (its inputs are their Cartesian product). -/
def block_lists (n : Nat) (b : block) : List (List Nat) :=
  (seq 0 (n - 1)).map (blk_pos b.2.1 b.2.2.1 b.2.2.2) ++ [[b.1]]

def block_inputs (n : Nat) (b : block) : List (List Nat) := prod_list (block_lists n b)

/-- `|K|^|N|`, computed as the product of the lengths of the per-position lists. -/
def block_count (n : Nat) (b : block) : Nat := prodLen (block_lists n b)

/-- The product bound for token `tok` at position `i` of a block with query `q`, max `m`:
`lb(dE[q][m] + dO[m][tok][i], WLO[q][tok][i], WHI[q][tok][i])`. -/
def bterm (T : tables) (dEt : List (List Int)) (dOt : List (List (List Int))) (q m tok i : Nat) :
    dyadic :=
  lbD (get2 dEt q m + get3 dOt m tok i) (getd3 T.tWLO q tok i) (getd3 T.tWHI q tok i)

/-- The term `T_i` of the block check (revision 3). -/
def block_term (n : Nat) (T : tables) (dEt : List (List Int)) (dOt : List (List (List Int)))
    (b : block) (i : Nat) : dyadic :=
  if i = n - 1 then bterm T dEt dOt b.1 b.2.1 b.1 i
  else if testBit b.2.2.1 i = true then
    dmin_list ((Klist b.2.1 b.2.2.2).map (fun tok => bterm T dEt dOt b.1 b.2.1 tok i))
  else bterm T dEt dOt b.1 b.2.1 b.2.1 i

/-- The block passes iff the (exact) sum of its terms is positive. -/
def block_pass (n : Nat) (T : tables) (dEt : List (List Int)) (dOt : List (List (List Int)))
    (b : block) : Bool :=
  dpos (dsum n (block_term n T dEt dOt b))

/-- Well-formedness: `q ≤ m < V`, `N ⊆ {0..n-2}` (not all of it if `q < m`), `K ⊆ {0..m-1}`. -/
def block_ok (V n : Nat) (b : block) : Bool :=
  decide (b.1 ≤ b.2.1) && (decide (b.2.1 < V) && (decide (b.2.2.1 ≤ 2 ^ (n - 1) - 1)
    && (!(decide (b.1 < b.2.1) && decide (b.2.2.1 = 2 ^ (n - 1) - 1))
    && decide (b.2.2.2 < 2 ^ b.2.1))))

def key (b : block) : Nat × Nat × Nat := (b.1, b.2.1, b.2.2.1)

/-- Lexicographic order on the keys `(q, m, N)`. -/
def key_ltb (a b : Nat × Nat × Nat) : Bool :=
  decide (a.1 < b.1) || (decide (a.1 = b.1) && (decide (a.2.1 < b.2.1)
    || (decide (a.2.1 = b.2.1) && decide (a.2.2 < b.2.2))))

def sorted_keys : List block → Bool
  | b1 :: b2 :: r => key_ltb (key b1) (key b2) && sorted_keys (b2 :: r)
  | _ => true

/-- `sum over passing blocks of |K|^|N|`. -/
def cubic_count (n : Nat) (T : tables) (dEt : List (List Int)) (dOt : List (List (List Int))) :
    List block → Nat
  | [] => 0
  | b :: bs => (if block_pass n T dEt dOt b = true then block_count n b else 0)
      + cubic_count n T dEt dOt bs

/-- The cubic check: `N ≤ sum over passing blocks of |K|^|N|`. -/
def check_cubic (M : Model) (P k : Nat) (blocks : List block) (N : Nat) : Bool :=
  basic_ok M P k && (allL (block_ok M.V M.n) blocks && (sorted_keys blocks
    && decide (N ≤ cubic_count M.n (compute_tables M P k) (dE_of M P k) (dO_of M P k) blocks)))

/-! ## Soundness -/

/-! ### Bits -/

/-- Two masks below `2^w` that agree on the bits below `w` are equal. -/
theorem mask_eq : ∀ (w a b : Nat), a < 2 ^ w → b < 2 ^ w →
    (∀ i, i < w → testBit a i = testBit b i) → a = b
  | 0, a, b, ha, hb, _ => by
    have e : (2 : Nat) ^ 0 = 1 := rfl
    rw [e] at ha hb
    omega
  | w + 1, a, b, ha, hb, h => by
    have e : (2 : Nat) ^ (w + 1) = 2 ^ w * 2 := by first | rfl | omega
    rw [e] at ha hb
    have h1 : a / 2 = b / 2 := mask_eq w (a / 2) (b / 2) (by omega) (by omega)
      (fun i hi => h (i + 1) (by omega))
    have h2 : decide (a % 2 = 1) = decide (b % 2 = 1) := h 0 (by omega)
    have h0 : a % 2 = b % 2 := by
      by_cases ha1 : a % 2 = 1
      · have hb1 : b % 2 = 1 := of_decide_eq_true (h2.symm.trans (decide_eq_true ha1))
        omega
      · have hb1 : ¬ b % 2 = 1 := of_decide_eq_false (h2.symm.trans (decide_eq_false ha1))
        omega
    omega

/-- The mask with all bits below `w` set is `2^w - 1`. -/
theorem mask_full : ∀ (w a : Nat), a < 2 ^ w → (∀ i, i < w → testBit a i = true) → a = 2 ^ w - 1
  | 0, a, ha, _ => by
    have e : (2 : Nat) ^ 0 = 1 := rfl
    rw [e] at ha ⊢
    omega
  | w + 1, a, ha, h => by
    have e : (2 : Nat) ^ (w + 1) = 2 ^ w * 2 := by first | rfl | omega
    rw [e] at ha ⊢
    have h1 : a / 2 = 2 ^ w - 1 := mask_full w (a / 2) (by omega) (fun i hi => h (i + 1) (by omega))
    have h0 : a % 2 = 1 := of_decide_eq_true (h 0 (by omega))
    have hp := pow2_pos_nat w
    omega

theorem mem_Klist (m km tok : Nat) (h : tok ∈ Klist m km) : tok < m ∧ testBit km tok = true := by
  have ⟨h1, h2⟩ := mem_filt _ _ tok h
  have := mem_seq 0 m tok h1
  exact ⟨by omega, h2⟩

theorem nd_Klist (m km : Nat) : ND (Klist m km) := nd_filt _ _ (nd_seq 0 m)

/-! ### One block -/

theorem block_ok_spec (V n q m nm km : Nat) (h : block_ok V n (q, m, nm, km) = true) :
    q ≤ m ∧ m < V ∧ nm ≤ 2 ^ (n - 1) - 1 ∧ (q < m → nm ≠ 2 ^ (n - 1) - 1) ∧ km < 2 ^ m := by
  have ⟨h1, h2⟩ := band_elim h
  have ⟨h3, h4⟩ := band_elim h2
  have ⟨h5, h6⟩ := band_elim h4
  have ⟨h7, h8⟩ := band_elim h6
  refine ⟨dec_true h1, dec_true h3, dec_true h5, ?_, dec_true h8⟩
  intro hlt heq
  exact bnot_elim h7 (band_true (decide_eq_true hlt) (decide_eq_true heq))

theorem block_lists_length (n q m nm km : Nat) (hn : 0 < n) :
    (block_lists n (q, m, nm, km)).length = n := by
  show ((seq 0 (n - 1)).map (blk_pos m nm km) ++ [[q]]).length = n
  rw [length_app, length_map', length_seq]
  show n - 1 + 1 = n
  omega

theorem block_lists_last (n q m nm km : Nat) :
    nth (n - 1) (block_lists n (q, m, nm, km)) [] = [q] := by
  have e2 := nth_app_right ([] : List Nat) ((seq 0 (n - 1)).map (blk_pos m nm km)) [[q]] 0
  rw [length_map', length_seq, Nat.add_zero] at e2
  exact e2

theorem block_lists_pos (n q m nm km i : Nat) (hi : i < n - 1) :
    nth i (block_lists n (q, m, nm, km)) [] = blk_pos m nm km i := by
  have hl : i < ((seq 0 (n - 1)).map (blk_pos m nm km)).length := by
    rw [length_map', length_seq]
    exact hi
  have e1 := nth_app_left ([] : List Nat) ((seq 0 (n - 1)).map (blk_pos m nm km)) [[q]] i hl
  rw [nth_map_seq (blk_pos m nm km) (n - 1) i [] hi] at e1
  exact e1

/-- The members of a block's input list (Coq `block_mem`). -/
theorem block_mem (n q m nm km : Nat) (hn : 0 < n) (t : List Nat)
    (ht : t ∈ block_inputs n (q, m, nm, km)) :
    t.length = n ∧ nth (n - 1) t 0 = q ∧
    ∀ i, i < n - 1 → (testBit nm i = true → nth i t 0 ∈ Klist m km) ∧
      (testBit nm i = false → nth i t 0 = m) := by
  have ⟨hl, hi⟩ := mem_prod_list 0 (block_lists n (q, m, nm, km)) t ht
  rw [block_lists_length n q m nm km hn] at hl hi
  refine ⟨hl, ?_, ?_⟩
  · have h1 := hi (n - 1) (by omega)
    rw [block_lists_last n q m nm km] at h1
    cases List.mem_cons.mp h1 with
    | inl e3 => exact e3
    | inr h3 => exact nomatch h3
  · intro i hi'
    have h1 := hi i (by omega)
    rw [block_lists_pos n q m nm km i hi'] at h1
    unfold blk_pos at h1
    refine ⟨fun hb => ?_, fun hb => ?_⟩
    · rw [if_pos hb] at h1
      exact h1
    · rw [if_neg (bool_ne hb)] at h1
      cases List.mem_cons.mp h1 with
      | inl e3 => exact e3
      | inr h3 => exact nomatch h3

theorem block_tokens (V n q m nm km : Nat) (hn : 0 < n) (hok : block_ok V n (q, m, nm, km) = true)
    (t : List Nat) (ht : t ∈ block_inputs n (q, m, nm, km)) : ∀ a, a ∈ t → a ≤ m := by
  have ⟨hqm, _, _, _, _⟩ := block_ok_spec V n q m nm km hok
  have ⟨hl, hlast, hpos⟩ := block_mem n q m nm km hn t ht
  intro a ha
  have ⟨i, hi, e⟩ := mem_nth 0 t a ha
  rw [← e]
  by_cases hin : i = n - 1
  · rw [hin, hlast]
    exact hqm
  · have hi' : i < n - 1 := by omega
    cases hb : testBit nm i with
    | true =>
      have h1 := mem_Klist m km _ ((hpos i hi').1 hb)
      omega
    | false =>
      have e := (hpos i hi').2 hb
      omega

theorem block_tokens_lt (V n q m nm km : Nat) (hn : 0 < n)
    (hok : block_ok V n (q, m, nm, km) = true) (t : List Nat)
    (ht : t ∈ block_inputs n (q, m, nm, km)) : ∀ a, a ∈ t → a < V := by
  have ⟨_, hmV, _, _, _⟩ := block_ok_spec V n q m nm km hok
  intro a ha
  have := block_tokens V n q m nm km hn hok t ht a ha
  omega

/-- Every input of a block has max `m`. -/
theorem block_max (V n q m nm km : Nat) (hn : 0 < n) (hok : block_ok V n (q, m, nm, km) = true)
    (t : List Nat) (ht : t ∈ block_inputs n (q, m, nm, km)) : list_max t = m := by
  have ⟨hqm, _, hnm, hfull, _⟩ := block_ok_spec V n q m nm km hok
  have ⟨hl, hlast, hpos⟩ := block_mem n q m nm km hn t ht
  have hle := list_max_le t m (block_tokens V n q m nm km hn hok t ht)
  have hge : m ≤ list_max t := by
    by_cases hqe : q = m
    · have h1 := list_max_ge t (nth (n - 1) t 0) (nth_mem 0 t (n - 1) (by omega))
      rw [hlast] at h1
      omega
    · have hlt : q < m := by omega
      have hne := hfull hlt
      apply Classical.byContradiction
      intro hng
      apply hne
      have hp := pow2_pos_nat (n - 1)
      apply mask_full (n - 1) nm (by omega)
      intro i hi
      cases hb : testBit nm i with
      | true => rfl
      | false =>
        have e := (hpos i hi).2 hb
        have h1 := list_max_ge t (nth i t 0) (nth_mem 0 t i (by omega))
        rw [e] at h1
        exact absurd h1 hng
  omega

/-- Bit `i` of `N` says whether the token at position `i` is not the max. -/
theorem block_inN (n q m nm km : Nat) (hn : 0 < n) (t : List Nat)
    (ht : t ∈ block_inputs n (q, m, nm, km)) (i : Nat) (hi : i < n - 1) :
    testBit nm i = decide (nth i t 0 ≠ m) := by
  have ⟨_, _, hpos⟩ := block_mem n q m nm km hn t ht
  cases hb : testBit nm i with
  | true =>
    have h1 := mem_Klist m km _ ((hpos i hi).1 hb)
    have hne : nth i t 0 ≠ m := by omega
    exact (decide_eq_true hne).symm
  | false =>
    have e := (hpos i hi).2 hb
    exact (decide_eq_false (fun h => h e)).symm

/-- Blocks sharing an input have the same key `(q, m, N)`. -/
theorem block_key_eq (V n q1 m1 nm1 km1 q2 m2 nm2 km2 : Nat) (t : List Nat) (hn : 0 < n)
    (h1 : block_ok V n (q1, m1, nm1, km1) = true) (h2 : block_ok V n (q2, m2, nm2, km2) = true)
    (t1 : t ∈ block_inputs n (q1, m1, nm1, km1)) (t2 : t ∈ block_inputs n (q2, m2, nm2, km2)) :
    key (q1, m1, nm1, km1) = key (q2, m2, nm2, km2) := by
  have ⟨_, _, hnm1, _, _⟩ := block_ok_spec V n q1 m1 nm1 km1 h1
  have ⟨_, _, hnm2, _, _⟩ := block_ok_spec V n q2 m2 nm2 km2 h2
  have ⟨_, L1, _⟩ := block_mem n q1 m1 nm1 km1 hn t t1
  have ⟨_, L2, _⟩ := block_mem n q2 m2 nm2 km2 hn t t2
  have M1 := block_max V n q1 m1 nm1 km1 hn h1 t t1
  have M2 := block_max V n q2 m2 nm2 km2 hn h2 t t2
  have hq : q1 = q2 := L1.symm.trans L2
  have hm : m1 = m2 := M1.symm.trans M2
  rw [← hq, ← hm] at t2
  have hp := pow2_pos_nat (n - 1)
  have hnm : nm1 = nm2 := mask_eq (n - 1) nm1 nm2 (by omega) (by omega) (fun i hi => by
    rw [block_inN n q1 m1 nm1 km1 hn t t1 i hi, block_inN n q1 m1 nm2 km2 hn t t2 i hi])
  show (q1, m1, nm1) = (q2, m2, nm2)
  rw [hq, hm, hnm]

/-! ### Strictly increasing keys are distinct -/

def lex_lt (a b : Nat × Nat × Nat) : Prop :=
  a.1 < b.1 ∨ (a.1 = b.1 ∧ (a.2.1 < b.2.1 ∨ (a.2.1 = b.2.1 ∧ a.2.2 < b.2.2)))

theorem key_ltb_lt (a b : Nat × Nat × Nat) (h : key_ltb a b = true) : lex_lt a b := by
  unfold key_ltb at h
  unfold lex_lt
  cases bor_elim h with
  | inl h1 => exact Or.inl (dec_true h1)
  | inr h1 =>
    have ⟨h2, h3⟩ := band_elim h1
    refine Or.inr ⟨dec_true h2, ?_⟩
    cases bor_elim h3 with
    | inl h4 => exact Or.inl (dec_true h4)
    | inr h4 =>
      have ⟨h5, h6⟩ := band_elim h4
      exact Or.inr ⟨dec_true h5, dec_true h6⟩

theorem lex_trans (a b c : Nat × Nat × Nat) (h1 : lex_lt a b) (h2 : lex_lt b c) : lex_lt a c := by
  unfold lex_lt at h1 h2 ⊢
  omega

theorem lex_irrefl (a : Nat × Nat × Nat) : ¬ lex_lt a a := by
  unfold lex_lt
  omega

theorem sorted_head : ∀ (l : List block) (b : block), sorted_keys (b :: l) = true →
    ∀ b', b' ∈ l → lex_lt (key b) (key b')
  | [], _, _, _, h' => nomatch h'
  | c :: l, b, h, b', h' => by
    have h2 : (key_ltb (key b) (key c) && sorted_keys (c :: l)) = true := h
    have ⟨hbc, hl⟩ := band_elim h2
    have hbc' := key_ltb_lt _ _ hbc
    cases List.mem_cons.mp h' with
    | inl e =>
      rw [e]
      exact hbc'
    | inr h'' => exact lex_trans _ _ _ hbc' (sorted_head l c hl b' h'')

theorem sorted_ND : ∀ (l : List block), sorted_keys l = true → ND (l.map key)
  | [], _ => ND.nil
  | [b], _ => by
    show ND [key b]
    exact ND.cons (fun _ h => nomatch h) ND.nil
  | b :: c :: l, h => by
    have h2 : (key_ltb (key b) (key c) && sorted_keys (c :: l)) = true := h
    have ⟨_, hl⟩ := band_elim h2
    show ND (key b :: (c :: l).map key)
    apply ND.cons
    · intro y hy e
      have ⟨b', hb', e'⟩ := mem_map' key (c :: l) y hy
      have hlt := sorted_head (c :: l) b h b' hb'
      rw [← e', ← e] at hlt
      exact lex_irrefl _ hlt
    · exact sorted_ND (c :: l) hl

/-! ### Every input of a passing block is correct -/

theorem mem_others (V m j : Nat) (hj : j < V) (hjm : j ≠ m) : j ∈ others V m :=
  mem_filt_of _ _ j (mem_seq_of 0 V j (Nat.zero_le j) (by omega)) (decide_eq_true hjm)

theorem dE_le (M : Model) (P k q m j : Nat) (hq : q < M.V) (hm : m < M.V) (hj : j < M.V)
    (hjm : j ≠ m) :
    get2 (dE_of M P k) q m
      ≤ get2 (compute_tables M P k).tEU q m - get2 (compute_tables M P k).tEU q j := by
  show nth m (nth q (tabulate M.V (fun q => tabulate M.V (fun m =>
      nth m (nth q (compute_tables M P k).tEU []) 0
        - zmax_list ((others M.V m).map (fun j => nth j (nth q (compute_tables M P k).tEU []) 0)))))
      []) 0
    ≤ get2 (compute_tables M P k).tEU q m - get2 (compute_tables M P k).tEU q j
  rw [nth_tabulate _ _ q [] hq, nth_tabulate _ _ m (0 : Int) hm]
  have h : nth j (nth q (compute_tables M P k).tEU []) 0
      ≤ zmax_list ((others M.V m).map (fun j => nth j (nth q (compute_tables M P k).tEU []) 0)) :=
    zmax_list_ge _ _ (mem_map_of_mem' (fun j => nth j (nth q (compute_tables M P k).tEU []) 0)
      (others M.V m) j (mem_others M.V m j hj hjm))
  unfold get2
  omega

theorem dO_le (M : Model) (P k m tok i j : Nat) (hm : m < M.V) (ht : tok < M.V) (hi : i < M.n)
    (hj : j < M.V) (hjm : j ≠ m) :
    get3 (dO_of M P k) m tok i
      ≤ get3 (compute_tables M P k).tOV tok i m - get3 (compute_tables M P k).tOV tok i j := by
  show nth i (nth tok (nth m (tabulate M.V (fun m => tabulate M.V (fun tok => tabulate M.n (fun i =>
      nth m (nth i (nth tok (compute_tables M P k).tOV []) []) 0
        - zmax_list ((others M.V m).map (fun j =>
            nth j (nth i (nth tok (compute_tables M P k).tOV []) []) 0)))))) []) []) 0
    ≤ get3 (compute_tables M P k).tOV tok i m - get3 (compute_tables M P k).tOV tok i j
  rw [nth_tabulate _ _ m [] hm, nth_tabulate _ _ tok [] ht, nth_tabulate _ _ i (0 : Int) hi]
  have h : nth j (nth i (nth tok (compute_tables M P k).tOV []) []) 0
      ≤ zmax_list ((others M.V m).map (fun j =>
          nth j (nth i (nth tok (compute_tables M P k).tOV []) []) 0)) :=
    zmax_list_ge _ _ (mem_map_of_mem' (fun j => nth j (nth i (nth tok (compute_tables M P k).tOV []) []) 0)
      (others M.V m) j (mem_others M.V m j hj hjm))
  unfold get3
  omega

theorem block_term_eq (n : Nat) (T : tables) (dEt : List (List Int))
    (dOt : List (List (List Int))) (q m nm km i : Nat) :
    block_term n T dEt dOt (q, m, nm, km) i
      = if i = n - 1 then bterm T dEt dOt q m q i
        else if testBit nm i = true then
          dmin_list ((Klist m km).map (fun tok => bterm T dEt dOt q m tok i))
        else bterm T dEt dOt q m m i := rfl

section Correct
variable {K : Type} [ExpField K]

/-- Coq `lb_mono`: with `0 ≤ l`, also `lb(v, l, u) ≤ D * w` for every `D ≥ v`. -/
theorem lb_mono (v D : Int) (l u : dyadic) (w : K) (hl : 0 ≤ l.1) (h1 : dval l ≤ w)
    (h2 : w ≤ dval u) (hvD : v ≤ D) : dval (lbD v l u) ≤ ofInt D * w :=
  ExpField.le_trans _ _ _ (lbD_le v l u w h1 h2)
    (ExpField.mul_le_mul_of_nonneg_right w (ExpField.ofInt_le v D hvD)
      (ExpField.le_trans _ _ _ (dval_nonneg l hl) h1))

/-- Every input of a well-formed passing block is correct (Coq `block_correct`). -/
theorem block_correct (M : Model) (P k : Nat) (r : K) (hr : IsInvSqrt M.h r)
    (hbasic : basic_ok M P k = true) (q m nm km : Nat) (t : List Nat)
    (hok : block_ok M.V M.n (q, m, nm, km) = true)
    (hpass : block_pass M.n (compute_tables M P k) (dE_of M P k) (dO_of M P k) (q, m, nm, km) = true)
    (ht : t ∈ block_inputs M.n (q, m, nm, km)) : correct M r t := by
  have ⟨hn, _, _, _⟩ := basic_ok_spec M P k hbasic
  have ⟨hqm, hmV, _, _, _⟩ := block_ok_spec M.V M.n q m nm km hok
  have ⟨hlen, hlast, hpos⟩ := block_mem M.n q m nm km hn t ht
  have hmax := block_max M.V M.n q m nm km hn hok t ht
  have htok := block_tokens_lt M.V M.n q m nm km hn hok t ht
  have hv : valid M t := ⟨hlen, htok⟩
  have hqV : q < M.V := by omega
  apply key_correct M P k r hr t hbasic hv
  intro j hj hjm
  rw [hmax] at hjm
  refine ⟨fun i => dval (block_term M.n (compute_tables M P k) (dE_of M P k) (dO_of M P k)
    (q, m, nm, km) i), ?_, ?_⟩
  · have h1 : (ofInt 0 : K) < dval (dsum M.n (block_term M.n (compute_tables M P k) (dE_of M P k)
        (dO_of M P k) (q, m, nm, km))) := dpos_spec hpass
    rw [dval_dsum] at h1
    exact h1
  · intro i hi w hw1 hw2
    show dval (block_term M.n (compute_tables M P k) (dE_of M P k) (dO_of M P k) (q, m, nm, km) i)
      ≤ ofInt (Dz (compute_tables M P k) (nth (M.n - 1) t 0) (nth i t 0) i (list_max t) j) * w
    rw [hlast, hmax]
    rw [hlast] at hw1 hw2
    have hti : nth i t 0 < M.V := htok _ (nth_mem 0 t i (by omega))
    -- the bound for the token actually at position `i`
    have hterm : dval (bterm (compute_tables M P k) (dE_of M P k) (dO_of M P k) q m (nth i t 0) i)
        ≤ ofInt (Dz (compute_tables M P k) q (nth i t 0) i m j) * w := by
      apply lb_mono _ _ _ _ w (WLO_nonneg M P k q (nth i t 0) i hqV hti hi) hw1 hw2
      have h1 := dE_le M P k q m j hqV hmV hj hjm
      have h2 := dO_le M P k m (nth i t 0) i j hmV hti hi hj hjm
      unfold Dz
      omega
    rw [block_term_eq]
    by_cases hil : i = M.n - 1
    · rw [if_pos hil]
      have e : nth i t 0 = q := by
        rw [hil]
        exact hlast
      rw [e] at hterm ⊢
      exact hterm
    · rw [if_neg hil]
      have hi' : i < M.n - 1 := by omega
      cases hb : testBit nm i with
      | true =>
        rw [if_pos (show true = true from rfl)]
        have hK := (hpos i hi').1 hb
        refine ExpField.le_trans _ _ _ ?_ hterm
        exact dmin_list_le _ _ (mem_map_of_mem' (fun tok => bterm (compute_tables M P k)
          (dE_of M P k) (dO_of M P k) q m tok i) (Klist m km) (nth i t 0) hK)
      | false =>
        rw [if_neg (show ¬ (false = true) from by decide)]
        have e := (hpos i hi').2 hb
        rw [e] at hterm ⊢
        exact hterm

end Correct

/-! ### Counting -/

/-- The inputs contributed by a block: all of its inputs if it passes, none otherwise. -/
def cubic_f (n : Nat) (T : tables) (dEt : List (List Int)) (dOt : List (List (List Int)))
    (b : block) : List (List Nat) :=
  if block_pass n T dEt dOt b = true then block_inputs n b else []

theorem cubic_f_mem (n : Nat) (T : tables) (dEt : List (List Int)) (dOt : List (List (List Int)))
    (b : block) (x : List Nat) (h : x ∈ cubic_f n T dEt dOt b) :
    block_pass n T dEt dOt b = true ∧ x ∈ block_inputs n b := by
  unfold cubic_f at h
  by_cases hp : block_pass n T dEt dOt b = true
  · rw [if_pos hp] at h
    exact ⟨hp, h⟩
  · rw [if_neg hp] at h
    exact nomatch h

theorem nd_block_inputs (n : Nat) (b : block) : ND (block_inputs n b) := by
  apply nd_prod_list
  intro L hL
  have hL' : L ∈ (seq 0 (n - 1)).map (blk_pos b.2.1 b.2.2.1 b.2.2.2) ++ [[b.1]] := hL
  cases List.mem_append.mp hL' with
  | inl h1 =>
    have ⟨i, _, e⟩ := mem_map' (blk_pos b.2.1 b.2.2.1 b.2.2.2) (seq 0 (n - 1)) L h1
    rw [e]
    unfold blk_pos
    by_cases hb : testBit b.2.2.1 i = true
    · rw [if_pos hb]
      exact nd_Klist _ _
    · rw [if_neg hb]
      exact ND.cons (fun _ h => nomatch h) ND.nil
  | inr h1 =>
    cases List.mem_cons.mp h1 with
    | inl e =>
      rw [e]
      exact ND.cons (fun _ h => nomatch h) ND.nil
    | inr h2 => exact nomatch h2

theorem length_witness (n : Nat) (T : tables) (dEt : List (List Int))
    (dOt : List (List (List Int))) :
    ∀ bs : List block, (flatMapL (cubic_f n T dEt dOt) bs).length = cubic_count n T dEt dOt bs
  | [] => rfl
  | b :: bs => by
    show (cubic_f n T dEt dOt b ++ flatMapL (cubic_f n T dEt dOt) bs).length
      = (if block_pass n T dEt dOt b = true then block_count n b else 0) + cubic_count n T dEt dOt bs
    rw [length_app, length_witness n T dEt dOt bs]
    unfold cubic_f
    by_cases hp : block_pass n T dEt dOt b = true
    · have e1 : (if block_pass n T dEt dOt b = true then block_inputs n b else [])
          = block_inputs n b := if_pos hp
      have e2 : (if block_pass n T dEt dOt b = true then block_count n b else 0)
          = block_count n b := if_pos hp
      have e3 : (block_inputs n b).length = block_count n b := length_prod_list (block_lists n b)
      rw [e1, e2, e3]
    · have e1 : (if block_pass n T dEt dOt b = true then block_inputs n b else [])
          = [] := if_neg hp
      have e2 : (if block_pass n T dEt dOt b = true then block_count n b else 0) = 0 := if_neg hp
      rw [e1, e2, length_nil]

/-! ### The soundness theorem -/

section Sound
variable {K : Type} [ExpField K]

/-- Soundness of the cubic check: for every `ExpField K` (e.g. the reals with `Real.exp`) and
`r = 1/sqrt h`, `check_cubic M P k blocks N = true` implies that at least `N` distinct valid inputs
are classified correctly. -/
theorem check_cubic_sound (M : Model) (P k : Nat) (blocks : List block) (N : Nat) (r : K)
    (hr : IsInvSqrt M.h r) (hc : check_cubic M P k blocks N = true) : AccuracyAtLeast K r M N := by
  have ⟨hbasic, h1⟩ := band_elim hc
  have ⟨hoks, h2⟩ := band_elim h1
  have ⟨hsorted, hN⟩ := band_elim h2
  have ⟨hn, _, _, _⟩ := basic_ok_spec M P k hbasic
  refine ⟨flatMapL (cubic_f M.n (compute_tables M P k) (dE_of M P k) (dO_of M P k)) blocks,
    ?_, ?_, ?_⟩
  · apply ND.nodup
    apply nd_flatMap_keys _ key blocks (sorted_ND blocks hsorted)
    · intro b _
      unfold cubic_f
      by_cases hp : block_pass M.n (compute_tables M P k) (dE_of M P k) (dO_of M P k) b = true
      · rw [if_pos hp]
        exact nd_block_inputs M.n b
      · rw [if_neg hp]
        exact ND.nil
    · intro b1 b2 x hb1 hb2 hx1 hx2
      have ok1 := allL_spec _ blocks hoks b1 hb1
      have ok2 := allL_spec _ blocks hoks b2 hb2
      have ⟨_, hx1'⟩ := cubic_f_mem _ _ _ _ b1 x hx1
      have ⟨_, hx2'⟩ := cubic_f_mem _ _ _ _ b2 x hx2
      exact block_key_eq M.V M.n b1.1 b1.2.1 b1.2.2.1 b1.2.2.2 b2.1 b2.2.1 b2.2.2.1 b2.2.2.2 x hn
        ok1 ok2 hx1' hx2'
  · intro t ht
    have ⟨b, hb, hx⟩ := mem_flatMapL _ blocks t ht
    have ⟨hp, hin⟩ := cubic_f_mem _ _ _ _ b t hx
    have ok := allL_spec _ blocks hoks b hb
    refine ⟨⟨(block_mem M.n b.1 b.2.1 b.2.2.1 b.2.2.2 hn t hin).1,
      block_tokens_lt M.V M.n b.1 b.2.1 b.2.2.1 b.2.2.2 hn ok t hin⟩, ?_⟩
    exact block_correct M P k r hr hbasic b.1 b.2.1 b.2.2.1 b.2.2.2 t ok hp hin
  · rw [length_witness]
    exact dec_true hN

end Sound

end Pybridge
