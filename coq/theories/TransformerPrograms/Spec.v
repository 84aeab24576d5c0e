(** * Transformer Programs: what a pybridge tprog certificate claims (issue 12).

    A Transformer Program (Friedman, Wettig, Chen 2023) on an input [<s> t1 .. tn] keeps, at every
    position, categorical variables (natural numbers: var 0 = token id, var 1 = position, then one per
    categorical head and MLP) and numerical variables (integers: var 0 = ones, then one per numerical
    head).  Layer by layer, the heads read the variables before the layer, the MLPs the categorical
    variables after the layer's heads, the numerical MLPs the numerical variables after the layer's
    numerical heads.  The trained model (section [model] below) is read as a program
    by taking every argmax.  This file mentions no checker.  (The [let]s only name a value once; they
    change nothing in the meaning.) *)
From Coq Require Import List ZArith Arith Bool.
Import ListNotations.

Definition get {A} (d : A) (l : list A) (i : nat) : A := nth i l d.

Inductive tie := Nearest | SelfFirst | Earliest | NearestBos | Printer | PrinterCausal.

Record head := Head { h_q : nat; h_k : nat; h_v : nat; h_pred : list (list bool) }.
Record mlp := Mlp { m_a : nat; m_b : nat; m_table : list (list nat) }.
(** A numerical MLP reads two numerical variables and writes a categorical one: [n_out x y].  In a program it
    is a lookup table ([table_lookup] below), in a model the network's MLP ([num_entry]). *)
Record nmlp := NMlp { n_a : nat; n_b : nat; n_out : Z -> Z -> nat }.
Record layer := Layer { l_cat : list head; l_num : list head; l_mlp : list mlp; l_nmlp : list nmlp }.
Record program := Program {
  p_causal : bool; p_tie : tie; p_layers : list layer;
  p_wcat : list (list (list Z));  (* per categorical variable: value -> class -> weight *)
  p_wnum : list (list Z);         (* per numerical variable: class -> weight *)
  p_bias : list Z }.              (* class -> bias (its length is the number of classes) *)

(** ** Hard attention and the tie rule.
    Query position [i] of [N] may attend to the keys [1..N-1] ([1..i] if causal); position 0 ([<s>]) is
    never a candidate, except under [NearestBos] ([0..N-1], [0..i] if causal), [Printer] ([0..N-1] even if
    causal) and [PrinterCausal] ([0..i]).  Among the matching keys [M] the smallest [rank] wins, the
    earliest on a tie: [Nearest] (the model's rule; [NearestBos] the same with [<s>] a key): nearest
    first, the earlier at equal distance, [i] itself last; [SelfFirst]: the same, [i] first; [Earliest]:
    the smallest position; [Printer], [PrinterCausal] (the authors' program printer's [select_closest]):
    the distance [|i - j|], [i] itself scored [length M].  No matching key: position 0. *)
Definition dist (i j : nat) : nat := if j <? i then i - j else j - i.
Definition dist_rank (i j : nat) : nat := 2 * dist i j + (if i <? j then 1 else 0).
Definition rank (t : tie) (N nM i j : nat) : nat :=
  match t with
  | Earliest => j
  | SelfFirst => dist_rank i j
  | Nearest | NearestBos => if Nat.eqb i j then 4 * N else dist_rank i j
  | Printer | PrinterCausal => if Nat.eqb i j then nM else dist i j
  end.
Definition keys (t : tie) (causal : bool) (N i : nat) : list nat :=
  match t with
  | Printer => seq 0 N
  | PrinterCausal => seq 0 (S i)
  | NearestBos => if causal then seq 0 (S i) else seq 0 N
  | _ => if causal then seq 1 i else seq 1 (N - 1)
  end.

(** The keys [j] whose key value the head's predicate row of the query value at [i] accepts. *)
Definition matches (p : program) (h : head) (cat : list (list nat)) (N i : nat) : list nat :=
  let row := get [] (h_pred h) (get 0 (get [] cat (h_q h)) i) in
  let xk := get [] cat (h_k h) in
  filter (fun j => get false row (get 0 xk j)) (keys (p_tie p) (p_causal p) N i).

Definition best (r : nat -> nat) (M : list nat) : nat :=
  match M with
  | [] => 0
  | j :: M' => fold_left (fun b j' => if r j' <? r b then j' else b) M' j
  end.

(** Categorical head: the value variable at the chosen key.  Numerical head: the sum of the value
    variable over the matching keys (0 when nothing matches).  MLP: a lookup table (numerical MLPs: below). *)
Definition cat_head (p : program) (cat : list (list nat)) (N : nat) (h : head) : list nat :=
  let xv := get [] cat (h_v h) in
  map (fun i => let M := matches p h cat N i in get 0 xv (best (rank (p_tie p) N (length M) i) M)) (seq 0 N).
Definition num_head (p : program) (cat : list (list nat)) (num : list (list Z)) (N : nat) (h : head) : list Z :=
  let xv := get [] num (h_v h) in
  map (fun i => fold_right Z.add 0%Z (map (get 0%Z xv) (matches p h cat N i))) (seq 0 N).
Definition mlp_out (cat : list (list nat)) (N : nat) (m : mlp) : list nat :=
  let xa := get [] cat (m_a m) in let xb := get [] cat (m_b m) in
  map (fun i => get 0 (get [] (m_table m) (get 0 xa i)) (get 0 xb i)) (seq 0 N).

(** A program's numerical MLP table: the output [o] of the first entry [(x, y, o)] whose key is the pair of
    values read, else the default [d] (the IR lists every key once). *)
Fixpoint table_lookup (tbl : list (Z * Z * nat)) (d : nat) (x y : Z) : nat :=
  match tbl with
  | [] => d
  | (x', y', o) :: tbl' => if (x' =? x)%Z && (y' =? y)%Z then o else table_lookup tbl' d x y
  end.
Definition num_mlp_out (num : list (list Z)) (N : nat) (m : nmlp) : list nat :=
  let ua := get [] num (n_a m) in let ub := get [] num (n_b m) in
  map (fun i => n_out m (get 0%Z ua i) (get 0%Z ub i)) (seq 0 N).

(** A layer appends its categorical heads' outputs, then its categorical MLPs' (reading the categorical
    variables after the heads), then its numerical MLPs' (reading the numerical variables after the
    numerical heads); its numerical heads' outputs go to the numerical variables. *)
Definition layer_step (p : program) (N : nat) (st : list (list nat) * list (list Z)) (L : layer) :=
  let (cat, num) := st in
  let cat1 := cat ++ map (cat_head p cat N) (l_cat L) in
  let num1 := num ++ map (num_head p cat num N) (l_num L) in
  (cat1 ++ map (mlp_out cat1 N) (l_mlp L) ++ map (num_mlp_out num1 N) (l_nmlp L), num1).

(** ** Classifier: integer logits (a vector over the classes) at position [i]: the bias, plus the row
    of each categorical variable's value, plus each numerical variable's value times its row.  The
    label is the first class of largest logit. *)
Definition vadd (u v : list Z) : list Z := map (fun xy => (fst xy + snd xy)%Z) (combine u v).
Definition logits (p : program) (cat : list (list nat)) (num : list (list Z)) (i : nat) : list Z :=
  fold_left vadd
    (map (fun wx => get [] (fst wx) (get 0 (snd wx) i)) (combine (p_wcat p) cat)
     ++ map (fun wu => map (Z.mul (get 0%Z (snd wu) i)) (fst wu)) (combine (p_wnum p) num))
    (p_bias p).
Fixpoint argmax_go (l : list Z) (c b : nat) (bv : Z) : nat :=
  match l with
  | [] => b
  | v :: l' => if (bv <? v)%Z then argmax_go l' (S c) c v else argmax_go l' (S c) b bv
  end.
(** The first index of the largest entry (0 for the empty list). *)
Definition argmax_first (l : list Z) : nat :=
  match l with [] => 0 | v :: l' => argmax_go l' 1 0 v end.

(** The labels at every position of the token-id sequence [toks]. *)
Definition run (p : program) (toks : list nat) : list nat :=
  let N := length toks in
  let (cat, num) := fold_left (layer_step p N) (p_layers p) ([toks; seq 0 N], [repeat 1%Z N]) in
  map (fun i => argmax_first (logits p cat num i)) (seq 0 N).

(** ** Tasks: content tokens [0..m-1] (token id [t+1]; [<s>] = 0; [</s>] = m+1 when [eos]), the lengths
    of the input space, and the target class at each content position. *)
Record task := Task { t_m : nat; t_lengths : list nat; t_eos : bool; t_target : list nat -> list nat }.

Fixpoint words (m n : nat) : list (list nat) :=
  match n with
  | O => [[]]
  | S n' => flat_map (fun a => map (cons a) (words m n')) (seq 0 m)
  end.
