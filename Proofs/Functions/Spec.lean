/-
The string functions of the `function` family (issue 14): the semantics of the Lean subset of the string
language and the claim of an `agree-strings` certificate.

A string is a list of character code points (`List Nat`); certificates only use printable ASCII
(code points 32..126), where Python's case changes are the a-z / A-Z shifts below. The subset (the exporter,
pybridge/families/function/export.py `render_lean`, refuses anything else with one line):

  s                         the argument                       `inp`
  "lit"                     a literal                          `lit cs`
  a + b                     concatenation                      `cat a b`
  a * n                     repetition (literal n)             `rep a n`
  a.upper() / .lower() / .swapcase() / .capitalize()            `upper a` ...
  a[i:j:k]                  slice, literal bounds, literal k >= 1    `slice a i j k`
  a[::-1]                   reversal                           `rev a`
  a.replace(p, r)           literal p (non-empty) and r        `replace a p r`
  a.translate(str.maketrans(...))   a literal table            `translate a tab`

None of these raises in Python, so the value is always a string. The claim `AgreeUpTo A L f g`: for every
string `s` over the alphabet `A` with `length s <= L`, `eval f s = eval g s`.

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/

namespace Pybridge.Functions

inductive SExpr where
  | inp : SExpr
  | lit : List Nat → SExpr
  | cat : SExpr → SExpr → SExpr
  | rep : SExpr → Nat → SExpr
  | upper : SExpr → SExpr
  | lower : SExpr → SExpr
  | swapcase : SExpr → SExpr
  | capitalize : SExpr → SExpr
  /-- `a[i:j:k]`: `none` is an omitted bound; the step `k` is at least 1. -/
  | slice : SExpr → Option Int → Option Int → Nat → SExpr
  | rev : SExpr → SExpr
  /-- `a.replace(p, r)` with a non-empty literal `p`. -/
  | replace : SExpr → List Nat → List Nat → SExpr
  /-- `a.translate(t)`: `(c, some r)` maps `c` to `r`, `(c, none)` deletes `c`; other characters stay. -/
  | translate : SExpr → List (Nat × Option (List Nat)) → SExpr

/-- ASCII case changes (Python's `str.upper` / `str.lower` on code points below 128). -/
def isLowerC (c : Nat) : Bool := Nat.ble 97 c && Nat.ble c 122
def isUpperC (c : Nat) : Bool := Nat.ble 65 c && Nat.ble c 90
def upC (c : Nat) : Nat := cond (isLowerC c) (c - 32) c
def lowC (c : Nat) : Nat := cond (isUpperC c) (c + 32) c
def swapC (c : Nat) : Nat := cond (isLowerC c) (c - 32) (cond (isUpperC c) (c + 32) c)

/-- `str.capitalize` on ASCII: the first character upper case, the others lower case. -/
def capitalizeL : List Nat → List Nat
  | [] => []
  | c :: t => upC c :: t.map lowC

/-- `l * n`. -/
def repL (l : List Nat) : Nat → List Nat
  | 0 => []
  | n + 1 => l ++ repL l n

/-- The characters at positions `i` with `i % k = 0`, counting from `i` (the first argument is the list). -/
def everyK (k : Nat) : List Nat → Nat → List Nat
  | [], _ => []
  | c :: t, i => cond (decide (i % k = 0)) (c :: everyK k t (i + 1)) (everyK k t (i + 1))

/-- A slice bound as Python normalises it for a string of length `n` (step >= 1): a negative bound counts
from the end and is clamped at 0, a non-negative one is clamped at `n`. -/
def normIdx (n : Nat) (a : Int) : Nat := if a < 0 then ((n : Int) + a).toNat else min a.toNat n

/-- `l[i:j:k]` for a step `k >= 1`: positions `start, start + k, ...` below `stop`. -/
def sliceL (l : List Nat) (i j : Option Int) (k : Nat) : List Nat :=
  let start := match i with
    | none => 0
    | some a => normIdx l.length a
  let stop := match j with
    | none => l.length
    | some b => normIdx l.length b
  everyK k ((l.drop start).take (stop - start)) 0

/-- `true` iff `p` is a prefix of `l` (recursion on `p`). -/
def isPre : List Nat → List Nat → Bool
  | [], _ => true
  | _ :: _, [] => false
  | a :: p, b :: l => decide (a = b) && isPre p l

/-- Leftmost non-overlapping replacement of `p` by `r`, as Python's `str.replace`. With `p` non-empty each
step consumes at least one character, so `fuel = length l` is enough (`replaceL` below). -/
def replAux (p r : List Nat) : Nat → List Nat → List Nat
  | 0, l => l
  | _ + 1, [] => []
  | n + 1, c :: t => cond (isPre p (c :: t)) (r ++ replAux p r n ((c :: t).drop p.length)) (c :: replAux p r n t)

def replaceL (p r l : List Nat) : List Nat := replAux p r l.length l

/-- The table entry of `c`, if any (the first one; the exporter writes each character once). -/
def lookupT (c : Nat) : List (Nat × Option (List Nat)) → Option (Option (List Nat))
  | [] => none
  | (d, v) :: t => cond (decide (c = d)) (some v) (lookupT c t)

def transC (tab : List (Nat × Option (List Nat))) (c : Nat) : List Nat :=
  match lookupT c tab with
  | none => [c]
  | some none => []
  | some (some r) => r

def translateL (tab : List (Nat × Option (List Nat))) : List Nat → List Nat
  | [] => []
  | c :: t => transC tab c ++ translateL tab t

/-- The value of the expression at the string `s`. -/
def eval (s : List Nat) : SExpr → List Nat
  | .inp => s
  | .lit cs => cs
  | .cat a b => eval s a ++ eval s b
  | .rep a n => repL (eval s a) n
  | .upper a => (eval s a).map upC
  | .lower a => (eval s a).map lowC
  | .swapcase a => (eval s a).map swapC
  | .capitalize a => capitalizeL (eval s a)
  | .slice a i j k => sliceL (eval s a) i j k
  | .rev a => (eval s a).reverse
  | .replace a p r => replaceL p r (eval s a)
  | .translate a tab => translateL tab (eval s a)

/-- The claim of an `agree-strings` certificate: f and g agree on every string over the alphabet `A` of
length at most `L`. -/
def AgreeUpTo (A : List Nat) (L : Nat) (f g : SExpr) : Prop :=
  ∀ s : List Nat, (∀ c, c ∈ s → c ∈ A) → s.length ≤ L → eval s f = eval s g

end Pybridge.Functions
