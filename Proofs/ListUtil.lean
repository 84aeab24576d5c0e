/-
ListUtil: finite sums, `nth`/`seq` tables, list maxima, duplicate-free lists and Cartesian products
(Lean mirror of coq/theories/ListUtil.v).

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.Field

namespace Pybridge

open ExpField (ofInt inv exp)

/-! ### Booleans -/

theorem band_elim {a b : Bool} (h : (a && b) = true) : a = true ∧ b = true := by
  cases a <;> cases b <;> first | exact ⟨rfl, rfl⟩ | exact absurd h (by decide)

theorem dec_true {p : Prop} [Decidable p] (h : decide p = true) : p := of_decide_eq_true h

theorem bor_elim {a b : Bool} (h : (a || b) = true) : a = true ∨ b = true := by
  cases a <;> cases b <;> first | exact Or.inl rfl | exact Or.inr rfl | exact absurd h (by decide)

theorem band_true {a b : Bool} (ha : a = true) (hb : b = true) : (a && b) = true := by
  cases a with
  | false => exact absurd ha (by decide)
  | true =>
    cases b with
    | false => exact absurd hb (by decide)
    | true => rfl

/-- `!b = true` and `b = true` are contradictory. -/
theorem bnot_elim {b : Bool} (h1 : (!b) = true) (h2 : b = true) : False := by
  cases b with
  | false => exact absurd h2 (by decide)
  | true => exact absurd h1 (by decide)

theorem bool_false {b : Bool} (h : ¬ (b = true)) : b = false := by
  cases b with
  | false => rfl
  | true => exact absurd rfl h

theorem bool_ne {b : Bool} (h : b = false) : ¬ (b = true) :=
  fun h2 => absurd (h.symm.trans h2) (by decide)

/-- `2^w > 0` in `Nat`. -/
theorem pow2_pos_nat : ∀ w : Nat, 0 < 2 ^ w
  | 0 => by decide
  | w + 1 => by
    have ih := pow2_pos_nat w
    have e : 2 ^ (w + 1) = 2 ^ w * 2 := by first | rfl | omega
    rw [e]
    omega

/-- `allB n f`: `f i = true` for every `i < n`. -/
def allB (f : Nat → Bool) : Nat → Bool
  | 0 => true
  | n + 1 => allB f n && f n

theorem allB_spec (f : Nat → Bool) : ∀ (n : Nat), allB f n = true → ∀ i, i < n → f i = true
  | 0, _, i, hi => absurd hi (Nat.not_lt_zero i)
  | n + 1, h, i, hi => by
    have h2 := band_elim h
    cases Nat.lt_or_ge i n with
    | inl hlt => exact allB_spec f n h2.1 i hlt
    | inr hge =>
      have e : i = n := by omega
      rw [e]
      exact h2.2

/-! ### `nth` and `seq` -/

/-- `nth i [] d = d`, by cases on `i` (so it does not depend on which argument `nth` recurses on). -/
theorem nth_nil {α : Type} (d : α) : ∀ i : Nat, nth i ([] : List α) d = d
  | 0 => rfl
  | _ + 1 => rfl

theorem nth_map_dflt {α β : Type} (f : α → β) :
    ∀ (l : List α) (i : Nat) (da : α) (db : β), f da = db → nth i (l.map f) db = f (nth i l da)
  | [], i, da, db, h => by
    show nth i ([] : List β) db = f (nth i ([] : List α) da)
    rw [nth_nil db i, nth_nil da i]
    exact h.symm
  | _ :: _, 0, _, _, _ => rfl
  | _ :: l, i + 1, da, db, h => nth_map_dflt f l i da db h

theorem nth_map_seq_gen {α : Type} (f : Nat → α) (d : α) :
    ∀ (c s i : Nat), i < c → nth i ((seq s c).map f) d = f (s + i)
  | 0, _, i, h => absurd h (Nat.not_lt_zero i)
  | _ + 1, s, 0, _ => by
    show f s = f (s + 0)
    rw [Nat.add_zero]
  | c + 1, s, i + 1, h => by
    show nth i ((seq (s + 1) c).map f) d = f (s + (i + 1))
    rw [nth_map_seq_gen f d c (s + 1) i (by omega)]
    have e : s + 1 + i = s + (i + 1) := by omega
    rw [e]

