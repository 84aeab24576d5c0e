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
* `equivalent` (below) is stated over the same integer tensors: `Bs = S / 2^(e+1)`, so `Bs_B = (p/q) Bs_A`
  entry by entry is `q 2^(e_A) S_B = p 2^(e_B) S_A` (`equivalentTo`). Its consequence for the function,
  `q 2^(e_A) formZ B x o = p 2^(e_B) formZ A x o` for every integer vector `x` (`equivalent_form` in
  Check.lean), is proven over the quadratic form `formZ` of the tensor; that `formZ m x o = 2^(e+1) f(x)_o`
  for the model's real function is `eval_quadratic` + `Bs_int` in Coq, not here.
* `distance` (below) is stated as the integer Frobenius bound `q^2 ||N_o||_F^2 <= p^2 4^(e_A+e_B+1)` with
  `N = 2^(e_B) S_A - 2^(e_A) S_B = 2^(e_A+e_B+1) (Bs_A - Bs_B)` (`frobeniusWithin`), i.e.
  `||Bs_A,o - Bs_B,o||_F <= p/q` for every output o. The step from there to
  `|f_A(x)_o - f_B(x)_o| <= (p/q) |x|^2` is Cauchy-Schwarz, proven in Coq (`check_dist_sound`), not here.
* Several layers and residual blocks are not mirrored (docs/CHECKING.md section 11).

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

/-- The exponent of the model's output unit: `e = 3s`, or `4s` with a head (`f(x) = logit / 2^e` on integer
data; the symmetric tensor is `Bs = symZ / 2^(e+1)`). -/
def expo (m : Model) : Nat := if m.head = true then 4 * m.s else 3 * m.s

/-- The claim of an `equivalent` certificate with `lambda = p / q`: `Bs_B = lambda Bs_A` entry by entry,
stated over the integer tensors (`q 2^(e_A) S_B = p 2^(e_B) S_A`), with `p, q > 0`. -/
def equivalentTo (A B : Model) (p q : Int) : Prop :=
  A.dIn = B.dIn ∧ A.nOut = B.nOut ∧ 0 < p ∧ 0 < q ∧
    ∀ o, o < A.nOut → ∀ i, i < A.dIn → ∀ j, j < A.dIn →
      q * 2 ^ expo A * symZ B o i j = p * 2 ^ expo B * symZ A o i j

/-- The quadratic form of the integer tensor at an integer input `x`: `sum_{i,j} S[o][i][j] x_i x_j`. -/
def formZ (m : Model) (x : Nat → Int) (o : Nat) : Int :=
  sumTo (fun i => sumTo (fun j => symZ m o i j * (x i * x j)) m.dIn) m.dIn

/-- The integer difference tensor `N = 2^(e_B) S_A - 2^(e_A) S_B`, which is `2^(e_A + e_B + 1) (Bs_A - Bs_B)`. -/
def diffZ (A B : Model) (o i j : Nat) : Int := 2 ^ expo B * symZ A o i j - 2 ^ expo A * symZ B o i j

/-- `||N_o||_F^2`: the squared Frobenius norm of output `o` of the difference tensor, in integers. -/
def frobZ (A B : Model) (o : Nat) : Int :=
  sumTo (fun i => sumTo (fun j => diffZ A B o i j * diffZ A B o i j) A.dIn) A.dIn

/-- The claim of a `distance` certificate with `delta = p / q`, in its Frobenius form: for every output `o`,
`||Bs_A,o - Bs_B,o||_F <= p / q`, stated in integers as `q^2 ||N_o||_F^2 <= p^2 2^(2 (e_A + e_B + 1))`. -/
def frobeniusWithin (A B : Model) (p q : Int) : Prop :=
  A.dIn = B.dIn ∧ A.nOut = B.nOut ∧ 0 ≤ p ∧ 0 < q ∧
    ∀ o, o < A.nOut → q * q * frobZ A B o ≤ p * p * 2 ^ (2 * (expo A + expo B + 1))

end Pybridge.Bilinear
