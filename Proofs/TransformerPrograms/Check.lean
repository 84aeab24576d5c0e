/-
The enumeration checker of `task-accuracy` and its soundness (Lean mirror of
coq/theories/TransformerPrograms/Check.v). A certificate would discharge `check p t N = true` by
`decide +kernel` (no Lean certificate exporter exists yet).

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.TransformerPrograms.Spec

namespace Pybridge.TProg

def check (p : Program) (t : Task) (N : Nat) : Bool := Nat.ble N (countCorrect p t)

theorem check_sound (p : Program) (t : Task) (N : Nat) (h : check p t N = true) : N ≤ countCorrect p t :=
  Nat.le_of_ble_eq_true h

end Pybridge.TProg