/-- `nth` of a table built by `map f (seq 0 c)` is `f i`. -/
theorem nth_map_seq {α : Type} (f : Nat → α) (c i : Nat) (d : α) (h : i < c) :
    nth i ((seq 0 c).map f) d = f i := by
  rw [nth_map_seq_gen f d c 0 i h, Nat.zero_add]

theorem length_map' {α β : Type} (f : α → β) : ∀ (l : List α), (l.map f).length = l.length
  | [] => rfl
  | _ :: l => by
    show (l.map f).length + 1 = l.length + 1
    rw [length_map' f l]

theorem length_app {α : Type} : ∀ (l1 l2 : List α), (l1 ++ l2).length = l1.length + l2.length
  | [], l2 => by
    show l2.length = 0 + l2.length
    omega
  | _ :: l1, l2 => by
    show (l1 ++ l2).length + 1 = (l1.length + 1) + l2.length
    rw [length_app l1 l2]
    omega

theorem length_nil {α : Type} : ([] : List α).length = 0 := rfl

theorem length_seq : ∀ (s c : Nat), (seq s c).length = c
  | _, 0 => rfl
  | s, c + 1 => by
    show (seq (s + 1) c).length + 1 = c + 1
    rw [length_seq (s + 1) c]

theorem mem_seq : ∀ (s c a : Nat), a ∈ seq s c → s ≤ a ∧ a < s + c
  | _, 0, _, h => nomatch h
  | s, c + 1, a, h => by
    cases List.mem_cons.mp h with
    | inl e => omega
    | inr h' =>
      have := mem_seq (s + 1) c a h'
      omega

theorem mem_seq_of : ∀ (s c a : Nat), s ≤ a → a < s + c → a ∈ seq s c
  | _, 0, _, h1, h2 => absurd h2 (by omega)
  | s, c + 1, a, h1, h2 => by
    show a ∈ s :: seq (s + 1) c
    by_cases e : a = s
    · exact List.mem_cons.mpr (Or.inl e)
    · exact List.mem_cons.mpr (Or.inr (mem_seq_of (s + 1) c a (by omega) (by omega)))

/-- `nth i l d ∈ l` for `i < l.length`. -/
theorem nth_mem {α : Type} (d : α) : ∀ (l : List α) (i : Nat), i < l.length → nth i l d ∈ l
  | [], i, h => absurd h (Nat.not_lt_zero i)
  | _ :: _, 0, _ => List.mem_cons.mpr (Or.inl rfl)
  | _ :: l, i + 1, h => List.mem_cons.mpr (Or.inr (nth_mem d l i (by
      have h' : i + 1 < l.length + 1 := h
      omega)))

theorem nth_app_left {α : Type} (d : α) :
    ∀ (l1 l2 : List α) (i : Nat), i < l1.length → nth i (l1 ++ l2) d = nth i l1 d
  | [], _, i, h => absurd h (Nat.not_lt_zero i)
  | _ :: _, _, 0, _ => rfl
  | _ :: l1, l2, i + 1, h => nth_app_left d l1 l2 i (by
      have h' : i + 1 < l1.length + 1 := h
      omega)

theorem nth_app_right {α : Type} (d : α) :
    ∀ (l1 l2 : List α) (j : Nat), nth (l1.length + j) (l1 ++ l2) d = nth j l2 d
  | [], l2, j => by
    show nth (0 + j) l2 d = nth j l2 d
    rw [Nat.zero_add]
  | a :: l1, l2, j => by
    show nth (l1.length + 1 + j) (a :: (l1 ++ l2)) d = nth j l2 d
    have e : l1.length + 1 + j = (l1.length + j) + 1 := by omega
    rw [e]
    exact nth_app_right d l1 l2 j

theorem mem_map' {α β : Type} (f : α → β) :
    ∀ (l : List α) (y : β), y ∈ l.map f → ∃ a, a ∈ l ∧ y = f a
  | [], _, h => nomatch h
  | a :: l, y, h => by
    have h' : y ∈ f a :: l.map f := h
    cases List.mem_cons.mp h' with
    | inl e => exact ⟨a, List.mem_cons.mpr (Or.inl rfl), e⟩
    | inr h2 =>
      have ⟨b, hb, e⟩ := mem_map' f l y h2
      exact ⟨b, List.mem_cons.mpr (Or.inr hb), e⟩

theorem mem_map_of_mem' {α β : Type} (f : α → β) :
    ∀ (l : List α) (a : α), a ∈ l → f a ∈ l.map f
  | [], _, h => nomatch h
  | b :: l, a, h => by
    show f a ∈ f b :: l.map f
    cases List.mem_cons.mp h with
    | inl e => rw [e]; exact List.mem_cons.mpr (Or.inl rfl)
    | inr h2 => exact List.mem_cons.mpr (Or.inr (mem_map_of_mem' f l a h2))

/-- Every member of a list is some `nth`. -/
theorem mem_nth {α : Type} (d : α) : ∀ (l : List α) (a : α), a ∈ l → ∃ i, i < l.length ∧ nth i l d = a
  | [], _, h => nomatch h
  | b :: l, a, h => by
    cases List.mem_cons.mp h with
    | inl e => exact ⟨0, by show 0 < l.length + 1; omega, e.symm⟩
    | inr h' =>
      have ⟨i, hi, e⟩ := mem_nth d l a h'
      exact ⟨i + 1, by show i + 1 < l.length + 1; omega, e⟩

/-- Two lists of the same length with the same entries are equal. -/
theorem list_ext_nth {α : Type} (d : α) :
    ∀ (l1 l2 : List α), l1.length = l2.length → (∀ i, i < l1.length → nth i l1 d = nth i l2 d) →
      l1 = l2
  | [], [], _, _ => rfl
  | [], _ :: _, h, _ => absurd h (by intro e; cases e)
  | _ :: _, [], h, _ => absurd h (by intro e; cases e)
  | a :: l1, b :: l2, h, hn => by
    have hab : a = b := hn 0 (by show 0 < l1.length + 1; omega)
    have hl : l1.length = l2.length := by
      have h' : l1.length + 1 = l2.length + 1 := h
      omega
    have e := list_ext_nth d l1 l2 hl
      (fun i hi => hn (i + 1) (by show i + 1 < l1.length + 1; omega))
    rw [hab, e]

/-! ### Real sums -/

section Sums
variable {K : Type} [ExpField K]

theorem Rsum_succ (n : Nat) (f : Nat → K) : Rsum (n + 1) f = Rsum n f + f n := rfl

theorem Rsum_ext : ∀ (n : Nat) (f g : Nat → K), (∀ i, i < n → f i = g i) → Rsum n f = Rsum n g
  | 0, _, _, _ => rfl
  | n + 1, f, g, h => by
    rw [Rsum_succ n f, Rsum_succ n g, Rsum_ext n f g (fun i hi => h i (by omega)),
      h n (by omega)]

theorem Rsum_le : ∀ (n : Nat) (f g : Nat → K), (∀ i, i < n → f i ≤ g i) → Rsum n f ≤ Rsum n g
  | 0, _, _, _ => ExpField.le_refl _
  | n + 1, f, g, h => by
    rw [Rsum_succ n f, Rsum_succ n g]
    exact ExpField.add_le_add (Rsum_le n f g (fun i hi => h i (by omega))) (h n (by omega))

theorem Rsum_add : ∀ (n : Nat) (f g : Nat → K),
    Rsum n (fun i => f i + g i) = Rsum n f + Rsum n g
  | 0, _, _ => (ExpField.add_zero (ofInt 0)).symm
  | n + 1, f, g => by
    rw [Rsum_succ n (fun i => f i + g i), Rsum_succ n f, Rsum_succ n g, Rsum_add n f g,
      ExpField.add_add_add_comm (Rsum n f) (Rsum n g) (f n) (g n)]

theorem Rsum_mul_right : ∀ (n : Nat) (f : Nat → K) (c : K),
    Rsum n (fun i => f i * c) = Rsum n f * c
  | 0, _, c => (ExpField.zero_mul c).symm
  | n + 1, f, c => by
    rw [Rsum_succ n (fun i => f i * c), Rsum_succ n f, Rsum_mul_right n f c,
      ExpField.add_mul (Rsum n f) (f n) c]

theorem Rsum_mul_left (n : Nat) (f : Nat → K) (c : K) :
    Rsum n (fun i => c * f i) = c * Rsum n f := by
  rw [ExpField.mul_comm c (Rsum n f), ← Rsum_mul_right n f c]
  exact Rsum_ext n _ _ (fun i _ => ExpField.mul_comm c (f i))

theorem Rsum_nonneg : ∀ (n : Nat) (f : Nat → K), (∀ i, i < n → ofInt 0 ≤ f i) →
    ofInt 0 ≤ Rsum n f
  | 0, _, _ => ExpField.le_refl _
  | n + 1, f, h => by
    rw [Rsum_succ n f]
    have h1 := ExpField.add_le_add (Rsum_nonneg n f (fun i hi => h i (by omega))) (h n (by omega))
    rw [ExpField.zero_add (ofInt 0)] at h1
    exact h1

theorem Rsum_pos : ∀ (n : Nat) (f : Nat → K), 0 < n → (∀ i, i < n → ofInt 0 < f i) →
    ofInt 0 < Rsum n f
  | 0, _, hn, _ => absurd hn (Nat.lt_irrefl 0)
  | n + 1, f, _, h => by
    rw [Rsum_succ n f]
    have h1 := Rsum_nonneg n f (fun i hi => ExpField.le_of_lt _ _ (h i (by omega)))
    have h2 := ExpField.add_lt_add_left (ofInt 0) (f n) (Rsum n f) (h n (by omega))
    rw [ExpField.add_zero (Rsum n f)] at h2
    exact ExpField.lt_of_le_of_lt _ _ _ h1 h2

end Sums

/-! ### Integer sums -/

/-- `Zsum n f = f 0 + ... + f (n-1)` over the integers. -/
def Zsum : Nat → (Nat → Int) → Int
  | 0, _ => 0
  | n + 1, f => Zsum n f + f n

theorem ofInt_Zsum {K : Type} [ExpField K] :
    ∀ (n : Nat) (f : Nat → Int), (ofInt (Zsum n f) : K) = Rsum n (fun i => ofInt (f i))
  | 0, _ => rfl
  | n + 1, f => by
    show (ofInt (Zsum n f + f n) : K) = Rsum n (fun i => ofInt (f i)) + ofInt (f n)
    rw [ExpField.ofInt_add (Zsum n f) (f n), ofInt_Zsum n f]

/-! ### `list_max` -/

theorem list_max_ge : ∀ (t : List Nat) (a : Nat), a ∈ t → a ≤ list_max t
  | [], _, h => nomatch h
  | b :: l, a, h => by
    show a ≤ max b (list_max l)
    cases List.mem_cons.mp h with
    | inl e => omega
    | inr h' =>
      have := list_max_ge l a h'
      omega

theorem list_max_le : ∀ (t : List Nat) (m : Nat), (∀ a, a ∈ t → a ≤ m) → list_max t ≤ m
  | [], m, _ => Nat.zero_le m
  | b :: l, m, h => by
    have h1 : b ≤ m := h b (List.mem_cons.mpr (Or.inl rfl))
    have h2 : list_max l ≤ m := list_max_le l m (fun a ha => h a (List.mem_cons.mpr (Or.inr ha)))
    show max b (list_max l) ≤ m
    omega

/-! ### Duplicate-free lists -/

/-- Duplicate-freedom (the same as core's `List.Nodup`, as an inductive for easy inversion). -/
inductive ND {α : Type} : List α → Prop
  | nil : ND []
  | cons {a : α} {l : List α} : (∀ b, b ∈ l → a ≠ b) → ND l → ND (a :: l)

theorem ND.nodup {α : Type} : ∀ {l : List α}, ND l → l.Nodup
  | _, ND.nil => List.Pairwise.nil
  | _, ND.cons h1 h2 => List.Pairwise.cons h1 (ND.nodup h2)

theorem nd_append {α : Type} : ∀ (l1 l2 : List α), ND l1 → ND l2 →
    (∀ x, x ∈ l1 → ∀ y, y ∈ l2 → x ≠ y) → ND (l1 ++ l2)
  | [], _, _, h2, _ => h2
  | a :: l1, l2, h1, h2, hd => by
    cases h1 with
    | cons ha hl =>
      show ND (a :: (l1 ++ l2))
      apply ND.cons
      · intro b hb
        cases List.mem_append.mp hb with
        | inl hb1 => exact ha b hb1
        | inr hb2 => exact hd a (List.mem_cons.mpr (Or.inl rfl)) b hb2
      · exact nd_append l1 l2 hl h2 (fun x hx y hy => hd x (List.mem_cons.mpr (Or.inr hx)) y hy)

theorem mem_append_left' {α : Type} {a : α} {l1 : List α} (l2 : List α) (h : a ∈ l1) :
    a ∈ l1 ++ l2 := List.mem_append.mpr (Or.inl h)

theorem mem_append_right' {α : Type} {a : α} (l1 : List α) {l2 : List α} (h : a ∈ l2) :
    a ∈ l1 ++ l2 := List.mem_append.mpr (Or.inr h)

theorem nd_seq : ∀ (s c : Nat), ND (seq s c)
  | _, 0 => ND.nil
  | s, c + 1 => by
    show ND (s :: seq (s + 1) c)
    apply ND.cons
    · intro b hb e
      have := mem_seq (s + 1) c b hb
      omega
    · exact nd_seq (s + 1) c

/-- Keep the elements satisfying `p`. -/
def filt {α : Type} (p : α → Bool) : List α → List α
  | [] => []
  | a :: l => if p a = true then a :: filt p l else filt p l

theorem mem_filt {α : Type} (p : α → Bool) : ∀ (l : List α) (a : α), a ∈ filt p l → a ∈ l ∧ p a = true
  | [], _, h => nomatch h
  | b :: l, a, h => by
    by_cases hb : p b = true
    · have h' : a ∈ b :: filt p l := by
        have e : filt p (b :: l) = b :: filt p l := if_pos hb
        rw [← e]
        exact h
      cases List.mem_cons.mp h' with
      | inl e => rw [e]; exact ⟨List.mem_cons.mpr (Or.inl rfl), hb⟩
      | inr h2 =>
        have ⟨h3, h4⟩ := mem_filt p l a h2
        exact ⟨List.mem_cons.mpr (Or.inr h3), h4⟩
    · have h' : a ∈ filt p l := by
        have e : filt p (b :: l) = filt p l := if_neg hb
        rw [← e]
        exact h
      have ⟨h3, h4⟩ := mem_filt p l a h'
      exact ⟨List.mem_cons.mpr (Or.inr h3), h4⟩

theorem mem_filt_of {α : Type} (p : α → Bool) :
    ∀ (l : List α) (a : α), a ∈ l → p a = true → a ∈ filt p l
  | [], _, h, _ => nomatch h
  | b :: l, a, h, hp => by
    by_cases hb : p b = true
    · have e : filt p (b :: l) = b :: filt p l := if_pos hb
      rw [e]
      cases List.mem_cons.mp h with
      | inl e2 => exact List.mem_cons.mpr (Or.inl e2)
      | inr h2 => exact List.mem_cons.mpr (Or.inr (mem_filt_of p l a h2 hp))
    · have e : filt p (b :: l) = filt p l := if_neg hb
      rw [e]
      cases List.mem_cons.mp h with
      | inl e2 =>
        rw [e2] at hp
        exact absurd hp hb
      | inr h2 => exact mem_filt_of p l a h2 hp

theorem nd_filt {α : Type} (p : α → Bool) : ∀ (l : List α), ND l → ND (filt p l)
  | [], _ => ND.nil
  | b :: l, h => by
    cases h with
    | cons hb hl =>
      by_cases hp : p b = true
      · have e : filt p (b :: l) = b :: filt p l := if_pos hp
        rw [e]
        exact ND.cons (fun c hc => hb c (mem_filt p l c hc).1) (nd_filt p l hl)
      · have e : filt p (b :: l) = filt p l := if_neg hp
        rw [e]
        exact nd_filt p l hl

/-- `allL p l`: `p a = true` for every member `a` of `l` (Coq `forallb`). -/
def allL {α : Type} (p : α → Bool) : List α → Bool
  | [] => true
  | a :: l => p a && allL p l

theorem allL_spec {α : Type} (p : α → Bool) :
    ∀ (l : List α), allL p l = true → ∀ a, a ∈ l → p a = true
  | [], _, _, h => nomatch h
  | b :: l, h, a, ha => by
    have ⟨h1, h2⟩ := band_elim h
    cases List.mem_cons.mp ha with
    | inl e => rw [e]; exact h1
    | inr h3 => exact allL_spec p l h2 a h3

/-! ### Concatenation of lists, each tagged by a key -/

/-- `flatMapL f [a, b, ...] = f a ++ f b ++ ...` (Coq `flat_map`). -/
def flatMapL {α β : Type} (f : α → List β) : List α → List β
  | [] => []
  | a :: l => f a ++ flatMapL f l

theorem mem_flatMapL {α β : Type} (f : α → List β) :
    ∀ (l : List α) (x : β), x ∈ flatMapL f l → ∃ a, a ∈ l ∧ x ∈ f a
  | [], x, h => by
    have h' : x ∈ ([] : List β) := h
    exact nomatch h'
  | a :: l, x, h => by
    have h' : x ∈ f a ++ flatMapL f l := h
    cases List.mem_append.mp h' with
    | inl h1 => exact ⟨a, List.mem_cons.mpr (Or.inl rfl), h1⟩
    | inr h1 =>
      have ⟨b, hb, hx⟩ := mem_flatMapL f l x h1
      exact ⟨b, List.mem_cons.mpr (Or.inr hb), hx⟩

/-- Coq `NoDup_flat_map_keys`: the concatenation is duplicate-free if each list is, the keys are
distinct, and lists sharing an element have the same key. -/
theorem nd_flatMap_keys {α β γ : Type} (f : α → List β) (key : α → γ) :
    ∀ (bs : List α), ND (bs.map key) → (∀ b, b ∈ bs → ND (f b)) →
      (∀ b1 b2 x, b1 ∈ bs → b2 ∈ bs → x ∈ f b1 → x ∈ f b2 → key b1 = key b2) →
      ND (flatMapL f bs)
  | [], _, _, _ => ND.nil
  | b :: bs, hk, hf, hd => by
    have hk' : ND (key b :: bs.map key) := hk
    cases hk' with
    | cons hnot hrest =>
      show ND (f b ++ flatMapL f bs)
      apply nd_append
      · exact hf b (List.mem_cons.mpr (Or.inl rfl))
      · exact nd_flatMap_keys f key bs hrest
          (fun b' hb' => hf b' (List.mem_cons.mpr (Or.inr hb')))
          (fun b1 b2 x h1 h2 => hd b1 b2 x (List.mem_cons.mpr (Or.inr h1))
            (List.mem_cons.mpr (Or.inr h2)))
      · intro x hx y hy e
        have ⟨b', hb', hy'⟩ := mem_flatMapL f bs y hy
        rw [← e] at hy'
        have hkey := hd b b' x (List.mem_cons.mpr (Or.inl rfl)) (List.mem_cons.mpr (Or.inr hb'))
          hx hy'
        exact hnot (key b') (mem_map_of_mem' key bs b' hb') hkey

