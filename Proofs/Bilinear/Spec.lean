/-
Bilinear models (issue 13): Lean mirror of the brute-force part of coq/theories/Bilinear/Spec.v.
What a pybridge `brute-force` certificate of a modular-addition bilinear model claims; it mentions no
checker. Core Lean only.

Scope of this mirror (weaker than the Coq library, which states everything over the reals):
* Over `Int`: the data are the integers `Z = W * 2^s` of the weights. On the one-hot input
  `x = [onehot a; onehot b]` (d_in = 2P) every real logit equals `2^(-3s)` (no head) or `2^(-4s)`
  (head) times `logitZ` below, a positive factor, so the strict comparisons that define correctness
  are the same. That reading (the one-hot sum `L_h . x = L[h][a] + L[h][P+b]` and the scaling) is
  proven in Coq (`eval_onehot` in coq/theories/Bilinear/Check.v), not here.
* `similarity` (below) is stated over the integer tensor `S = 2^(e+1) Bs` (e = 3s, or 4s with a head):
  the cosine is unchanged by a positive factor on either tensor, so `cos(S_A, S_B) >= c` is the real claim.
  That `S` is this multiple of the real symmetric tensor is proven in Coq (`Bs_int` in
  coq/theories/Bilinear/Check.v), not here; the Lean checker materialises `S` (no Gram identity).
* The equivalence and distance claims are not mirrored in Lean yet; neither are several layers or
  residual blocks (docs/CHECKING.md section 11).

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
namespace Pybridge.Bilinear

def get {α : Type} (d : α) : List α → Nat → α
  | [], _ => d
  | a :: _, 0 => a
  | _ :: l, i + 1 => get d l i

/-- Entry `(r, c)` of a matrix given as a list of rows (0 outside). -/
def ent (A : List (List Int)) (r c : Nat) : Int := get 0 (get [] A r) c

/-- `sum_{k < n} f k`. -/
def sumTo (f : Nat → Int) : Nat → Int
  | 0 => 0
  | n + 1 => sumTo f n + f n

def seqN : Nat → Nat → List Nat
  | _, 0 => []
  | s, n + 1 => s :: seqN (s + 1) n

def flatMapL {α β : Type} (f : α → List β) : List α → List β
  | [] => []
  | a :: l => f a ++ flatMapL f l

def allB {α : Type} (p : α → Bool) : List α → Bool
  | [] => true
  | a :: l => p a && allB p l

structure Model where
  dIn : Nat
  hid : Nat
  dOut : Nat
  nOut : Nat
  head : Bool
  s : Nat
  ZL : List (List Int)
  ZR : List (List Int)
  ZD : List (List Int)
  ZU : List (List Int)

/-- Output `c` of the bilinear layer on input `(a, b)`, in unit `2^(-3s)`. -/
def yZ (m : Model) (P a b c : Nat) : Int :=
  sumTo (fun h => ent m.ZD c h * (ent m.ZL h a + ent m.ZL h (P + b)) * (ent m.ZR h a + ent m.ZR h (P + b))) m.hid

/-- Logit `o` on input `(a, b)` (through the head if there is one). -/
def logitZ (m : Model) (P a b o : Nat) : Int :=
  if m.head = true then sumTo (fun c => ent m.ZU o c * yZ m P a b c) m.dOut else yZ m P a b o

/-- Correct on `(a, b)`: the logit of `(a + b) mod P` is strictly the largest. -/
def correctb (m : Model) (P a b : Nat) : Bool :=
  allB (fun c => c == (a + b) % P || decide (logitZ m P a b c < logitZ m P a b ((a + b) % P))) (seqN 0 P)

def pairs (P : Nat) : List (Nat × Nat) := flatMapL (fun a => (seqN 0 P).map (fun b => (a, b))) (seqN 0 P)

def countCorrect (m : Model) (P : Nat) : Nat := ((pairs P).filter (fun ab => correctb m P ab.1 ab.2)).length

/-- The claim of a brute-force certificate: at least `N` of the `P^2` pairs are classified correctly. -/
def accuracyAtLeast (m : Model) (P N : Nat) : Prop := N ≤ countCorrect m P

/-- Row `o`, column `h` of the folded output map `U D` (`D` without a head), in integers. -/
def dfold (m : Model) (o h : Nat) : Int :=
  if m.head = true then sumTo (fun c => ent m.ZU o c * ent m.ZD c h) m.dOut else ent m.ZD o h

/-- The symmetric tensor of the model in integers:
`S[o][i][j] = sum_h D'[o][h] (L[h][i] R[h][j] + L[h][j] R[h][i])`, which is `2^(e+1) Bs[o][i][j]`. -/
def symZ (m : Model) (o i j : Nat) : Int :=
  sumTo (fun h => dfold m o h * (ent m.ZL h i * ent m.ZR h j + ent m.ZL h j * ent m.ZR h i)) m.hid

/-- Frobenius inner product of the integer tensors of `A` and `B` (outputs and inputs of `A`). -/
def tinnerZ (A B : Model) : Int :=
  sumTo (fun o => sumTo (fun i => sumTo (fun j => symZ A o i j * symZ B o i j) A.dIn) A.dIn) A.nOut

/-- The claim of a `similarity` certificate: `cos(Bs_A, Bs_B) >= p / q` with `0 <= p`, `0 < q`, stated without
square roots: `<A,B> >= 0` and `p^2 <A,A><B,B> <= q^2 <A,B>^2`. -/
def similarAtLeast (A B : Model) (p q : Int) : Prop :=
  A.dIn = B.dIn ∧ A.nOut = B.nOut ∧ 0 < q ∧ 0 ≤ p ∧ 0 ≤ tinnerZ A B ∧
    p * p * (tinnerZ A A * tinnerZ B B) ≤ q * q * (tinnerZ A B * tinnerZ A B)

end Pybridge.Bilinear
