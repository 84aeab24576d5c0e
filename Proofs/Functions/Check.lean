/-
The enumeration checker of `agree-strings` certificates and its soundness theorem, proven once.
`check A L f g` builds every word over `A` of each length `n <= L` and compares `eval w f` with `eval w g`;
`check_sound` turns `check A L f g = true` into the claim `AgreeUpTo A L f g` (Proofs/Functions/Spec.lean).
A certificate discharges `check .. = true` by `decide +kernel`
(pybridge/export/templates/lean_function.lean.j2, `pybridge export --lean`).

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.Functions.Spec

namespace Pybridge.Functions

/-- `c :: w` for every `w` of the list. -/
def consAll (c : Nat) : List (List Nat) → List (List Nat)
  | [] => []
  | w :: ws => (c :: w) :: consAll c ws

/-- `c :: w` for every character `c` of the second list and every `w` of `ws`. -/
def extendAll (ws : List (List Nat)) : List Nat → List (List Nat)
  | [] => []
  | c :: cs => consAll c ws ++ extendAll ws cs

/-- Every word of length `n` over `A` (with repetitions if `A` has repeated characters). -/
def words (A : List Nat) : Nat → List (List Nat)
  | 0 => [[]]
  | n + 1 => extendAll (words A n) A

/-- `true` iff `p` holds on every word of the list. -/
def allW (p : List Nat → Bool) : List (List Nat) → Bool
  | [] => true
  | w :: ws => p w && allW p ws

def agreeOn (f g : SExpr) (w : List Nat) : Bool := decide (eval w f = eval w g)

def checkLen (A : List Nat) (f g : SExpr) (n : Nat) : Bool := allW (agreeOn f g) (words A n)

def checkUpTo (A : List Nat) (f g : SExpr) : Nat → Bool
  | 0 => checkLen A f g 0
  | n + 1 => checkLen A f g (n + 1) && checkUpTo A f g n

/-- The checker of an `agree-strings` certificate. -/
def check (A : List Nat) (L : Nat) (f g : SExpr) : Bool := checkUpTo A f g L

theorem consAll_mem (c : Nat) (w : List Nat) :
    ∀ ws : List (List Nat), w ∈ ws → c :: w ∈ consAll c ws
  | [], hw => nomatch hw
  | v :: vs, hw => by
    show c :: w ∈ (c :: v) :: consAll c vs
    cases List.mem_cons.mp hw with
    | inl e => exact List.mem_cons.mpr (Or.inl (congrArg (List.cons c) e))
    | inr e => exact List.mem_cons.mpr (Or.inr (consAll_mem c w vs e))

theorem extendAll_mem (ws : List (List Nat)) (c : Nat) (w : List Nat) (hw : w ∈ ws) :
    ∀ cs : List Nat, c ∈ cs → c :: w ∈ extendAll ws cs
  | [], hc => nomatch hc
  | d :: ds, hc => by
    show c :: w ∈ consAll d ws ++ extendAll ws ds
    cases List.mem_cons.mp hc with
    | inl e =>
      subst e
      exact List.mem_append.mpr (Or.inl (consAll_mem _ w ws hw))
    | inr e => exact List.mem_append.mpr (Or.inr (extendAll_mem ws c w hw ds e))

/-- Every word over `A` is in the enumeration of its length. -/
theorem words_complete (A : List Nat) :
    ∀ s : List Nat, (∀ c, c ∈ s → c ∈ A) → s ∈ words A s.length
  | [], _ => by
    show ([] : List Nat) ∈ [([] : List Nat)]
    exact List.mem_cons.mpr (Or.inl rfl)
  | c :: t, h => by
    show c :: t ∈ extendAll (words A t.length) A
    have ht : t ∈ words A t.length := words_complete A t (fun d hd => h d (List.mem_cons.mpr (Or.inr hd)))
    have hc : c ∈ A := h c (List.mem_cons.mpr (Or.inl rfl))
    exact extendAll_mem (words A t.length) c t ht A hc

theorem allW_mem (p : List Nat → Bool) :
    ∀ (ws : List (List Nat)) (w : List Nat), allW p ws = true → w ∈ ws → p w = true
  | [], _, _, hw => nomatch hw
  | v :: vs, w, h, hw => by
    have h2 : (p v && allW p vs) = true := h
    rw [Bool.and_eq_true] at h2
    cases List.mem_cons.mp hw with
    | inl e => exact (congrArg p e).trans h2.1
    | inr e => exact allW_mem p vs w h2.2 e

theorem checkUpTo_le (A : List Nat) (f g : SExpr) :
    ∀ (L n : Nat), checkUpTo A f g L = true → n ≤ L → checkLen A f g n = true
  | 0, n, h, hn => by
    have e : n = 0 := by omega
    subst e
    exact h
  | L + 1, n, h, hn => by
    have h2 : (checkLen A f g (L + 1) && checkUpTo A f g L) = true := h
    rw [Bool.and_eq_true] at h2
    by_cases e : n = L + 1
    · subst e
      exact h2.1
    · exact checkUpTo_le A f g L n h2.2 (by omega)

/-- Soundness, proven once: a `true` answer of the checker is the claim. -/
theorem check_sound (A : List Nat) (L : Nat) (f g : SExpr) (h : check A L f g = true) : AgreeUpTo A L f g := by
  unfold AgreeUpTo
  intro s hs hl
  have h1 : checkLen A f g s.length = true := checkUpTo_le A f g L s.length h hl
  have h2 : agreeOn f g s = true := allW_mem (agreeOn f g) (words A s.length) s h1 (words_complete A s hs)
  exact of_decide_eq_true h2

end Pybridge.Functions