/-! ### Minimum and maximum of a list of integers (head as start value; 0 for `[]`) -/

def zminL (a : Int) : List Int → Int
  | [] => a
  | b :: r => min b (zminL a r)

/-- Coq `zmin_list`: `fold_right Z.min a r` for `a :: r`. -/
def zmin_list : List Int → Int
  | [] => 0
  | a :: r => zminL a r

def zmaxL (a : Int) : List Int → Int
  | [] => a
  | b :: r => max b (zmaxL a r)

/-- Coq `zmax_list`. -/
def zmax_list : List Int → Int
  | [] => 0
  | a :: r => zmaxL a r

theorem zminL_le (a : Int) : ∀ (r : List Int) (y : Int), (y = a ∨ y ∈ r) → zminL a r ≤ y
  | [], y, h => by
    cases h with
    | inl e =>
      show a ≤ y
      omega
    | inr h' => exact nomatch h'
  | b :: r, y, h => by
    show min b (zminL a r) ≤ y
    cases h with
    | inl e =>
      have := zminL_le a r y (Or.inl e)
      omega
    | inr h' =>
      cases List.mem_cons.mp h' with
      | inl e => omega
      | inr h'' =>
        have := zminL_le a r y (Or.inr h'')
        omega

theorem zmin_list_le : ∀ (l : List Int) (y : Int), y ∈ l → zmin_list l ≤ y
  | [], _, h => nomatch h
  | a :: r, y, h => zminL_le a r y (List.mem_cons.mp h)

