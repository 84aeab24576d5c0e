/-
SpecTL: what a pybridge certificate for a TransformerLens Max-of-k model claims (issue 15).
Lean mirror of coq/theories/TL/SpecTL.v, definition by definition.

This file is the whole statement a reviewer has to read; it mentions no checker.  The model of
Proofs/Spec.lean with the biases `bQ bK bV bO bU` and optional LayerNorm (`ln1` before attention,
`ln_final` before the unembedding; `LNPre` is `ln = true` with every LayerNorm weight `2^s` and every
LayerNorm bias 0).  Every weight is an integer `z` standing for `z / 2^s`; epsilon is the rational
`epsNum / epsDen`.  Vectors are functions `Nat → K` with an explicit dimension (as in SpecTL.v), and a
matrix entry `A[a][b]` is `nth b (nth a A []) 0`.

No reals (same convention as Proofs/Spec.lean, docs/LEAN.md): the semantics is stated over any
`ExpField K`.  Proofs/Spec.lean writes the division by `sqrt h` as a product with a scale `r` assumed
to satisfy `0 < r ∧ r * r * h = 1`.  LayerNorm divides by `sqrt (var + eps)` where `var` depends on
the input, so one number does not suffice: the semantics takes a function `g : K → K` and the claim
holds for every `g` with `IsInvSqrtFn g`, i.e. `0 < g u ∧ g u * g u * u = 1` for every `u > 0`.
In an ordered field this determines `g u` on the positives (the positive root of `r^2 u = 1`), so
over `ℝ` the only admissible values are `g u = 1 / Real.sqrt u` there (Mathlib: `Real.sqrt_pos`,
`Real.mul_self_sqrt`); `g` is only ever applied to `h` and to `var + eps`, which are positive when
`h ≥ 1` and `eps > 0` (both read off the model's integers).  The attention scale uses the same `g`
(`g h` for `1 / sqrt h`).

The definitions' names and argument order are fixed (other Lean files are written against them).

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.Spec

namespace Pybridge.TL

open ExpField (ofInt inv exp)

/-- One layer, one head, attention only, TransformerLens layout.  `E` is `V x d`, `Pos` is `n x d`,
`WQ WK WV` are `d x h`, `WO` is `h x d`, `WU` is `d x V`; biases of dimension `h h h d V`; LayerNorm
vectors of dimension `d`. -/
structure TLModel where
  V : Nat
  n : Nat
  d : Nat
  h : Nat
  s : Nat
  E : List (List Int)
  Pos : List (List Int)
  WQ : List (List Int)
  WK : List (List Int)
  WV : List (List Int)
  WO : List (List Int)
  WU : List (List Int)
  bQ : List Int
  bK : List Int
  bV : List Int
  bO : List Int
  bU : List Int
  ln : Bool
  ln1w : List Int
  ln1b : List Int
  lnfw : List Int
  lnfb : List Int
  epsNum : Int
  epsDen : Int

/-- `g` is `u ↦ 1 / sqrt u` on the positives: `0 < g u` and `g u * g u * u = 1` for every `u > 0`. -/
def IsInvSqrtFn {K : Type} [ExpField K] (g : K → K) : Prop :=
  ∀ u : K, ofInt 0 < u → ofInt 0 < g u ∧ g u * g u * u = ofInt 1

section Semantics
variable {K : Type} [ExpField K] (M : TLModel) (g : K → K)

/-- The real weight `z / 2^s`. -/
def wt (z : Int) : K := ofInt z * inv (ofInt ((2 : Int) ^ M.s))
/-- Matrix entry `A[a][b]` as a real. -/
def ent (A : List (List Int)) (a b : Nat) : K := wt M (nth b (nth a A []) 0)
/-- Vector entry `v[a]` as a real. -/
def vent (v : List Int) (a : Nat) : K := wt M (nth a v 0)
/-- Row vector `u` of dimension `m` times the matrix `A`, component `j`. -/
def vecmat (m : Nat) (u : Nat → K) (A : List (List Int)) (j : Nat) : K :=
  Rsum m (fun k => u k * ent M A k j)

/-- `eps = epsNum / epsDen`. -/
def eps : K := ofInt M.epsNum * inv (ofInt M.epsDen)

/-- TransformerLens LayerNorm of a `d`-vector (population variance), division by
`sqrt (var + eps)` written as the product with `g (var + eps)`. -/
def layernorm (u : Nat → K) (w b : List Int) (k : Nat) : K :=
  let mu := Rsum M.d u * inv (ofInt (M.d : Int))
  let var := Rsum M.d (fun l => (u l + -mu) * (u l + -mu)) * inv (ofInt (M.d : Int))
  (u k + -mu) * g (var + eps M) * vent M w k + vent M b k

variable (t : List Nat)

/-- Residual stream `x_i = E[t_i] + P[i]`. -/
def x (i k : Nat) : K := ent M M.E (nth i t 0) k + ent M M.Pos i k
/-- Attention input `y_i = ln1(x_i)` (or `x_i` without LayerNorm). -/
def y (i : Nat) : Nat → K :=
  if M.ln = true then layernorm M g (x M t i) M.ln1w M.ln1b else x M t i
/-- Query (last position), keys and values, with their biases. -/
def qv (j : Nat) : K := vecmat M M.d (y M g t (M.n - 1)) M.WQ j + vent M M.bQ j
def kv (i j : Nat) : K := vecmat M M.d (y M g t i) M.WK j + vent M M.bK j
def vv (i j : Nat) : K := vecmat M M.d (y M g t i) M.WV j + vent M M.bV j
/-- Attention score `q . k_i / sqrt h`. -/
def score (i : Nat) : K := Rsum M.h (fun j => qv M g t j * kv M g t i j) * g (ofInt (M.h : Int))
/-- Softmax with the exponential. -/
def attn (i : Nat) : K :=
  exp (score M g t i) * inv (Rsum M.n (fun l => exp (score M g t l)))
/-- Head output `z = sum_i attn_i v_i`. -/
def zh (j : Nat) : K := Rsum M.n (fun i => attn M g t i * vv M g t i j)
/-- Residual after the head: `x_{n-1} + z W_O + b_O`. -/
def resid (k : Nat) : K := x M t (M.n - 1) k + vecmat M M.h (zh M g t) M.WO k + vent M M.bO k
/-- `ln_final` (or nothing). -/
def fin : Nat → K := if M.ln = true then layernorm M g (resid M g t) M.lnfw M.lnfb else resid M g t
/-- Logits `fin W_U + b_U`, component `j`. -/
def logit (j : Nat) : K := vecmat M M.d (fin M g t) M.WU j + vent M M.bU j

end Semantics

/-- Valid inputs: `n` tokens, each below `V`. -/
def valid (M : TLModel) (t : List Nat) : Prop :=
  t.length = M.n ∧ ∀ a, a ∈ t → a < M.V

/-- Correct on `t`: the logit of `max t` beats every other logit (ties fail). -/
def correct {K : Type} [ExpField K] (M : TLModel) (g : K → K) (t : List Nat) : Prop :=
  ∀ j, j < M.V → j ≠ list_max t → logit M g t j < logit M g t (list_max t)

/-- The claim of a certificate: at least `N` distinct valid inputs are classified correctly, over
`K` with `g = 1 / sqrt` on the positives. -/
def AccuracyAtLeast (K : Type) [ExpField K] (g : K → K) (M : TLModel) (N : Nat) : Prop :=
  ∃ l : List (List Nat), l.Nodup ∧ (∀ t, t ∈ l → valid M t ∧ correct M g t) ∧ N ≤ l.length

end Pybridge.TL
