/-
The brute-force checker of bilinear modular-addition certificates and its soundness (Lean mirror of
`check_bf` / `check_bf_sound` in coq/theories/Bilinear/Check.v, over the integer reading of
Proofs/Bilinear/Spec.lean). A certificate would discharge `check m P N = true` by `decide +kernel`
(no Lean certificate exporter exists for this family yet).

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.Bilinear.Spec

namespace Pybridge.Bilinear

def check (m : Model) (P N : Nat) : Bool := Nat.ble N (countCorrect m P)

theorem check_sound (m : Model) (P N : Nat) (h : check m P N = true) : accuracyAtLeast m P N :=
  Nat.le_of_ble_eq_true h

end Pybridge.Bilinear