theorem zmaxL_ge (a : Int) : ∀ (r : List Int) (y : Int), (y = a ∨ y ∈ r) → y ≤ zmaxL a r
  | [], y, h => by
    cases h with
    | inl e =>
      show y ≤ a
      omega
    | inr h' => exact nomatch h'
  | b :: r, y, h => by
    show y ≤ max b (zmaxL a r)
    cases h with
    | inl e =>
      have := zmaxL_ge a r y (Or.inl e)
      omega
    | inr h' =>
      cases List.mem_cons.mp h' with
      | inl e => omega
      | inr h'' =>
        have := zmaxL_ge a r y (Or.inr h'')
        omega

theorem zmax_list_ge : ∀ (l : List Int) (y : Int), y ∈ l → y ≤ zmax_list l
  | [], _, h => nomatch h
  | a :: r, y, h => zmaxL_ge a r y (List.mem_cons.mp h)

/-- Concatenation of a list of lists. -/
def concatL : List (List Int) → List Int
  | [] => []
  | l :: ls => l ++ concatL ls

/-! ### Cartesian products -/

/-- `consAll R L`: every `a :: r` with `a ∈ L`, `r ∈ R`. -/
def consAll {α : Type} (R : List (List α)) : List α → List (List α)
  | [] => []
  | a :: L => R.map (List.cons a) ++ consAll R L

