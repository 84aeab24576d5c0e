/-
GroupSpec: what a pybridge certificate for a group-operation MLP claims (Lean mirror of
coq/theories/GroupSpec.v, docs/CHECKING.md section 8).  It mentions no checker.

Coq states the semantics over `Q`.  Core Lean has no rationals or reals, so here it is stated over
any `K` with an `ExpField K` instance (Spec.lean; e.g. `ℝ`): only the ordered-field part of the
class is used, never `exp`.  The model computes only sums, products and ReLU of dyadic weights
`z / 2^s`, so its logits are rational numbers and their comparisons are the same in every ordered
field.  ReLU is `if a ≤ 0 then 0 else a`, decided classically (`K`'s order has no `Decidable`
instance in `ExpField`), hence `noncomputable`; it is only ever reasoned about, never run.

The group is generated here from its name; no table comes from the certificate.  Names that would
clash with the Max-of-k spec in namespace `Pybridge` carry a `g`/`G` (`GModel`, `glogit`,
`gcorrect`, `GAccuracyAtLeast`; Coq: `model`, `logit`, `correct`, `accuracy_at_least`); `ins` is
Coq's `insert` (core Lean exports `insert`).

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.ListUtil

namespace Pybridge.Group

open Pybridge
open ExpField (ofInt inv)

/-! ### The groups (section 8.1)
A permutation of `{0..n-1}` is the list of its images `[p(0), .., p(n-1)]`; the product is
composition with the right factor applied first: `(p*q)(i) = p(q(i))`. -/

def compose (p q : List Nat) : List Nat := q.map (fun i => nth i p 0)

/-- All `n`-tuples over `{0..m-1}`, in lexicographic order. -/
def tuples (m : Nat) : Nat → List (List Nat)
  | 0 => [[]]
  | n + 1 => flatMapL (fun a => (tuples m n).map (List.cons a)) (seq 0 m)

/-- Coq's `list_prod`: all pairs, the first component varying slowest. -/
def list_prod {α β : Type} (l1 : List α) (l2 : List β) : List (α × β) :=
  flatMapL (fun a => l2.map (fun b => (a, b))) l1

/-- `p` is a permutation of `{0..n-1}` (given length `n`): every `i < n` occurs in `p`. -/
def is_perm (n : Nat) (p : List Nat) : Bool :=
  allL (fun i => p.any (fun a => decide (i = a))) (seq 0 n)

/-- Number of inversions: pairs `i < j` with `p(i) > p(j)`. -/
def inversions (p : List Nat) : Nat :=
  (filt (fun ij => decide (ij.1 < ij.2) && decide (nth ij.2 p 0 < nth ij.1 p 0))
    (list_prod (seq 0 p.length) (seq 0 p.length))).length

/-- Rotation `i ↦ k + i` and reflection `i ↦ k - i` (mod `n`). -/
def rot (n k : Nat) : List Nat := (seq 0 n).map (fun i => (k + i) % n)
def refl (n k : Nat) : List Nat := (seq 0 n).map (fun i => (k + n - i) % n)

inductive group where
  | Sym (n : Nat)
  | Alt (n : Nat)
  | Cyc (n : Nat)
  | Dih (n : Nat)

def candidates : group → List (List Nat)
  | .Sym n => filt (is_perm n) (tuples n n)
  | .Alt n => filt (fun p => is_perm n p && decide (inversions p % 2 = 0)) (tuples n n)
  | .Cyc n => (seq 0 n).map (rot n)
  | .Dih n => (seq 0 n).map (rot n) ++ (seq 0 n).map (refl n)

/-- Lexicographic comparison. -/
def lex : List Nat → List Nat → Ordering
  | [], [] => .eq
  | [], _ :: _ => .lt
  | _ :: _, [] => .gt
  | a :: p, b :: q => if a < b then .lt else if b < a then .gt else lex p q

/-- Insertion into a sorted list without duplicates (Coq `insert`). -/
def ins (p : List Nat) : List (List Nat) → List (List Nat)
  | [] => [p]
  | q :: l =>
    match lex p q with
    | .lt => p :: q :: l
    | .eq => q :: l
    | .gt => q :: ins p l

/-- The elements, the sorted set of the candidates: element `x` is `nth x (elements G) []`. -/
def elements (G : group) : List (List Nat) := (candidates G).foldr ins []
def order (G : group) : Nat := (elements G).length

/-- Position of `p` in `l` (`l.length` if absent). -/
def index (p : List Nat) : List (List Nat) → Nat
  | [] => 0
  | q :: l =>
    match lex p q with
    | .eq => 0
    | _ => index p l + 1

/-- The product of elements `x` and `y` of the list `els`, as an index. -/
def mul_in (els : List (List Nat)) (x y : Nat) : Nat :=
  index (compose (nth x els []) (nth y els [])) els
def gmul (G : group) (x y : Nat) : Nat := mul_in (elements G) x y

/-! ### The model (section 8.2): real weights `Z / 2^s` -/

/-- Embeddings `EL`, `ER` (`|G| x d_embed`), `WL`, `WR` (`d_embed x d_hidden`), unembedding `WU`
(`d_hidden x |G|`), bias `bU` (`|G|`). -/
structure GModel where
  grp : group
  d_embed : Nat
  d_hidden : Nat
  s : Nat
  EL : List (List Int)
  ER : List (List Int)
  WL : List (List Int)
  WR : List (List Int)
  WU : List (List Int)
  bU : List Int

section Semantics
variable {K : Type} [ExpField K]

def val (M : GModel) (z : Int) : K := ofInt z * inv (ofInt ((2 : Int) ^ M.s))

/-- Entry `A[i][j]` of a matrix, as an element of `K`. -/
def ent (M : GModel) (A : List (List Int)) (i j : Nat) : K := val M (nth j (nth i A []) 0)

open Classical in
/-- `max(a, 0)`. -/
noncomputable def relu (a : K) : K := if a ≤ ofInt 0 then ofInt 0 else a

/-- Hidden pre-activation `k` on `(x, y)`: `(EL[x] WL + ER[y] WR)[k]`. -/
def pre (M : GModel) (x y k : Nat) : K :=
  Rsum M.d_embed (fun i => ent M M.EL x i * ent M M.WL i k)
  + Rsum M.d_embed (fun i => ent M M.ER y i * ent M M.WR i k)

/-- Logit of class `c`: `(relu(pre) WU)[c] + bU[c]`. -/
noncomputable def glogit (M : GModel) (x y c : Nat) : K :=
  Rsum M.d_hidden (fun k => relu (pre M x y k) * ent M M.WU k c) + val M (nth c M.bU 0)

end Semantics

/-- Correct on `(x, y)` iff the logit of `x*y` is strictly above every other logit. -/
def gcorrect {K : Type} [ExpField K] (M : GModel) (x y : Nat) : Prop :=
  ∀ j, j < order M.grp → j ≠ gmul M.grp x y →
    glogit (K := K) M x y j < glogit (K := K) M x y (gmul M.grp x y)

/-- The claim: at least `N` distinct pairs of elements are classified correctly. -/
def GAccuracyAtLeast (K : Type) [ExpField K] (M : GModel) (N : Nat) : Prop :=
  ∃ l : List (Nat × Nat), l.Nodup ∧
    (∀ p, p ∈ l → p.1 < order M.grp ∧ p.2 < order M.grp ∧ gcorrect (K := K) M p.1 p.2) ∧
    N ≤ l.length

end Pybridge.Group