Definition space (t : task) : list (list nat) := flat_map (words (t_m t)) (t_lengths t).
Definition tokens_of (t : task) (w : list nat) : list nat :=
  0 :: map S w ++ (if t_eos t then [S (t_m t)] else []).

(** The labels of a program at the content positions [1..n] of the input [w]. *)
Definition labels (p : program) (t : task) (w : list nat) : list nat :=
  firstn (length w) (tl (run p (tokens_of t w))).
(** Correct on [w]: the labels are the target. *)
Definition correct (p : program) (t : task) (w : list nat) : bool :=
  if list_eq_dec Nat.eq_dec (labels p t w) (t_target t w) then true else false.
Definition count_correct (p : program) (t : task) : nat := length (filter (correct p t) (space t)).

(** The targets (class indices). [hist]: how often the token occurs, minus 1 (classes "1".."n");
    [reverse]: the reversed input; [sort]: the sorted input; [dyck1]: 0 = F (a prefix closed too much),
    2 = T (balanced prefix), 1 = P (open brackets pending). *)
Definition hist_target (w : list nat) : list nat := map (fun a => count_occ Nat.eq_dec w a - 1) w.
Definition reverse_target (w : list nat) : list nat := rev w.
Fixpoint insert (a : nat) (l : list nat) : list nat :=
  match l with [] => [a] | b :: l' => if a <=? b then a :: l else b :: insert a l' end.
