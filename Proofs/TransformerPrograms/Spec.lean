/-
Transformer Programs (issue 12): Lean mirror of coq/theories/TransformerPrograms/Spec.v.
What a pybridge `task-accuracy` certificate of a Transformer Program claims; it mentions no checker.
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

structure Head where
  q : Nat
  k : Nat
  v : Nat
  pred : List (List Bool)

structure Mlp where
  a : Nat
  b : Nat
  table : List (List Nat)

structure Layer where
  cat : List Head
  num : List Head
  mlp : List Mlp

structure Program where
  causal : Bool
  tie : Tie
  layers : List Layer
  wcat : List (List (List Int))  -- per categorical variable: class -> value -> weight
  wnum : List (List Int)         -- per numerical variable: class -> weight
  bias : List Int
  classes : Nat

/-! Hard attention and the tie rule (Coq: `dist_rank`, `rank`, `keys`, `matches`, `best`). -/
def distRank (i j : Nat) : Nat := 2 * (if j < i then i - j else j - i) + (if i < j then 1 else 0)

def rank (t : Tie) (N i j : Nat) : Nat :=
  match t with
  | Tie.earliest => j
  | Tie.selfFirst => distRank i j
  | Tie.nearest => if i = j then 4 * N else distRank i j

def keys (causal : Bool) (N i : Nat) : List Nat := if causal then seqN 1 i else seqN 1 (N - 1)

def matchesAt (p : Program) (h : Head) (cat : List (List Nat)) (N i : Nat) : List Nat :=
  (keys p.causal N i).filter (fun j => get false (get [] h.pred (get 0 (get [] cat h.q) i)) (get 0 (get [] cat h.k) j))

def best (r : Nat → Nat) : List Nat → Nat
  | [] => 0
  | j :: M => M.foldl (fun b j' => if r j' < r b then j' else b) j

def catHead (p : Program) (cat : List (List Nat)) (N : Nat) (h : Head) : List Nat :=
  (seqN 0 N).map (fun i => get 0 (get [] cat h.v) (best (rank p.tie N i) (matchesAt p h cat N i)))

def numHead (p : Program) (cat : List (List Nat)) (num : List (List Int)) (N : Nat) (h : Head) : List Int :=
  (seqN 0 N).map (fun i => sumZ ((matchesAt p h cat N i).map (fun j => get 0 (get [] num h.v) j)))

def mlpOut (cat : List (List Nat)) (N : Nat) (m : Mlp) : List Nat :=
  (seqN 0 N).map (fun i => get 0 (get [] m.table (get 0 (get [] cat m.a) i)) (get 0 (get [] cat m.b) i))

def layerStep (p : Program) (N : Nat) (st : List (List Nat) × List (List Int)) (L : Layer) :
    List (List Nat) × List (List Int) :=
  let cat1 := st.1 ++ L.cat.map (catHead p st.1 N)
  let num1 := st.2 ++ L.num.map (numHead p st.1 st.2 N)
  (cat1 ++ L.mlp.map (mlpOut cat1 N), num1)

/-! Classifier: integer logits, the first class of the largest logit. -/
def logit (p : Program) (cat : List (List Nat)) (num : List (List Int)) (i c : Nat) : Int :=
  get 0 p.bias c
  + sumZ ((p.wcat.zip cat).map (fun wx => get 0 (get [] wx.1 c) (get 0 wx.2 i)))
  + sumZ ((p.wnum.zip num).map (fun wu => get 0 wu.1 c * get 0 wu.2 i))

def argmaxFirst (f : Nat → Int) (C : Nat) : Nat :=
  (seqN 1 (C - 1)).foldl (fun b c => if f b < f c then c else b) 0

def run (p : Program) (toks : List Nat) : List Nat :=
  let N := toks.length
  let st := p.layers.foldl (layerStep p N) ([toks, seqN 0 N], [List.replicate N (1 : Int)])
  (seqN 0 N).map (fun i => argmaxFirst (logit p st.1 st.2 i) p.classes)

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

def correct (p : Program) (t : Task) (w : List Nat) : Bool :=
  decide (((run p (tokensOf t w)).tail).take w.length = t.target w)

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

end Pybridge.TProg