/-- The Cartesian product of a list of lists: all `t` with `t_i ∈ Ls_i`. -/
def prod_list {α : Type} : List (List α) → List (List α)
  | [] => [[]]
  | L :: Ls => consAll (prod_list Ls) L

/-- Product of the lengths. -/
def prodLen {α : Type} : List (List α) → Nat
  | [] => 1
  | L :: Ls => L.length * prodLen Ls

theorem mem_map_cons {α : Type} (a : α) :
    ∀ (R : List (List α)) (t : List α), t ∈ R.map (List.cons a) → ∃ t', t' ∈ R ∧ t = a :: t'
  | [], _, h => nomatch h
  | r :: R, t, h => by
    cases List.mem_cons.mp h with
    | inl e => exact ⟨r, List.mem_cons.mpr (Or.inl rfl), e⟩
    | inr h' =>
      have ⟨t', h1, h2⟩ := mem_map_cons a R t h'
      exact ⟨t', List.mem_cons.mpr (Or.inr h1), h2⟩

theorem nd_map_cons {α : Type} (a : α) : ∀ (R : List (List α)), ND R → ND (R.map (List.cons a))
  | [], _ => ND.nil
  | r :: R, h => by
    cases h with
    | cons h1 h2 =>
      show ND ((a :: r) :: R.map (List.cons a))
      apply ND.cons
      · intro b hb e
        have ⟨t', ht', hb'⟩ := mem_map_cons a R b hb
        have hr : r = t' := (List.cons.inj (e.trans hb')).2
        exact h1 t' ht' hr
      · exact nd_map_cons a R h2

