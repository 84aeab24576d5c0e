/-
The brute-force checker of bilinear modular-addition certificates and its soundness (Lean mirror of
`check_bf` / `check_bf_sound` in coq/theories/Bilinear/Check.v, over the integer reading of
Proofs/Bilinear/Spec.lean). A certificate discharges `check m P N = true` (or `checkSim A B p q = true`) by `decide +kernel`
(pybridge/export/templates/lean_bilinear.lean.j2, `pybridge export --lean`).

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.Bilinear.Spec

namespace Pybridge.Bilinear

def check (m : Model) (P N : Nat) : Bool := Nat.ble N (countCorrect m P)

theorem check_sound (m : Model) (P N : Nat) (h : check m P N = true) : accuracyAtLeast m P N :=
  Nat.le_of_ble_eq_true h

/-- The `similarity` checker: the claim itself, decided (the tensors are materialised; the Coq checker
uses the Gram identity instead). -/
def checkSim (A B : Model) (p q : Int) : Bool :=
  decide (A.dIn = B.dIn ∧ A.nOut = B.nOut ∧ 0 < q ∧ 0 ≤ p ∧ 0 ≤ tinnerZ A B ∧
    p * p * (tinnerZ A A * tinnerZ B B) ≤ q * q * (tinnerZ A B * tinnerZ A B))

theorem checkSim_sound (A B : Model) (p q : Int) (h : checkSim A B p q = true) : similarAtLeast A B p q := by
  unfold similarAtLeast
  exact of_decide_eq_true h

end Pybridge.Bilinear
