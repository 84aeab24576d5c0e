/-
CubicCount: the count-block strategy of CHECKING.md section 6b, and its soundness theorem
`check_cubic_count_sound` (Lean mirror of coq/theories/CubicCount.v).

A block `(q, m, c, K)` (natural numbers; `K` a bitmask) stands for the inputs with query `q`,
max `m`, and exactly `c` of the `n-1` non-query positions holding tokens of `K` (the others `m`).
With `b_i` the bound for the max token at position `i`, `a_i` the minimum over `K` of the bound
for a non-max token there and `T_q` the query term, the block passes iff
`T_q + sum_i b_i + (sum of the c smallest a_i - b_i) > 0`.  The sum of the `c` smallest
differences is computed as the minimum over all `c`-subsets by the dynamic programme
`S(c, x :: l) = min (S(c, l), x + S(c-1, l))` (same value as sorting, see `dp_le`); the count
`C(n-1, c) |K|^c` by the recurrence `L(p+1, c) = L(p, c) + |K| L(p, c-1)` (`cvec`), which is also
the length of the witness list (`length_cnt_lists`).  Blocks must be in strictly increasing
`(q, m, c)` order (`sorted_keys` of `Cubic`); the exporter sorts them.

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.Cubic

namespace Pybridge

open ExpField (ofInt inv exp)

/-! ## The witness lists and their length -/

