(** * Transformer Programs: what a pybridge [task-accuracy] certificate claims (issue 12).

    A Transformer Program (Friedman, Wettig, Chen 2023) on an input [<s> t1 .. tn] keeps, at every
    position, categorical variables (natural numbers: var 0 = token id, var 1 = position, then one per
    categorical head and MLP) and numerical variables (integers: var 0 = ones, then one per numerical
    head).  Layer by layer, the heads read the variables before the layer, the MLPs the categorical
    variables after the layer's heads.  This file mentions no checker. *)
From Coq Require Import List ZArith Arith Bool.
Import ListNotations.

Definition get {A} (d : A) (l : list A) (i : nat) : A := nth i l d.

Inductive tie := Nearest | SelfFirst | Earliest.

Record head := Head { h_q : nat; h_k : nat; h_v : nat; h_pred : list (list bool) }.
Record mlp := Mlp { m_a : nat; m_b : nat; m_table : list (list nat) }.
Record layer := Layer { l_cat : list head; l_num : list head; l_mlp : list mlp }.
Record program := Program {
  p_causal : bool; p_tie : tie; p_layers : list layer;
  p_wcat : list (list (list Z));  (* per categorical variable: class -> value -> weight *)
  p_wnum : list (list Z);         (* per numerical variable: class -> weight *)
  p_bias : list Z;                (* per class *)
  p_classes : nat }.

(** ** Hard attention and the tie rule.
    Query position [i] of [N] may attend to the keys [1..N-1] ([1..i] if causal); position 0 ([<s>]) is
    never a candidate.  Among the matching keys the smallest [rank] wins: [Nearest] (the model's rule):
    nearest first, the earlier at equal distance, [i] itself last; [SelfFirst]: the same, [i] first;
    [Earliest]: the smallest position.  No matching key: position 0. *)
Definition dist_rank (i j : nat) : nat :=
  2 * (if j <? i then i - j else j - i) + (if i <? j then 1 else 0).
Definition rank (t : tie) (N i j : nat) : nat :=
  match t with
  | Earliest => j
  | SelfFirst => dist_rank i j
  | Nearest => if Nat.eqb i j then 4 * N else dist_rank i j
  end.
Definition keys (causal : bool) (N i : nat) : list nat := if causal then seq 1 i else seq 1 (N - 1).

Definition matches (p : program) (h : head) (cat : list (list nat)) (N i : nat) : list nat :=
  let xq := get [] cat (h_q h) in let xk := get [] cat (h_k h) in
  filter (fun j => get false (get [] (h_pred h) (get 0 xq i)) (get 0 xk j)) (keys (p_causal p) N i).

Definition best (r : nat -> nat) (M : list nat) : nat :=
  match M with
  | [] => 0
  | j :: M' => fold_left (fun b j' => if r j' <? r b then j' else b) M' j
  end.

(** Categorical head: the value variable at the chosen key.  Numerical head: the sum of the value
    variable over the matching keys (0 when nothing matches).  MLP: a lookup table. *)
Definition cat_head (p : program) (cat : list (list nat)) (N : nat) (h : head) : list nat :=
  map (fun i => get 0 (get [] cat (h_v h)) (best (rank (p_tie p) N i) (matches p h cat N i))) (seq 0 N).
Definition num_head (p : program) (cat : list (list nat)) (num : list (list Z)) (N : nat) (h : head) : list Z :=
  map (fun i => fold_right Z.add 0%Z (map (get 0%Z (get [] num (h_v h))) (matches p h cat N i))) (seq 0 N).
Definition mlp_out (cat : list (list nat)) (N : nat) (m : mlp) : list nat :=
  map (fun i => get 0 (get [] (m_table m) (get 0 (get [] cat (m_a m)) i)) (get 0 (get [] cat (m_b m)) i)) (seq 0 N).

Definition layer_step (p : program) (N : nat) (st : list (list nat) * list (list Z)) (L : layer) :=
  let (cat, num) := st in
  let cat1 := cat ++ map (cat_head p cat N) (l_cat L) in
  let num1 := num ++ map (num_head p cat num N) (l_num L) in
  (cat1 ++ map (mlp_out cat1 N) (l_mlp L), num1).

(** ** Classifier: integer logits, the label is the first class of largest logit. *)
Definition logit (p : program) (cat : list (list nat)) (num : list (list Z)) (i c : nat) : Z :=
  (get 0%Z (p_bias p) c
   + fold_right Z.add 0%Z (map (fun wx => get 0%Z (get [] (fst wx) c) (get O (snd wx) i)) (combine (p_wcat p) cat))
   + fold_right Z.add 0%Z (map (fun wu => get 0%Z (fst wu) c * get 0%Z (snd wu) i) (combine (p_wnum p) num)))%Z.
Definition argmax_first (f : nat -> Z) (C : nat) : nat :=
  fold_left (fun b c => if (f b <? f c)%Z then c else b) (seq 1 (C - 1)) 0.

(** The labels at every position of the token-id sequence [toks]. *)
Definition run (p : program) (toks : list nat) : list nat :=
  let N := length toks in
  let st := fold_left (layer_step p N) (p_layers p) ([toks; seq 0 N], [repeat 1%Z N]) in
  map (fun i => argmax_first (logit p (fst st) (snd st) i) (p_classes p)) (seq 0 N).

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

(** Correct on [w]: the labels at positions [1..n] are the target. *)
Definition correct (p : program) (t : task) (w : list nat) : bool :=
  if list_eq_dec Nat.eq_dec (firstn (length w) (tl (run p (tokens_of t w)))) (t_target t w) then true else false.
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
