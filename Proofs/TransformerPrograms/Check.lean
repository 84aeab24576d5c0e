/-
The enumeration checkers of tprog certificates and their soundness, each proven once (Lean mirror of
coq/theories/TransformerPrograms/Check.v). A certificate discharges `check .. = true` / `checkEqual .. = true`
by `decide +kernel` (pybridge/export/templates/lean_tprog.lean.j2). Numerical MLPs are evaluated directly (Coq's
Check.v tabulates them once up to an untrusted bound, `memo_fn`; not mirrored here).

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.TransformerPrograms.Spec

namespace Pybridge.TProg

def check (p : Program) (t : Task) (N : Nat) : Bool := Nat.ble N (countCorrect p t)

theorem check_sound (p : Program) (t : Task) (N : Nat) (h : check p t N = true) : AccuracyAtLeast p t N :=
  Nat.le_of_ble_eq_true h

def same (u v : List Nat) : Bool := decide (u = v)

/-- `true` iff `f` holds on every element (own definition: its one lemma below is proven here). -/
def allL {α : Type} (f : α → Bool) : List α → Bool
  | [] => true
  | a :: l => if f a = true then allL f l else false

theorem allL_mem {α : Type} (f : α → Bool) : ∀ (l : List α) (w : α), allL f l = true → w ∈ l → f w = true
  | [], _, _, hw => nomatch hw
  | a :: l, w, h, hw => by
    by_cases hfa : f a = true
    · have e : allL f (a :: l) = allL f l := if_pos hfa
      have h2 : allL f l = true := Eq.trans e.symm h
      cases hw with
      | head => exact hfa
      | tail _ hw' => exact allL_mem f l w h2 hw'
    · have e : allL f (a :: l) = false := if_neg hfa
      have h3 : false = true := Eq.trans e.symm h
      nomatch h3

def checkEqual (P : Program) (M : Model) (t : Task) : Bool :=
  allL (fun w => same (labels P t w) (labels (modelProgram M) t w)) (space t)

theorem checkEqual_sound (P : Program) (M : Model) (t : Task) (h : checkEqual P M t = true) :
    ProgramIsModel P M t :=
  fun w hw => of_decide_eq_true (allL_mem (fun w => same (labels P t w) (labels (modelProgram M) t w)) (space t) w h hw)

end Pybridge.TProg