theorem mem_consAll {α : Type} (R : List (List α)) :
    ∀ (L : List α) (t : List α), t ∈ consAll R L → ∃ a t', a ∈ L ∧ t' ∈ R ∧ t = a :: t'
  | [], _, h => nomatch h
  | a :: L, t, h => by
    cases List.mem_append.mp h with
    | inl h1 =>
      have ⟨t', h2, h3⟩ := mem_map_cons a R t h1
      exact ⟨a, t', List.mem_cons.mpr (Or.inl rfl), h2, h3⟩
    | inr h1 =>
      have ⟨b, t', h2, h3, h4⟩ := mem_consAll R L t h1
      exact ⟨b, t', List.mem_cons.mpr (Or.inr h2), h3, h4⟩

theorem nd_consAll {α : Type} (R : List (List α)) (hR : ND R) :
    ∀ (L : List α), ND L → ND (consAll R L)
  | [], _ => ND.nil
  | a :: L, hL => by
    cases hL with
    | cons ha hL' =>
      show ND (R.map (List.cons a) ++ consAll R L)
      apply nd_append _ _ (nd_map_cons a R hR) (nd_consAll R hR L hL')
      intro x hx y hy e
      have ⟨t1, _, e1⟩ := mem_map_cons a R x hx
      have ⟨b, t2, hb, _, e2⟩ := mem_consAll R L y hy
      have hab : a = b := (List.cons.inj ((e1.symm.trans e).trans e2)).1
      exact ha b hb hab

theorem length_consAll {α : Type} (R : List (List α)) :
    ∀ (L : List α), (consAll R L).length = L.length * R.length
  | [] => by
    show 0 = 0 * R.length
    rw [Nat.zero_mul]
  | a :: L => by
    show (R.map (List.cons a) ++ consAll R L).length = (L.length + 1) * R.length
    rw [length_app, length_map', length_consAll R L, Nat.add_mul, Nat.one_mul]
    omega

theorem length_prod_list {α : Type} : ∀ (Ls : List (List α)), (prod_list Ls).length = prodLen Ls
  | [] => rfl
  | L :: Ls => by
    show (consAll (prod_list Ls) L).length = L.length * prodLen Ls
    rw [length_consAll, length_prod_list Ls]

theorem nd_prod_list {α : Type} :
    ∀ (Ls : List (List α)), (∀ L, L ∈ Ls → ND L) → ND (prod_list Ls)
  | [], _ => ND.cons (fun _ hb => nomatch hb) ND.nil
  | L :: Ls, h =>
    nd_consAll (prod_list Ls)
      (nd_prod_list Ls (fun L' hL' => h L' (List.mem_cons.mpr (Or.inr hL'))))
      L (h L (List.mem_cons.mpr (Or.inl rfl)))

