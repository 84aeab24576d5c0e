/-
Transformer Programs (issue 12): Lean mirror of coq/theories/TransformerPrograms/Spec.v.
What a pybridge tprog certificate claims (`task-accuracy`, and `program-equivalence`: the program is the
trained model's discrete program on every input); it mentions no checker.
Everything is over `Nat` and `Int` (the program's values, integer classifier logits), so no field is needed.
Core Lean only.

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
namespace Pybridge.TProg

def get {α : Type} (d : α) : List α → Nat → α
  | [], _ => d
  | a :: _, 0 => a
  | _ :: l, i + 1 => get d l i

def seqN : Nat → Nat → List Nat
  | _, 0 => []
  | s, n + 1 => s :: seqN (s + 1) n

def flatMapL {α β : Type} (f : α → List β) : List α → List β
  | [] => []
  | a :: l => f a ++ flatMapL f l

def sumZ (l : List Int) : Int := l.foldr (fun a b => a + b) 0

inductive Tie where
  | nearest
  | selfFirst
  | earliest
  | nearestBos
  | printer
  | printerCausal

structure Head where
  q : Nat
  k : Nat
  v : Nat
  pred : List (List Bool)

structure Mlp where
  a : Nat
  b : Nat
  table : List (List Nat)

/-- A numerical MLP reads two numerical variables and writes a categorical one: `out x y`; in a program a lookup
table (`tableLookup`), in a model the network's MLP (`numEntry`). -/
structure NMlp where
  a : Nat
  b : Nat
  out : Int → Int → Nat

structure Layer where
  cat : List Head
  num : List Head
  mlp : List Mlp
  nmlp : List NMlp

structure Program where
  causal : Bool
  tie : Tie
  layers : List Layer
  wcat : List (List (List Int))  -- per categorical variable: value -> class -> weight
  wnum : List (List Int)         -- per numerical variable: class -> weight
  bias : List Int                -- class -> bias (its length is the number of classes)

/-! Hard attention and the tie rule (Coq: `dist`, `dist_rank`, `rank`, `keys`, `matches`, `best`). -/
def dist (i j : Nat) : Nat := if j < i then i - j else j - i

def distRank (i j : Nat) : Nat := 2 * dist i j + (if i < j then 1 else 0)

def rank (t : Tie) (N nM i j : Nat) : Nat :=
  match t with
  | Tie.earliest => j
  | Tie.selfFirst => distRank i j
  | Tie.nearest => if i = j then 4 * N else distRank i j
  | Tie.nearestBos => if i = j then 4 * N else distRank i j
  | Tie.printer => if i = j then nM else dist i j
  | Tie.printerCausal => if i = j then nM else dist i j

def keys (t : Tie) (causal : Bool) (N i : Nat) : List Nat :=
  match t with
  | Tie.printer => seqN 0 N
  | Tie.printerCausal => seqN 0 (i + 1)
  | Tie.nearestBos => if causal then seqN 0 (i + 1) else seqN 0 N
  | _ => if causal then seqN 1 i else seqN 1 (N - 1)

def matchesAt (p : Program) (h : Head) (cat : List (List Nat)) (N i : Nat) : List Nat :=
  let row := get [] h.pred (get 0 (get [] cat h.q) i)
  let xk := get [] cat h.k
  (keys p.tie p.causal N i).filter (fun j => get false row (get 0 xk j))

def best (r : Nat → Nat) : List Nat → Nat
  | [] => 0
  | j :: M => M.foldl (fun b j' => if r j' < r b then j' else b) j

def catHead (p : Program) (cat : List (List Nat)) (N : Nat) (h : Head) : List Nat :=
  (seqN 0 N).map (fun i =>
    let M := matchesAt p h cat N i
    get 0 (get [] cat h.v) (best (rank p.tie N M.length i) M))

def numHead (p : Program) (cat : List (List Nat)) (num : List (List Int)) (N : Nat) (h : Head) : List Int :=
  (seqN 0 N).map (fun i => sumZ ((matchesAt p h cat N i).map (fun j => get 0 (get [] num h.v) j)))

def mlpOut (cat : List (List Nat)) (N : Nat) (m : Mlp) : List Nat :=
  (seqN 0 N).map (fun i => get 0 (get [] m.table (get 0 (get [] cat m.a) i)) (get 0 (get [] cat m.b) i))

/-- A program's numerical MLP table: the output `o` of the first entry `(x, y, o)` whose key is the pair of
values read, else the default `d` (Coq: `table_lookup`). -/
def tableLookup : List (Int × Int × Nat) → Nat → Int → Int → Nat
  | [], d, _, _ => d
  | (x', y', o) :: tbl, d, x, y => if x' = x ∧ y' = y then o else tableLookup tbl d x y

def numMlpOut (num : List (List Int)) (N : Nat) (m : NMlp) : List Nat :=
  (seqN 0 N).map (fun i => m.out (get 0 (get [] num m.a) i) (get 0 (get [] num m.b) i))

/-- Categorical heads' outputs, then categorical MLPs' (reading the variables after the heads), then numerical
MLPs' (reading the numerical variables after the numerical heads) (Coq: `layer_step`). -/
def layerStep (p : Program) (N : Nat) (st : List (List Nat) × List (List Int)) (L : Layer) :
    List (List Nat) × List (List Int) :=
  let cat1 := st.1 ++ L.cat.map (catHead p st.1 N)
  let num1 := st.2 ++ L.num.map (numHead p st.1 st.2 N)
  (cat1 ++ (L.mlp.map (mlpOut cat1 N) ++ L.nmlp.map (numMlpOut num1 N)), num1)

/-! Classifier: integer logits (a vector over the classes) at position `i`: the bias, plus the row of each
categorical variable's value, plus each numerical variable's value times its row; the label is the first
class of the largest logit (Coq: `vadd`, `logits`, `argmax_go`, `argmax_first`). -/
def vadd (u v : List Int) : List Int := (u.zip v).map (fun xy => xy.1 + xy.2)

def logits (p : Program) (cat : List (List Nat)) (num : List (List Int)) (i : Nat) : List Int :=
  (((p.wcat.zip cat).map (fun wx => get [] wx.1 (get 0 wx.2 i)))
    ++ ((p.wnum.zip num).map (fun wu => wu.1.map (fun w => get 0 wu.2 i * w)))).foldl vadd p.bias

def argmaxGo : List Int → Nat → Nat → Int → Nat
  | [], _, b, _ => b
  | v :: l, c, b, bv => if bv < v then argmaxGo l (c + 1) c v else argmaxGo l (c + 1) b bv

/-- The first index of the largest entry (0 for the empty list). -/
def argmaxFirst : List Int → Nat
  | [] => 0
  | v :: l => argmaxGo l 1 0 v

def run (p : Program) (toks : List Nat) : List Nat :=
  let N := toks.length
  let st := p.layers.foldl (layerStep p N) ([toks, seqN 0 N], [List.replicate N (1 : Int)])
  (seqN 0 N).map (fun i => argmaxFirst (logits p st.1 st.2 i))

/-! Tasks, the input space, correctness, the count. -/
structure Task where
  m : Nat
  lengths : List Nat
  eos : Bool
  target : List Nat → List Nat

def words (m : Nat) : Nat → List (List Nat)
  | 0 => [[]]
  | n + 1 => flatMapL (fun a => (words m n).map (List.cons a)) (seqN 0 m)

def space (t : Task) : List (List Nat) := flatMapL (words t.m) t.lengths

def tokensOf (t : Task) (w : List Nat) : List Nat :=
  0 :: (w.map (fun a => a + 1) ++ (if t.eos then [t.m + 1] else []))

/-- The labels at the content positions `1..n` of the input `w`. -/
def labels (p : Program) (t : Task) (w : List Nat) : List Nat := (List.tail (run p (tokensOf t w))).take w.length

def correct (p : Program) (t : Task) (w : List Nat) : Bool := decide (labels p t w = t.target w)

def countCorrect (p : Program) (t : Task) : Nat := ((space t).filter (correct p t)).length

def countOcc (w : List Nat) (a : Nat) : Nat := (w.filter (fun x => decide (x = a))).length
def histTarget (w : List Nat) : List Nat := w.map (fun a => countOcc w a - 1)
def reverseTarget (w : List Nat) : List Nat := w.reverse
def ins (a : Nat) : List Nat → List Nat
  | [] => [a]
  | b :: l => if a ≤ b then a :: b :: l else b :: ins a l
def sortTarget (w : List Nat) : List Nat := w.foldr ins []
def dyck1Go : Int → Bool → List Nat → List Nat
  | _, _, [] => []
  | d, bad, a :: w =>
    let d' : Int := if a = 0 then d + 1 else d - 1
    let bad' := bad || decide (d' < 0)
    (if bad' then 0 else if d' = 0 then 2 else 1) :: dyck1Go d' bad' w
def dyck1Target (w : List Nat) : List Nat := dyck1Go 0 false w

/-! The trained model at temperature 0 (Coq: `mhead` .. `model_program`). Its tensors are integers: the exact
dyadic entries of a group of tensors times `2^s` (which changes no argmax). Every choice is the first argmax;
an MLP's table entry `(a, b)` is the first argmax over `c` of
`sum_h W2[c][h] * relu(W1a[h][a] + W1b[h][b] + b1[h]) + b2[c] * 2^s1`; a numerical MLP's output at the values
`(x, y)` it reads is the first argmax over `c` of `sum_h W2[c][h] * relu(W1x[h] * x + W1y[h] * y + b1[h]) + b2[c] * 2^s1`
(the network itself at every pair of integers). Attention breaks ties with `nearest`. -/
structure MHead where
  q : List Int
  k : List Int
  v : List Int
  pred : List (List Int)

structure MMlp where
  a : List Int
  b : List Int
  W1a : List (List Int)
  W1b : List (List Int)
  b1 : List Int
  W2 : List (List Int)
  b2 : List Int
  s1 : Nat

structure MNMlp where
  a : List Int
  b : List Int
  W1x : List Int
  W1y : List Int
  b1 : List Int
  W2 : List (List Int)
  b2 : List Int
  s1 : Nat

structure MLayer where
  cat : List MHead
  num : List MHead
  mlp : List MMlp
  nmlp : List MNMlp

structure Model where
  causal : Bool
  k : Nat
  layers : List MLayer
  wcat : List (List (List Int))
  wnum : List (List Int)
  bias : List Int

def predOf (P : List (List Int)) : List (List Bool) :=
  P.map (fun row => (seqN 0 row.length).map (fun x => decide (x = argmaxFirst row)))

def headOf (h : MHead) : Head :=
  Head.mk (argmaxFirst h.q) (argmaxFirst h.k) (argmaxFirst h.v) (predOf h.pred)

def relu (x : Int) : Int := if 0 < x then x else 0

def twoPow : Nat → Int
  | 0 => 1
  | n + 1 => 2 * twoPow n

def dot (u v : List Int) : Int := sumZ ((u.zip v).map (fun xy => xy.1 * xy.2))

def mlpEntry (m : MMlp) (a b : Nat) : Nat :=
  let hid := ((m.W1a.zip m.W1b).zip m.b1).map (fun r => relu (get 0 r.1.1 a + get 0 r.1.2 b + r.2))
  argmaxFirst ((m.W2.zip m.b2).map (fun wb => dot wb.1 hid + wb.2 * twoPow m.s1))

def mlpOf (k : Nat) (m : MMlp) : Mlp :=
  Mlp.mk (argmaxFirst m.a) (argmaxFirst m.b) ((seqN 0 k).map (fun a => (seqN 0 k).map (mlpEntry m a)))

def numEntry (m : MNMlp) (x y : Int) : Nat :=
  let hid := ((m.W1x.zip m.W1y).zip m.b1).map (fun r => relu (r.1.1 * x + r.1.2 * y + r.2))
  argmaxFirst ((m.W2.zip m.b2).map (fun wb => dot wb.1 hid + wb.2 * twoPow m.s1))

def nmlpOf (m : MNMlp) : NMlp := NMlp.mk (argmaxFirst m.a) (argmaxFirst m.b) (numEntry m)

def modelProgram (M : Model) : Program :=
  { causal := M.causal, tie := Tie.nearest,
    layers := M.layers.map (fun L =>
      Layer.mk (L.cat.map headOf) (L.num.map headOf) (L.mlp.map (mlpOf M.k)) (L.nmlp.map nmlpOf)),
    wcat := M.wcat, wnum := M.wnum, bias := M.bias }

/-! The claims (Coq: `accuracy_at_least`, `program_is_model`). -/
def AccuracyAtLeast (p : Program) (t : Task) (N : Nat) : Prop := N ≤ countCorrect p t

/-- The program `P` is the model `M`: the same labels on every input of the task's space. -/
def ProgramIsModel (P : Program) (M : Model) (t : Task) : Prop :=
  ∀ w, w ∈ space t → labels P t w = labels (modelProgram M) t w

end Pybridge.TProg