Definition sort_target (w : list nat) : list nat := fold_right insert [] w.
Fixpoint dyck1_go (d : Z) (bad : bool) (w : list nat) : list nat :=
  match w with
  | [] => []
  | a :: w' => let d' := (if Nat.eqb a 0 then d + 1 else d - 1)%Z in
               let bad' := bad || (d' <? 0)%Z in
               (if bad' then 0 else if (d' =? 0)%Z then 2 else 1) :: dyck1_go d' bad' w'
  end.
Definition dyck1_target (w : list nat) : list nat := dyck1_go 0%Z false w.

(** ** The trained model at temperature 0.
    Its tensors are integers: the exact dyadic entries of a group of tensors times [2^s] for one
    [s >= 0] (which changes no argmax).  A head chooses its query, key and value variables by the first
    argmax of its selection logits, and each predicate row (query value) matches the one key value of
    its first largest logit.  An MLP chooses its two inputs the same way; its table entry [(a, b)] is the
    first argmax over [c] of [2^(s1+s2)] times its real output,
    [sum_h W2[c][h] * relu(W1a[h][a] + W1b[h][b] + b1[h]) + b2[c] * 2^s1]
    ([W1 = (W1a | W1b)], [b1] over [2^s1]; [W2], [b2] over [2^s2]).  A numerical MLP chooses its two
    numerical inputs the same way; at the values [(x, y)] it reads, its output is the first argmax over [c]
    of [sum_h W2[c][h] * relu(W1x[h] * x + W1y[h] * y + b1[h]) + b2[c] * 2^s1] (the network itself, at
    every pair of integers).  The classifier's weights (over one [2^s]) are the program's.  Attention
    breaks ties with [Nearest]. *)