theorem mem_prod_list {α : Type} (d : α) : ∀ (Ls : List (List α)) (t : List α), t ∈ prod_list Ls →
    t.length = Ls.length ∧ ∀ i, i < Ls.length → nth i t d ∈ nth i Ls []
  | [], t, h => by
    have e : t = [] := by
      cases List.mem_cons.mp h with
      | inl e => exact e
      | inr h' => exact nomatch h'
    subst e
    exact ⟨rfl, fun i hi => absurd hi (Nat.not_lt_zero i)⟩
  | L :: Ls, t, h => by
    have ⟨a, t', ha, ht', e⟩ := mem_consAll (prod_list Ls) L t h
    have ⟨hl, hi⟩ := mem_prod_list d Ls t' ht'
    subst e
    refine ⟨?_, ?_⟩
    · show t'.length + 1 = Ls.length + 1
      rw [hl]
    · intro i hi'
      cases i with
      | zero => exact ha
      | succ i =>
        have h3 : i + 1 < Ls.length + 1 := hi'
        exact hi i (by omega)

/-- `rep n a = [a, ..., a]` (`n` copies). -/
def rep {α : Type} : Nat → α → List α
  | 0, _ => []
  | n + 1, a => a :: rep n a

theorem length_rep {α : Type} (a : α) : ∀ n : Nat, (rep n a).length = n
  | 0 => rfl
  | n + 1 => by
    show (rep n a).length + 1 = n + 1
    rw [length_rep a n]

theorem nth_rep {α : Type} (a d : α) : ∀ (n i : Nat), i < n → nth i (rep n a) d = a
  | 0, i, h => absurd h (Nat.not_lt_zero i)
  | _ + 1, 0, _ => rfl
  | n + 1, i + 1, h => nth_rep a d n i (by omega)

theorem mem_rep {α : Type} (a : α) : ∀ (n : Nat) (b : α), b ∈ rep n a → b = a
  | 0, _, h => nomatch h
  | n + 1, b, h => by
    cases List.mem_cons.mp h with
    | inl e => exact e
    | inr h' => exact mem_rep a n b h'

end Pybridge