/-- `flatMapL` of `k ↦ L.map (k :: ·)` over `Ks` (used by `cnt_lists`). -/
theorem length_flatMap_cons (L : List (List Nat)) : ∀ (Ks : List Nat),
    (flatMapL (fun k => L.map (List.cons k)) Ks).length = Ks.length * L.length
  | [] => by
    show 0 = 0 * L.length
    rw [Nat.zero_mul]
  | k :: Ks => by
    show (L.map (List.cons k) ++ flatMapL (fun k => L.map (List.cons k)) Ks).length
      = (Ks.length + 1) * L.length
    rw [length_app, length_map', length_flatMap_cons L Ks, Nat.add_mul, Nat.one_mul]
    omega

/-- Lists of length `p` with exactly `c` entries from `Ks` and `m` elsewhere. -/
def cnt_lists (m : Nat) (Ks : List Nat) : Nat → Nat → List (List Nat)
  | 0, 0 => [[]]
  | 0, _ + 1 => []
  | p + 1, 0 => (cnt_lists m Ks p 0).map (List.cons m)
  | p + 1, c + 1 => (cnt_lists m Ks p (c + 1)).map (List.cons m)
      ++ flatMapL (fun k => (cnt_lists m Ks p c).map (List.cons k)) Ks

/-- `addshift kk prev v` at `c` is `v[c] + kk * v[c-1]` (with `v[-1] = prev`). -/
def addshift (kk : Nat) : Nat → List Nat → List Nat
  | prev, [] => [kk * prev]
  | prev, a :: r => (a + kk * prev) :: addshift kk a r

/-- `nth c (cvec kk p) 0` is `C(p, c) kk^c`. -/
def cvec (kk : Nat) : Nat → List Nat
  | 0 => [1]
  | p + 1 => addshift kk 0 (cvec kk p)

theorem nth_addshift_zero (kk : Nat) : ∀ (prev : Nat) (v : List Nat),
    nth 0 (addshift kk prev v) 0 = nth 0 v 0 + kk * prev
  | prev, [] => by
    show kk * prev = 0 + kk * prev
    omega
  | _, _ :: _ => rfl

theorem nth_addshift_succ (kk : Nat) : ∀ (prev : Nat) (v : List Nat) (c : Nat),
    nth (c + 1) (addshift kk prev v) 0 = nth (c + 1) v 0 + kk * nth c v 0
  | _, [], _ => by
    show (0 : Nat) = 0 + kk * 0
    omega
  | _, a :: r, 0 => nth_addshift_zero kk a r
  | _, a :: r, c + 1 => nth_addshift_succ kk a r c

theorem length_cnt_lists (m : Nat) (Ks : List Nat) : ∀ (p c : Nat),
    (cnt_lists m Ks p c).length = nth c (cvec Ks.length p) 0
  | 0, 0 => rfl
  | 0, _ + 1 => rfl
  | p + 1, 0 => by
    have e1 := length_cnt_lists m Ks p 0
    have e2 := nth_addshift_zero Ks.length 0 (cvec Ks.length p)
    have e3 := length_map' (List.cons m) (cnt_lists m Ks p 0)
    show ((cnt_lists m Ks p 0).map (List.cons m)).length
      = nth 0 (addshift Ks.length 0 (cvec Ks.length p)) 0
    omega
  | p + 1, c + 1 => by
    have e1 := length_cnt_lists m Ks p (c + 1)
    have e2 := length_cnt_lists m Ks p c
    have e3 := nth_addshift_succ Ks.length 0 (cvec Ks.length p) c
    have e4 := length_map' (List.cons m) (cnt_lists m Ks p (c + 1))
    have e5 := length_flatMap_cons (cnt_lists m Ks p c) Ks
    have e6 := length_app ((cnt_lists m Ks p (c + 1)).map (List.cons m))
      (flatMapL (fun k => (cnt_lists m Ks p c).map (List.cons k)) Ks)
    rw [e2] at e5
    show ((cnt_lists m Ks p (c + 1)).map (List.cons m)
        ++ flatMapL (fun k => (cnt_lists m Ks p c).map (List.cons k)) Ks).length
      = nth (c + 1) (addshift Ks.length 0 (cvec Ks.length p)) 0
    omega

/-- The number of `true` entries. -/
def ntrue : List Bool → Nat
  | [] => 0
  | true :: r => ntrue r + 1
  | false :: r => ntrue r

theorem ntrue_true (r : List Bool) : ntrue (true :: r) = ntrue r + 1 := rfl
theorem ntrue_false (r : List Bool) : ntrue (false :: r) = ntrue r := rfl

/-- Which entries of `l` are not the max `m`. -/
def nonmax (m : Nat) (l : List Nat) : List Bool := l.map (fun a => decide (a ≠ m))

theorem ntrue_nonmax_self (m : Nat) (l : List Nat) :
    ntrue (nonmax m (m :: l)) = ntrue (nonmax m l) := by
  have hd : decide (m ≠ m) = false := decide_eq_false (fun h => h rfl)
  show ntrue (decide (m ≠ m) :: nonmax m l) = ntrue (nonmax m l)
  rw [hd, ntrue_false]

theorem ntrue_nonmax_ne (m k : Nat) (l : List Nat) (hkm : k ≠ m) :
    ntrue (nonmax m (k :: l)) = ntrue (nonmax m l) + 1 := by
  have hd : decide (k ≠ m) = true := decide_eq_true hkm
  show ntrue (decide (k ≠ m) :: nonmax m l) = ntrue (nonmax m l) + 1
  rw [hd, ntrue_true]

/-- The members of `cnt_lists m Ks p c` (Coq `cnt_mem`). -/
theorem cnt_mem (m : Nat) (Ks : List Nat) (hmK : ¬ m ∈ Ks) : ∀ (p c : Nat) (l : List Nat),
    l ∈ cnt_lists m Ks p c →
      l.length = p ∧ (∀ a, a ∈ l → a = m ∨ a ∈ Ks) ∧ ntrue (nonmax m l) = c
  | 0, 0, l, h => by
    have h' : l ∈ ([[]] : List (List Nat)) := h
    cases List.mem_cons.mp h' with
    | inl e =>
      subst e
      exact ⟨rfl, fun _ ha => nomatch ha, rfl⟩
    | inr h2 => exact nomatch h2
  | 0, _ + 1, l, h => by
    have h' : l ∈ ([] : List (List Nat)) := h
    exact nomatch h'
  | p + 1, 0, l, h => by
    have h' : l ∈ (cnt_lists m Ks p 0).map (List.cons m) := h
    have ⟨l', hl', e⟩ := mem_map_cons m _ l h'
    have ⟨h1, h2, h3⟩ := cnt_mem m Ks hmK p 0 l' hl'
    subst e
    refine ⟨?_, ?_, ?_⟩
    · show l'.length + 1 = p + 1
      rw [h1]
    · intro a ha
      cases List.mem_cons.mp ha with
      | inl e => exact Or.inl e
      | inr ha' => exact h2 a ha'
    · rw [ntrue_nonmax_self, h3]
  | p + 1, c + 1, l, h => by
    have h' : l ∈ (cnt_lists m Ks p (c + 1)).map (List.cons m)
        ++ flatMapL (fun k => (cnt_lists m Ks p c).map (List.cons k)) Ks := h
    cases List.mem_append.mp h' with
    | inl h1 =>
      have ⟨l', hl', e⟩ := mem_map_cons m _ l h1
      have ⟨g1, g2, g3⟩ := cnt_mem m Ks hmK p (c + 1) l' hl'
      subst e
      refine ⟨?_, ?_, ?_⟩
      · show l'.length + 1 = p + 1
        rw [g1]
      · intro a ha
        cases List.mem_cons.mp ha with
        | inl e => exact Or.inl e
        | inr ha' => exact g2 a ha'
      · rw [ntrue_nonmax_self, g3]
    | inr h1 =>
      have ⟨k, hk, h2⟩ := mem_flatMapL _ Ks l h1
      have ⟨l', hl', e⟩ := mem_map_cons k _ l h2
      have ⟨g1, g2, g3⟩ := cnt_mem m Ks hmK p c l' hl'
      have hkm : k ≠ m := fun e' => by
        rw [e'] at hk
        exact hmK hk
      subst e
      refine ⟨?_, ?_, ?_⟩
      · show l'.length + 1 = p + 1
        rw [g1]
      · intro a ha
        cases List.mem_cons.mp ha with
        | inl e =>
          rw [e]
          exact Or.inr hk
        | inr ha' => exact g2 a ha'
      · rw [ntrue_nonmax_ne m k l' hkm, g3]

theorem map_idL : ∀ (l : List Nat), l.map (fun k => k) = l
  | [] => rfl
  | a :: l => by
    show a :: l.map (fun k => k) = a :: l
    rw [map_idL l]

/-- Coq `cnt_NoDup`. -/
theorem nd_cnt_lists (m : Nat) (Ks : List Nat) (hmK : ¬ m ∈ Ks) (hK : ND Ks) :
    ∀ (p c : Nat), ND (cnt_lists m Ks p c)
  | 0, 0 => ND.cons (fun _ h => nomatch h) ND.nil
  | 0, _ + 1 => ND.nil
  | p + 1, 0 => nd_map_cons m _ (nd_cnt_lists m Ks hmK hK p 0)
  | p + 1, c + 1 => by
    show ND ((cnt_lists m Ks p (c + 1)).map (List.cons m)
      ++ flatMapL (fun k => (cnt_lists m Ks p c).map (List.cons k)) Ks)
    apply nd_append _ _ (nd_map_cons m _ (nd_cnt_lists m Ks hmK hK p (c + 1)))
    · apply nd_flatMap_keys (fun k => (cnt_lists m Ks p c).map (List.cons k)) (fun k => k) Ks
      · rw [map_idL Ks]
        exact hK
      · intro b _
        exact nd_map_cons b _ (nd_cnt_lists m Ks hmK hK p c)
      · intro b1 b2 x _ _ h1 h2
        have ⟨_, _, e1⟩ := mem_map_cons b1 _ x h1
        have ⟨_, _, e2⟩ := mem_map_cons b2 _ x h2
        exact (List.cons.inj (e1.symm.trans e2)).1
    · intro x hx y hy e
      have ⟨_, _, e1⟩ := mem_map_cons m _ x hx
      have ⟨k, hk, hy'⟩ := mem_flatMapL _ Ks y hy
      have ⟨_, _, e2⟩ := mem_map_cons k _ y hy'
      have hmk : m = k := (List.cons.inj ((e1.symm.trans e).trans e2)).1
      rw [← hmk] at hk
      exact hmK hk

/-- `l1 ++ [q] = l2 ++ [q]` gives `l1 = l2` (Coq `app_inj_tail`). -/
theorem append_single_inj (q : Nat) : ∀ (l1 l2 : List Nat), l1 ++ [q] = l2 ++ [q] → l1 = l2
  | [], [], _ => rfl
  | [], b :: l2, h => by
    have e := congrArg List.length h
    have a1 := length_app ([] : List Nat) [q]
    have a2 := length_app (b :: l2) [q]
    have a3 : ([] : List Nat).length = 0 := rfl
    have a4 : (b :: l2).length = l2.length + 1 := rfl
    exact False.elim (by omega)
  | a :: l1, [], h => by
    have e := congrArg List.length h
    have a1 := length_app (a :: l1) [q]
    have a2 := length_app ([] : List Nat) [q]
    have a3 : ([] : List Nat).length = 0 := rfl
    have a4 : (a :: l1).length = l1.length + 1 := rfl
    exact False.elim (by omega)
  | a :: l1, b :: l2, h => by
    have h' : a :: (l1 ++ [q]) = b :: (l2 ++ [q]) := h
    have ⟨e1, e2⟩ := List.cons.inj h'
    rw [e1, append_single_inj q l1 l2 e2]

theorem nd_map_snoc (q : Nat) : ∀ (R : List (List Nat)), ND R → ND (R.map (fun l => l ++ [q]))
  | [], _ => ND.nil
  | r :: R, h => by
    cases h with
    | cons h1 h2 =>
      show ND ((r ++ [q]) :: R.map (fun l => l ++ [q]))
      apply ND.cons
      · intro b hb e
        have ⟨t', ht', hb'⟩ := mem_map' (fun l => l ++ [q]) R b hb
        exact h1 t' ht' (append_single_inj q r t' (e.trans hb'))
      · exact nd_map_snoc q R h2

/-! ## The sum of the `c` smallest differences: minimum over `c`-subsets -/

def dneg (x : dyadic) : dyadic := (-x.1, x.2)

def d0 : dyadic := (0, 0)

/-- The new entry at `c` from `v[c] = a` and `v[c-1] = prev` (`none` for `c = 0`). -/
def dpnew (x a : dyadic) : Option dyadic → dyadic
  | none => a
  | some p => dmin a (dadd x p)

/-- The entry past the end (`c = |l| + 1`): `x + v[|l|]`. -/
def dplast (x : dyadic) : Option dyadic → List dyadic
  | none => []
  | some p => [dadd x p]

/-- One step of the programme: from `v[c] = S(c, l)` (`c ≤ |l|`) to `S(c, x :: l)`. -/
def dpstep (x : dyadic) : Option dyadic → List dyadic → List dyadic
  | prev, [] => dplast x prev
  | prev, a :: r => dpnew x a prev :: dpstep x (some a) r

def dpv : List dyadic → List dyadic
  | [] => [(0, 0)]
  | x :: r => dpstep x none (dpv r)

theorem length_dpstep (x : dyadic) : ∀ (v : List dyadic) (p : dyadic),
    (dpstep x (some p) v).length = v.length + 1
  | [], _ => rfl
  | a :: r, _ => by
    show (dpstep x (some a) r).length + 1 = r.length + 1 + 1
    rw [length_dpstep x r a]

theorem length_dpv : ∀ (l : List dyadic), (dpv l).length = l.length + 1
  | [] => rfl
  | x :: l => by
    have ih := length_dpv l
    show (dpstep x none (dpv l)).length = l.length + 1 + 1
    cases h : dpv l with
    | nil =>
      rw [h] at ih
      have e : ([] : List dyadic).length = 0 := rfl
      exact False.elim (by omega)
    | cons a r =>
      rw [h] at ih
      have e1 : (a :: r).length = r.length + 1 := rfl
      have e2 := length_dpstep x r a
      show (dpstep x (some a) r).length + 1 = l.length + 1 + 1
      omega

theorem ntrue_le : ∀ (l : List Bool), ntrue l ≤ l.length
  | [] => Nat.le_refl 0
  | true :: l => by
    have := ntrue_le l
    show ntrue l + 1 ≤ l.length + 1
    omega
  | false :: l => by
    have := ntrue_le l
    show ntrue l ≤ l.length + 1
    omega

theorem ntrue_lt_false : ∀ (l : List Bool), ntrue l < l.length → false ∈ l
  | [], h => absurd h (Nat.lt_irrefl 0)
  | true :: l, h => List.mem_cons.mpr (Or.inr (ntrue_lt_false l (by
      have h' : ntrue l + 1 < l.length + 1 := h
      omega)))
  | false :: _, _ => List.mem_cons.mpr (Or.inl rfl)

theorem cond_true' {α : Type} (a b : α) : cond true a b = a := rfl
theorem cond_false' {α : Type} (a b : α) : cond false a b = b := rfl

section DP
variable {K : Type} [ExpField K]

theorem dval_add_dneg (x : dyadic) : (dval x : K) + dval (dneg x) = ofInt 0 := by
  have e : x.1 + -x.1 = 0 := by omega
  show ofInt x.1 * zpow2 x.2 + ofInt (-x.1) * zpow2 x.2 = (ofInt 0 : K)
  rw [← ExpField.add_mul, ← ExpField.ofInt_add, e, ExpField.zero_mul]

/-- `x + (a - x) = a`. -/
theorem add_dneg_cancel (x : dyadic) (a : K) : dval x + (a + dval (dneg x)) = a := by
  rw [ExpField.add_comm a (dval (dneg x)), ← ExpField.add_assoc, dval_add_dneg, ExpField.zero_add]

/-- Not taking `x`: `S(c, x :: l) ≤ S(c, l)`. -/
theorem dpstep_le_skip (x : dyadic) : ∀ (v : List dyadic) (prev : Option dyadic) (c : Nat),
    c < v.length → (dval (nth c (dpstep x prev v) d0) : K) ≤ dval (nth c v d0)
  | [], _, c, h => absurd h (Nat.not_lt_zero c)
  | _ :: _, none, 0, _ => ExpField.le_refl _
  | a :: _, some p, 0, _ => dmin_le_l a (dadd x p)
  | a :: r, _, c + 1, h => dpstep_le_skip x r (some a) c (by
      have h' : c + 1 < r.length + 1 := h
      omega)

/-- Taking `x`: `S(c+1, x :: l) ≤ x + S(c, l)`. -/
theorem dpstep_le_take (x : dyadic) : ∀ (v : List dyadic) (prev : Option dyadic) (c : Nat),
    c < v.length → (dval (nth (c + 1) (dpstep x prev v) d0) : K) ≤ dval x + dval (nth c v d0)
  | [], _, c, h => absurd h (Nat.not_lt_zero c)
  | [a], _, 0, _ => by
    show (dval (dadd x a) : K) ≤ dval x + dval a
    rw [dval_dadd]
    exact ExpField.le_refl _
  | a :: b :: _, _, 0, _ => by
    show (dval (dmin b (dadd x a)) : K) ≤ dval x + dval a
    have e : (dval (dadd x a) : K) = dval x + dval a := dval_dadd x a
    rw [← e]
    exact dmin_le_r b (dadd x a)
  | a :: r, _, c + 1, h => dpstep_le_take x r (some a) c (by
      have h' : c + 1 < r.length + 1 := h
      omega)

/-- `sum of dval l_i over the selected i` (Coq `sel_sum`, a fold over `combine l sel`). -/
def sel_sum : List dyadic → List Bool → K
  | x :: l, b :: sel => cond b (dval x) (ofInt 0) + sel_sum l sel
  | _, _ => ofInt 0

/-- Any `c` of the values sum to at least `S(c, l)` (Coq `dp_le`). -/
theorem dp_le : ∀ (l : List dyadic) (sel : List Bool), sel.length = l.length →
    (dval (nth (ntrue sel) (dpv l) d0) : K) ≤ sel_sum l sel
  | [], [], _ => by
    show (ofInt 0 * zpow2 0 : K) ≤ ofInt 0
    rw [ExpField.zero_mul]
    exact ExpField.le_refl _
  | [], _ :: s, h => by
    have h' : s.length + 1 = 0 := h
    exact False.elim (by omega)
  | _ :: l, [], h => by
    have h' : 0 = l.length + 1 := h
    exact False.elim (by omega)
  | x :: l, true :: sel, h => by
    have hl : sel.length = l.length := by
      have h' : sel.length + 1 = l.length + 1 := h
      omega
    have hc : ntrue sel < (dpv l).length := by
      have := ntrue_le sel
      have := length_dpv l
      omega
    have ih := dp_le l sel hl
    have h1 := dpstep_le_take (K := K) x (dpv l) none (ntrue sel) hc
    show (dval (nth (ntrue sel + 1) (dpstep x none (dpv l)) d0) : K) ≤ dval x + sel_sum l sel
    exact ExpField.le_trans _ _ _ h1 (ExpField.add_le_add_left _ _ (dval x) ih)
  | x :: l, false :: sel, h => by
    have hl : sel.length = l.length := by
      have h' : sel.length + 1 = l.length + 1 := h
      omega
    have hc : ntrue sel < (dpv l).length := by
      have := ntrue_le sel
      have := length_dpv l
      omega
    have ih := dp_le l sel hl
    have h1 := dpstep_le_skip (K := K) x (dpv l) none (ntrue sel) hc
    show (dval (nth (ntrue sel) (dpstep x none (dpv l)) d0) : K) ≤ ofInt 0 + sel_sum l sel
    rw [ExpField.zero_add]
    exact ExpField.le_trans _ _ _ h1 ih

/-- `Rsum` peeled from the front. -/
theorem Rsum_shift (F : Nat → K) : ∀ (p : Nat), Rsum (p + 1) F = F 0 + Rsum p (fun i => F (i + 1))
  | 0 => by
    show ofInt 0 + F 0 = F 0 + ofInt 0
    rw [ExpField.zero_add, ExpField.add_zero]
  | p + 1 => by
    have ih := Rsum_shift F p
    show Rsum (p + 1) F + F (p + 1) = F 0 + (Rsum p (fun i => F (i + 1)) + F (p + 1))
    rw [ih, ExpField.add_assoc]

/-- `Rsum` peeled from the back, for `n ≥ 1`. -/
theorem Rsum_last (f : Nat → K) : ∀ (n : Nat), 0 < n → Rsum n f = Rsum (n - 1) f + f (n - 1)
  | 0, h => absurd h (Nat.lt_irrefl 0)
  | n + 1, _ => by
    have e : n + 1 - 1 = n := by omega
    rw [e, Rsum_succ n f]

theorem sel_sum_seq_gen (f : Nat → dyadic) (g : Nat → Bool) : ∀ (p s : Nat),
    (sel_sum ((seq s p).map f) ((seq s p).map g) : K)
      = Rsum p (fun i => cond (g (s + i)) (dval (f (s + i))) (ofInt 0))
  | 0, _ => rfl
  | p + 1, s => by
    have ih := sel_sum_seq_gen f g p (s + 1)
    have hs := Rsum_shift (fun i => cond (g (s + i)) (dval (f (s + i))) (ofInt 0) : Nat → K) p
    have hx : Rsum p (fun i => cond (g (s + 1 + i)) (dval (f (s + 1 + i))) (ofInt 0) : Nat → K)
        = Rsum p (fun i => cond (g (s + (i + 1))) (dval (f (s + (i + 1)))) (ofInt 0)) :=
      Rsum_ext p _ _ (fun i _ => by
        show (cond (g (s + 1 + i)) (dval (f (s + 1 + i))) (ofInt 0) : K)
          = cond (g (s + (i + 1))) (dval (f (s + (i + 1)))) (ofInt 0)
        have e : s + 1 + i = s + (i + 1) := by omega
        rw [e])
    calc (sel_sum ((seq s (p + 1)).map f) ((seq s (p + 1)).map g) : K)
        = cond (g s) (dval (f s)) (ofInt 0)
            + sel_sum ((seq (s + 1) p).map f) ((seq (s + 1) p).map g) := rfl
      _ = cond (g s) (dval (f s)) (ofInt 0)
            + Rsum p (fun i => cond (g (s + 1 + i)) (dval (f (s + 1 + i))) (ofInt 0)) := by
          rw [ih]
      _ = cond (g (s + 0)) (dval (f (s + 0))) (ofInt 0)
            + Rsum p (fun i => cond (g (s + (i + 1))) (dval (f (s + (i + 1)))) (ofInt 0)) := by
          rw [hx, Nat.add_zero]
      _ = Rsum (p + 1) (fun i => cond (g (s + i)) (dval (f (s + i))) (ofInt 0)) := hs.symm

/-- Coq `sel_sum_seq`. -/
theorem sel_sum_seq (f : Nat → dyadic) (g : Nat → Bool) (p : Nat) :
    (sel_sum ((seq 0 p).map f) ((seq 0 p).map g) : K)
      = Rsum p (fun i => cond (g i) (dval (f i)) (ofInt 0)) :=
  (sel_sum_seq_gen f g p 0).trans (Rsum_ext p _ _ (fun i _ => by
    show (cond (g (0 + i)) (dval (f (0 + i))) (ofInt 0) : K) = cond (g i) (dval (f i)) (ofInt 0)
    rw [Nat.zero_add]))

/-- `a + b + d ≤ b + s + a` from `d ≤ s`. -/
theorem le_shuffle {a b d s : K} (h : d ≤ s) : a + b + d ≤ b + s + a := by
  have h1 := ExpField.add_le_add_left d s (a + b) h
  rw [ExpField.add_assoc a b s, ExpField.add_comm a (b + s)] at h1
  exact h1

end DP

/-! ## The checker -/

/-- Well-formedness: `q ≤ m < V`, `c ≤ n - 1` (`c < n - 1` if `q < m`), `K ⊆ {0..m-1}`. -/
def cblock_ok (V n : Nat) (b : block) : Bool :=
  decide (b.1 ≤ b.2.1) && (decide (b.2.1 < V) && (decide (b.2.2.1 ≤ n - 1)
    && (!(decide (b.1 < b.2.1) && decide (b.2.2.1 = n - 1))
    && decide (b.2.2.2 < 2 ^ b.2.1))))

/-- The inputs of a count block: `l ++ [q]` for `l` in `cnt_lists m K (n-1) c`. -/
def cblock_inputs (n : Nat) (b : block) : List (List Nat) :=
  (cnt_lists b.2.1 (Klist b.2.1 b.2.2.2) (n - 1) b.2.2.1).map (fun l => l ++ [b.1])

/-- `C(n-1, c) |K|^c`. -/
def cblock_count (n : Nat) (b : block) : Nat :=
  nth b.2.2.1 (cvec (Klist b.2.1 b.2.2.2).length (n - 1)) 0

/-- The bound for token `tok` at position `i` (the same product bound as `bterm` of `Cubic`). -/
def cterm (T : tables) (dEt : List (List Int)) (dOt : List (List (List Int))) (q m tok i : Nat) :
    dyadic :=
  lbD (get2 dEt q m + get3 dOt m tok i) (getd3 T.tWLO q tok i) (getd3 T.tWHI q tok i)

/-- `b_i`: the max token at position `i`. -/
def cb (T : tables) (dEt : List (List Int)) (dOt : List (List (List Int))) (q m i : Nat) : dyadic :=
  cterm T dEt dOt q m m i

/-- `a_i`: the worst token of `Ks` at position `i`. -/
def ca (T : tables) (dEt : List (List Int)) (dOt : List (List (List Int))) (q m : Nat)
    (Ks : List Nat) (i : Nat) : dyadic :=
  dmin_list (Ks.map (fun tok => cterm T dEt dOt q m tok i))

/-- `a_i - b_i`. -/
def cdiff (T : tables) (dEt : List (List Int)) (dOt : List (List (List Int))) (q m : Nat)
    (Ks : List Nat) (i : Nat) : dyadic :=
  dadd (ca T dEt dOt q m Ks i) (dneg (cb T dEt dOt q m i))

/-- `T_q + sum_i b_i + (sum of the c smallest a_i - b_i)`. -/
def cmargin (n : Nat) (T : tables) (dEt : List (List Int)) (dOt : List (List (List Int)))
    (q m : Nat) (Ks : List Nat) (c : Nat) : dyadic :=
  dadd (dadd (cterm T dEt dOt q m q (n - 1)) (dsum (n - 1) (cb T dEt dOt q m)))
    (nth c (dpv ((seq 0 (n - 1)).map (cdiff T dEt dOt q m Ks))) d0)

def cblock_pass (n : Nat) (T : tables) (dEt : List (List Int)) (dOt : List (List (List Int)))
    (b : block) : Bool :=
  dpos (cmargin n T dEt dOt b.1 b.2.1 (Klist b.2.1 b.2.2.2) b.2.2.1)

/-- `sum over passing blocks of C(n-1, c) |K|^c` (Coq: a `fold_right Z.add` over a `map`). -/
def cblock_total (n : Nat) (T : tables) (dEt : List (List Int)) (dOt : List (List (List Int))) :
    List block → Nat
  | [] => 0
  | b :: bs => (if cblock_pass n T dEt dOt b = true then cblock_count n b else 0)
      + cblock_total n T dEt dOt bs

/-- The cubic-count check: `N ≤ sum over passing blocks of C(n-1, c) |K|^c`. -/
def check_cubic_count (M : Model) (P k : Nat) (blocks : List block) (N : Nat) : Bool :=
  basic_ok M P k && (allL (cblock_ok M.V M.n) blocks && (sorted_keys blocks
    && decide (N ≤ cblock_total M.n (compute_tables M P k) (dE_of M P k) (dO_of M P k) blocks)))

/-! ## Soundness -/

theorem Klist_not_m (m km : Nat) : ¬ m ∈ Klist m km := fun h => by
  have := (mem_Klist m km m h).1
  omega

theorem cblock_ok_spec (V n q m c km : Nat) (h : cblock_ok V n (q, m, c, km) = true) :
    q ≤ m ∧ m < V ∧ c ≤ n - 1 ∧ (q < m → c ≠ n - 1) ∧ km < 2 ^ m := by
  have ⟨h1, h2⟩ := band_elim h
  have ⟨h3, h4⟩ := band_elim h2
  have ⟨h5, h6⟩ := band_elim h4
  have ⟨h7, h8⟩ := band_elim h6
  refine ⟨dec_true h1, dec_true h3, dec_true h5, ?_, dec_true h8⟩
  intro hlt heq
  exact bnot_elim h7 (band_true (decide_eq_true hlt) (decide_eq_true heq))

theorem cblock_mem (n q m c km : Nat) (t : List Nat) (ht : t ∈ cblock_inputs n (q, m, c, km)) :
    ∃ l, t = l ++ [q] ∧ l.length = n - 1 ∧ (∀ a, a ∈ l → a = m ∨ a ∈ Klist m km)
      ∧ ntrue (nonmax m l) = c := by
  have ht' : t ∈ (cnt_lists m (Klist m km) (n - 1) c).map (fun l => l ++ [q]) := ht
  have ⟨l, hl, e⟩ := mem_map' (fun l => l ++ [q]) _ t ht'
  have ⟨h1, h2, h3⟩ := cnt_mem m (Klist m km) (Klist_not_m m km) (n - 1) c l hl
  exact ⟨l, e, h1, h2, h3⟩

/-- Every input of a block has length `n`, query `q`, max `m` and tokens below `V`. -/
theorem cblock_max (V n q m c km : Nat) (hn : 0 < n) (hok : cblock_ok V n (q, m, c, km) = true)
    (t : List Nat) (ht : t ∈ cblock_inputs n (q, m, c, km)) :
    t.length = n ∧ nth (n - 1) t 0 = q ∧ list_max t = m ∧ ∀ a, a ∈ t → a < V := by
  have ⟨hqm, hmV, hcn, hfull, _⟩ := cblock_ok_spec V n q m c km hok
  have ⟨l, e, hll, hl, hcnt⟩ := cblock_mem n q m c km t ht
  have hle : ∀ a, a ∈ t → a ≤ m := by
    intro a ha
    rw [e] at ha
    cases List.mem_append.mp ha with
    | inl h1 =>
      cases hl a h1 with
      | inl e1 => omega
      | inr h2 =>
        have := (mem_Klist m km a h2).1
        omega
    | inr h1 =>
      cases List.mem_cons.mp h1 with
      | inl e1 => omega
      | inr h2 => exact nomatch h2
  have hlast : nth (n - 1) t 0 = q := by
    have e2 := nth_app_right 0 l [q] 0
    rw [Nat.add_zero, hll, ← e] at e2
    exact e2
  refine ⟨?_, hlast, ?_, fun a ha => by
    have := hle a ha
    omega⟩
  · have e1 := length_app l [q]
    have e3 : [q].length = 1 := rfl
    rw [← e] at e1
    omega
  · have hmax1 := list_max_le t m hle
    have hmem : m ∈ t := by
      by_cases hqe : q = m
      · rw [e, ← hqe]
        exact List.mem_append.mpr (Or.inr (List.mem_cons.mpr (Or.inl rfl)))
      · have hne : c ≠ n - 1 := hfull (by omega)
        have hlt : ntrue (nonmax m l) < (nonmax m l).length := by
          have e4 : (nonmax m l).length = l.length := length_map' _ l
          omega
        have hf := ntrue_lt_false (nonmax m l) hlt
        have ⟨a, ha, ea⟩ := mem_map' (fun a => decide (a ≠ m)) l false hf
        have h5 : ¬ (a ≠ m) := of_decide_eq_false ea.symm
        have h6 : a = m := by omega
        rw [e, ← h6]
        exact List.mem_append.mpr (Or.inl ha)
    have hmax2 := list_max_ge t m hmem
    omega

/-- Blocks sharing an input have the same key `(q, m, c)`. -/
theorem cblock_key_eq (V n q1 m1 c1 km1 q2 m2 c2 km2 : Nat) (t : List Nat) (hn : 0 < n)
    (h1 : cblock_ok V n (q1, m1, c1, km1) = true) (h2 : cblock_ok V n (q2, m2, c2, km2) = true)
    (t1 : t ∈ cblock_inputs n (q1, m1, c1, km1)) (t2 : t ∈ cblock_inputs n (q2, m2, c2, km2)) :
    key (q1, m1, c1, km1) = key (q2, m2, c2, km2) := by
  have ⟨_, L1, M1, _⟩ := cblock_max V n q1 m1 c1 km1 hn h1 t t1
  have ⟨_, L2, M2, _⟩ := cblock_max V n q2 m2 c2 km2 hn h2 t t2
  have ⟨l1, e1, len1, _, C1⟩ := cblock_mem n q1 m1 c1 km1 t t1
  have ⟨l2, e2, len2, _, C2⟩ := cblock_mem n q2 m2 c2 km2 t t2
  have hq : q1 = q2 := L1.symm.trans L2
  have hm : m1 = m2 := M1.symm.trans M2
  have hl : l1 = l2 := list_ext_nth 0 l1 l2 (by omega) (fun i hi => by
    have a1 := nth_app_left 0 l1 [q1] i hi
    have a2 := nth_app_left 0 l2 [q2] i (by omega)
    rw [← e1] at a1
    rw [← e2] at a2
    exact a1.symm.trans a2)
  have hc : c1 = c2 := by
    rw [← C1, ← C2, hm, hl]
  show (q1, m1, c1) = (q2, m2, c2)
  rw [hq, hm, hc]

theorem nd_cblock_inputs (n : Nat) (b : block) : ND (cblock_inputs n b) :=
  nd_map_snoc b.1 _ (nd_cnt_lists b.2.1 (Klist b.2.1 b.2.2.2) (Klist_not_m b.2.1 b.2.2.2)
    (nd_Klist b.2.1 b.2.2.2) (n - 1) b.2.2.1)

/-- Whether position `i` of `t` holds a non-max token. -/
def nonmaxAt (t : List Nat) (m i : Nat) : Bool := decide (nth i t 0 ≠ m)

section Correct
variable {K : Type} [ExpField K]

/-- The per-position terms `T_i` of the proof, the non-max positions being those selected by `g`. -/
def cTm (n : Nat) (T : tables) (dEt : List (List Int)) (dOt : List (List (List Int)))
    (q m : Nat) (Ks : List Nat) (g : Nat → Bool) (i : Nat) : K :=
  if i = n - 1 then dval (cterm T dEt dOt q m q i)
  else dval (cb T dEt dOt q m i) + cond (g i) (dval (cdiff T dEt dOt q m Ks i)) (ofInt 0)

theorem cTm_last (n : Nat) (T : tables) (dEt : List (List Int)) (dOt : List (List (List Int)))
    (q m : Nat) (Ks : List Nat) (g : Nat → Bool) :
    (cTm n T dEt dOt q m Ks g (n - 1) : K) = dval (cterm T dEt dOt q m q (n - 1)) :=
  if_pos (rfl : n - 1 = n - 1)

theorem cTm_pos (n : Nat) (T : tables) (dEt : List (List Int)) (dOt : List (List (List Int)))
    (q m : Nat) (Ks : List Nat) (g : Nat → Bool) (i : Nat) (hi : ¬ (i = n - 1)) :
    (cTm n T dEt dOt q m Ks g i : K)
      = dval (cb T dEt dOt q m i) + cond (g i) (dval (cdiff T dEt dOt q m Ks i)) (ofInt 0) :=
  if_neg hi

/-- The checked margin is at most `sum_i T_i` when `g` selects `c` of the `n-1` positions. -/
theorem cmargin_le (n : Nat) (hn : 0 < n) (T : tables) (dEt : List (List Int))
    (dOt : List (List (List Int))) (q m : Nat) (Ks : List Nat) (c : Nat) (g : Nat → Bool)
    (hg : ntrue ((seq 0 (n - 1)).map g) = c) :
    (dval (cmargin n T dEt dOt q m Ks c) : K) ≤ Rsum n (cTm n T dEt dOt q m Ks g) := by
  have hlen : ((seq 0 (n - 1)).map g).length
      = ((seq 0 (n - 1)).map (cdiff T dEt dOt q m Ks)).length := by
    rw [length_map', length_map']
  have hdp := dp_le (K := K) ((seq 0 (n - 1)).map (cdiff T dEt dOt q m Ks))
    ((seq 0 (n - 1)).map g) hlen
  rw [hg, sel_sum_seq] at hdp
  have e1 : (dval (cmargin n T dEt dOt q m Ks c) : K)
      = dval (cterm T dEt dOt q m q (n - 1)) + Rsum (n - 1) (fun i => dval (cb T dEt dOt q m i))
        + dval (nth c (dpv ((seq 0 (n - 1)).map (cdiff T dEt dOt q m Ks))) d0) := by
    show (dval (dadd (dadd (cterm T dEt dOt q m q (n - 1)) (dsum (n - 1) (cb T dEt dOt q m)))
        (nth c (dpv ((seq 0 (n - 1)).map (cdiff T dEt dOt q m Ks))) d0)) : K) = _
    rw [dval_dadd, dval_dadd, dval_dsum]
  have e3 : (Rsum n (cTm n T dEt dOt q m Ks g) : K)
      = Rsum (n - 1) (cTm n T dEt dOt q m Ks g) + cTm n T dEt dOt q m Ks g (n - 1) :=
    Rsum_last _ n hn
  have e2 : (Rsum (n - 1) (cTm n T dEt dOt q m Ks g) : K)
      = Rsum (n - 1) (fun i => dval (cb T dEt dOt q m i)
          + cond (g i) (dval (cdiff T dEt dOt q m Ks i)) (ofInt 0)) :=
    Rsum_ext (n - 1) _ _ (fun i hi => cTm_pos n T dEt dOt q m Ks g i (by omega))
  have e4 := cTm_last (K := K) n T dEt dOt q m Ks g
  have e5 : (Rsum (n - 1) (fun i => dval (cb T dEt dOt q m i)
        + cond (g i) (dval (cdiff T dEt dOt q m Ks i)) (ofInt 0)) : K)
      = Rsum (n - 1) (fun i => dval (cb T dEt dOt q m i))
        + Rsum (n - 1) (fun i => cond (g i) (dval (cdiff T dEt dOt q m Ks i)) (ofInt 0)) :=
    Rsum_add (n - 1) _ _
  rw [e1, e3, e2, e4, e5]
  exact le_shuffle hdp

/-- Every input of a well-formed passing count block is correct (Coq `cblock_correct`). -/
theorem cblock_correct (M : Model) (P k : Nat) (r : K) (hr : IsInvSqrt M.h r)
    (hbasic : basic_ok M P k = true) (q m c km : Nat) (t : List Nat)
    (hok : cblock_ok M.V M.n (q, m, c, km) = true)
    (hpass : cblock_pass M.n (compute_tables M P k) (dE_of M P k) (dO_of M P k) (q, m, c, km)
      = true)
    (ht : t ∈ cblock_inputs M.n (q, m, c, km)) : correct M r t := by
  have ⟨hn, _, _, _⟩ := basic_ok_spec M P k hbasic
  have ⟨hqm, hmV, _, _, _⟩ := cblock_ok_spec M.V M.n q m c km hok
  have ⟨hlen, hlast, hmax, htok⟩ := cblock_max M.V M.n q m c km hn hok t ht
  have ⟨l, et, hll, hl, hcnt⟩ := cblock_mem M.n q m c km t ht
  have hv : valid M t := ⟨hlen, htok⟩
  have hqV : q < M.V := by omega
  have hli : ∀ i, i < M.n - 1 → nth i t 0 = nth i l 0 := fun i hi => by
    rw [et]
    exact nth_app_left 0 l [q] i (by omega)
  -- the non-max positions of `t`: `c` of them
  have hsel : ntrue ((seq 0 (M.n - 1)).map (nonmaxAt t m)) = c := by
    have e : (seq 0 (M.n - 1)).map (nonmaxAt t m) = nonmax m l := by
      apply list_ext_nth (decide ((0 : Nat) ≠ m))
      · have a1 := length_map' (nonmaxAt t m) (seq 0 (M.n - 1))
        have a2 := length_seq 0 (M.n - 1)
        have a3 : (nonmax m l).length = l.length := length_map' _ l
        omega
      · intro i hi
        have a1 := length_map' (nonmaxAt t m) (seq 0 (M.n - 1))
        have a2 := length_seq 0 (M.n - 1)
        have hi' : i < M.n - 1 := by omega
        have e7 : nth i ((seq 0 (M.n - 1)).map (nonmaxAt t m)) (decide ((0 : Nat) ≠ m))
            = nonmaxAt t m i :=
          nth_map_seq (nonmaxAt t m) (M.n - 1) i _ hi'
        have e8 : nth i (nonmax m l) (decide ((0 : Nat) ≠ m)) = decide (nth i l 0 ≠ m) :=
          nth_map_dflt (fun a => decide (a ≠ m)) l i 0 _ rfl
        have e9 : nonmaxAt t m i = decide (nth i l 0 ≠ m) := by
          show decide (nth i t 0 ≠ m) = decide (nth i l 0 ≠ m)
          rw [hli i hi']
        rw [e7, e8, e9]
    rw [e, hcnt]
  apply key_correct M P k r hr t hbasic hv
  intro j hj hjm
  rw [hmax] at hjm
  refine ⟨cTm M.n (compute_tables M P k) (dE_of M P k) (dO_of M P k) q m (Klist m km)
    (nonmaxAt t m), ?_, ?_⟩
  · exact ExpField.lt_of_lt_of_le _ _ _ (dpos_spec hpass)
      (cmargin_le M.n hn (compute_tables M P k) (dE_of M P k) (dO_of M P k) q m (Klist m km) c
        (nonmaxAt t m) hsel)
  · intro i hi w hw1 hw2
    rw [hlast, hmax]
    rw [hlast] at hw1 hw2
    have hti : nth i t 0 < M.V := htok _ (nth_mem 0 t i (by omega))
    -- the bound for the token actually at position `i`
    have hterm : (dval (cterm (compute_tables M P k) (dE_of M P k) (dO_of M P k) q m (nth i t 0) i)
        : K) ≤ ofInt (Dz (compute_tables M P k) q (nth i t 0) i m j) * w := by
      apply lb_mono _ _ _ _ w (WLO_nonneg M P k q (nth i t 0) i hqV hti hi) hw1 hw2
      have h1 := dE_le M P k q m j hqV hmV hj hjm
      have h2 := dO_le M P k m (nth i t 0) i j hmV hti hi hj hjm
      unfold Dz
      omega
    by_cases hil : i = M.n - 1
    · subst hil
      rw [cTm_last]
      rw [hlast] at hterm ⊢
      exact hterm
    · have hi' : i < M.n - 1 := by omega
      rw [cTm_pos M.n (compute_tables M P k) (dE_of M P k) (dO_of M P k) q m (Klist m km)
        (nonmaxAt t m) i hil]
      by_cases hm' : nth i t 0 = m
      · have hs : nonmaxAt t m i = false := decide_eq_false (fun h => h hm')
        rw [hs, cond_false', ExpField.add_zero]
        rw [hm'] at hterm ⊢
        exact hterm
      · have hs : nonmaxAt t m i = true := decide_eq_true hm'
        have e6 : (dval (cdiff (compute_tables M P k) (dE_of M P k) (dO_of M P k) q m (Klist m km) i)
            : K) = dval (ca (compute_tables M P k) (dE_of M P k) (dO_of M P k) q m (Klist m km) i)
              + dval (dneg (cb (compute_tables M P k) (dE_of M P k) (dO_of M P k) q m i)) :=
          dval_dadd _ _
        rw [hs, cond_true', e6, add_dneg_cancel]
        have hin : nth i l 0 ∈ l := nth_mem 0 l i (by omega)
        have hK : nth i t 0 ∈ Klist m km := by
          rw [hli i hi']
          cases hl _ hin with
          | inl e => exact absurd ((hli i hi').trans e) hm'
          | inr h => exact h
        exact ExpField.le_trans _ _ _ (dmin_list_le _ _ (mem_map_of_mem'
          (fun tok => cterm (compute_tables M P k) (dE_of M P k) (dO_of M P k) q m tok i)
          (Klist m km) (nth i t 0) hK)) hterm

end Correct

/-! ### Counting -/

/-- The inputs contributed by a block: all of its inputs if it passes, none otherwise. -/
def ccount_f (n : Nat) (T : tables) (dEt : List (List Int)) (dOt : List (List (List Int)))
    (b : block) : List (List Nat) :=
  if cblock_pass n T dEt dOt b = true then cblock_inputs n b else []

theorem ccount_f_mem (n : Nat) (T : tables) (dEt : List (List Int)) (dOt : List (List (List Int)))
    (b : block) (x : List Nat) (h : x ∈ ccount_f n T dEt dOt b) :
    cblock_pass n T dEt dOt b = true ∧ x ∈ cblock_inputs n b := by
  unfold ccount_f at h
  by_cases hp : cblock_pass n T dEt dOt b = true
  · rw [if_pos hp] at h
    exact ⟨hp, h⟩
  · rw [if_neg hp] at h
    exact nomatch h

theorem length_cblock_inputs (n : Nat) (b : block) :
    (cblock_inputs n b).length = cblock_count n b := by
  show ((cnt_lists b.2.1 (Klist b.2.1 b.2.2.2) (n - 1) b.2.2.1).map (fun l => l ++ [b.1])).length
    = nth b.2.2.1 (cvec (Klist b.2.1 b.2.2.2).length (n - 1)) 0
  rw [length_map', length_cnt_lists]

theorem length_cwitness (n : Nat) (T : tables) (dEt : List (List Int))
    (dOt : List (List (List Int))) :
    ∀ bs : List block, (flatMapL (ccount_f n T dEt dOt) bs).length = cblock_total n T dEt dOt bs
  | [] => rfl
  | b :: bs => by
    show (ccount_f n T dEt dOt b ++ flatMapL (ccount_f n T dEt dOt) bs).length
      = (if cblock_pass n T dEt dOt b = true then cblock_count n b else 0)
        + cblock_total n T dEt dOt bs
    rw [length_app, length_cwitness n T dEt dOt bs]
    unfold ccount_f
    by_cases hp : cblock_pass n T dEt dOt b = true
    · have e1 : (if cblock_pass n T dEt dOt b = true then cblock_inputs n b else [])
          = cblock_inputs n b := if_pos hp
      have e2 : (if cblock_pass n T dEt dOt b = true then cblock_count n b else 0)
          = cblock_count n b := if_pos hp
      rw [e1, e2, length_cblock_inputs]
    · have e1 : (if cblock_pass n T dEt dOt b = true then cblock_inputs n b else [])
          = [] := if_neg hp
      have e2 : (if cblock_pass n T dEt dOt b = true then cblock_count n b else 0) = 0 := if_neg hp
      rw [e1, e2, length_nil]

/-! ### The soundness theorem -/

section Sound
variable {K : Type} [ExpField K]

/-- Soundness of the cubic-count check: for every `ExpField K` (e.g. the reals with `Real.exp`) and
`r = 1/sqrt h`, `check_cubic_count M P k blocks N = true` implies that at least `N` distinct valid
inputs are classified correctly. -/
theorem check_cubic_count_sound (M : Model) (P k : Nat) (blocks : List block) (N : Nat) (r : K)
    (hr : IsInvSqrt M.h r) (hc : check_cubic_count M P k blocks N = true) :
    AccuracyAtLeast K r M N := by
  have ⟨hbasic, h1⟩ := band_elim hc
  have ⟨hoks, h2⟩ := band_elim h1
  have ⟨hsorted, hN⟩ := band_elim h2
  have ⟨hn, _, _, _⟩ := basic_ok_spec M P k hbasic
  refine ⟨flatMapL (ccount_f M.n (compute_tables M P k) (dE_of M P k) (dO_of M P k)) blocks,
    ?_, ?_, ?_⟩
  · apply ND.nodup
    apply nd_flatMap_keys _ key blocks (sorted_ND blocks hsorted)
    · intro b _
      unfold ccount_f
      by_cases hp : cblock_pass M.n (compute_tables M P k) (dE_of M P k) (dO_of M P k) b = true
      · rw [if_pos hp]
        exact nd_cblock_inputs M.n b
      · rw [if_neg hp]
        exact ND.nil
    · intro b1 b2 x hb1 hb2 hx1 hx2
      have ok1 := allL_spec _ blocks hoks b1 hb1
      have ok2 := allL_spec _ blocks hoks b2 hb2
      have ⟨_, hx1'⟩ := ccount_f_mem _ _ _ _ b1 x hx1
      have ⟨_, hx2'⟩ := ccount_f_mem _ _ _ _ b2 x hx2
      exact cblock_key_eq M.V M.n b1.1 b1.2.1 b1.2.2.1 b1.2.2.2 b2.1 b2.2.1 b2.2.2.1 b2.2.2.2 x hn
        ok1 ok2 hx1' hx2'
  · intro t ht
    have ⟨b, hb, hx⟩ := mem_flatMapL _ blocks t ht
    have ⟨hp, hin⟩ := ccount_f_mem _ _ _ _ b t hx
    have ok := allL_spec _ blocks hoks b hb
    have ⟨hlen, _, _, htok⟩ := cblock_max M.V M.n b.1 b.2.1 b.2.2.1 b.2.2.2 hn ok t hin
    exact ⟨⟨hlen, htok⟩, cblock_correct M P k r hr hbasic b.1 b.2.1 b.2.2.1 b.2.2.2 t ok hp hin⟩
  · rw [length_cwitness]
    exact dec_true hN

end Sound

end Pybridge