Record mhead := MHead { mh_q : list Z; mh_k : list Z; mh_v : list Z; mh_pred : list (list Z) }.
Record mmlp := MMlp { mm_a : list Z; mm_b : list Z; mm_W1a : list (list Z); mm_W1b : list (list Z);
                      mm_b1 : list Z; mm_W2 : list (list Z); mm_b2 : list Z; mm_s1 : Z }.
Record mnmlp := MNMlp { mn_a : list Z; mn_b : list Z; mn_W1x : list Z; mn_W1y : list Z; mn_b1 : list Z;
                        mn_W2 : list (list Z); mn_b2 : list Z; mn_s1 : Z }.
Record mlayer := MLayer { ml_cat : list mhead; ml_num : list mhead; ml_mlp : list mmlp; ml_nmlp : list mnmlp }.
Record model := Model {
  md_causal : bool; md_k : nat; md_layers : list mlayer;
  md_wcat : list (list (list Z)); md_wnum : list (list Z); md_bias : list Z }.

Definition pred_of (P : list (list Z)) : list (list bool) :=
  map (fun row => map (fun x => Nat.eqb x (argmax_first row)) (seq 0 (length row))) P.
Definition head_of (h : mhead) : head :=
  Head (argmax_first (mh_q h)) (argmax_first (mh_k h)) (argmax_first (mh_v h)) (pred_of (mh_pred h)).
Definition dot (u v : list Z) : Z := fold_right Z.add 0%Z (map (fun xy => (fst xy * snd xy)%Z) (combine u v)).
Definition mlp_entry (m : mmlp) (a b : nat) : nat :=
  let hid := map (fun r => Z.max 0 (get 0%Z (fst (fst r)) a + get 0%Z (snd (fst r)) b + snd r)%Z)
                 (combine (combine (mm_W1a m) (mm_W1b m)) (mm_b1 m)) in
  argmax_first (map (fun wb => (dot (fst wb) hid + snd wb * 2 ^ mm_s1 m)%Z) (combine (mm_W2 m) (mm_b2 m))).
Definition mlp_of (k : nat) (m : mmlp) : mlp :=
  Mlp (argmax_first (mm_a m)) (argmax_first (mm_b m)) (map (fun a => map (mlp_entry m a) (seq 0 k)) (seq 0 k)).
Definition num_entry (m : mnmlp) (x y : Z) : nat :=
  let hid := map (fun r => Z.max 0 (fst (fst r) * x + snd (fst r) * y + snd r)%Z)
                 (combine (combine (mn_W1x m) (mn_W1y m)) (mn_b1 m)) in
  argmax_first (map (fun wb => (dot (fst wb) hid + snd wb * 2 ^ mn_s1 m)%Z) (combine (mn_W2 m) (mn_b2 m))).
Definition nmlp_of (m : mnmlp) : nmlp := NMlp (argmax_first (mn_a m)) (argmax_first (mn_b m)) (num_entry m).
Definition model_program (M : model) : program := {|
  p_causal := md_causal M; p_tie := Nearest;
  p_layers := map (fun L => Layer (map head_of (ml_cat L)) (map head_of (ml_num L)) (map (mlp_of (md_k M)) (ml_mlp L))
                                  (map nmlp_of (ml_nmlp L)))
                  (md_layers M);
  p_wcat := md_wcat M; p_wnum := md_wnum M; p_bias := md_bias M |}.

(** ** The claims. *)
Definition accuracy_at_least (p : program) (t : task) (N : nat) : Prop := N <= count_correct p t.
(** The program [P] is the model [M]: the same labels on every input of the task's space. *)
Definition program_is_model (P : program) (M : model) (t : task) : Prop :=
  forall w, In w (space t) -> labels P t w = labels (model_program M) t w.
