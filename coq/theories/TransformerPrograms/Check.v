(** * The enumeration checkers of tprog certificates and their soundness (each proven once).
    [check] counts the correct inputs by running the program on the whole space and compares with the
    claim; [check_equal] runs the program and the model's program on the whole space.  Certificates
    discharge [check .. = true] by [vm_compute].

    Numerical MLPs are evaluated through [memo_fn B]: their outputs at every pair of values [0..B] are
    computed once (a table), other pairs by the MLP itself; [memo_fn_ok] proves this is the same function,
    so the bound [B] is an untrusted hint (only the speed depends on it). *)
From Coq Require Import List ZArith Arith Bool Lia.
From Pybridge.TransformerPrograms Require Import Spec.
Import ListNotations.

Definition memo_fn (B : nat) (f : Z -> Z -> nat) : Z -> Z -> nat :=
  let tbl := map (fun x => map (fun y => f (Z.of_nat x) (Z.of_nat y)) (seq 0 (S B))) (seq 0 (S B)) in
  fun x y => if ((0 <=? x) && (x <=? Z.of_nat B) && (0 <=? y) && (y <=? Z.of_nat B))%Z
             then nth (Z.to_nat y) (nth (Z.to_nat x) tbl []) 0 else f x y.

Lemma nth_map_seq {A} (g : nat -> A) (n i : nat) (d : A) :
  i < n -> nth i (map g (seq 0 n)) d = g i.
Proof.
  intros H. rewrite nth_indep with (d' := g 0) by (rewrite map_length, seq_length; exact H).
  rewrite map_nth, seq_nth by exact H. reflexivity.
Qed.

Lemma memo_fn_ok B f x y : memo_fn B f x y = f x y.
Proof.
  unfold memo_fn.
  destruct ((0 <=? x) && (x <=? Z.of_nat B) && (0 <=? y) && (y <=? Z.of_nat B))%Z eqn:E; [|reflexivity].
  repeat rewrite andb_true_iff in E. destruct E as [[[E1 E2] E3] E4].
  apply Z.leb_le in E1, E2, E3, E4.
  rewrite nth_map_seq by lia. rewrite nth_map_seq by lia.
  rewrite !Z2Nat.id by lia. reflexivity.
Qed.

Definition memo_layer (B : nat) (L : layer) : layer :=
  Layer (l_cat L) (l_num L) (l_mlp L) (map (fun m => NMlp (n_a m) (n_b m) (memo_fn B (n_out m))) (l_nmlp L)).
Definition memo_prog (B : nat) (p : program) : program := {|
  p_causal := p_causal p; p_tie := p_tie p; p_layers := map (memo_layer B) (p_layers p);
  p_wcat := p_wcat p; p_wnum := p_wnum p; p_bias := p_bias p |}.

Lemma layer_step_memo B p N st L :
  layer_step (memo_prog B p) N st (memo_layer B L) = layer_step p N st L.
Proof.
  destruct st as [cat num]. unfold layer_step.
  change (cat_head (memo_prog B p)) with (cat_head p).
  change (num_head (memo_prog B p)) with (num_head p).
  simpl. rewrite map_map.
  set (num1 := num ++ map (num_head p cat num N) (l_num L)).
  assert (E : map (fun m => num_mlp_out num1 N (NMlp (n_a m) (n_b m) (memo_fn B (n_out m)))) (l_nmlp L)
              = map (num_mlp_out num1 N) (l_nmlp L)).
  { apply map_ext. intros m. unfold num_mlp_out. simpl. apply map_ext. intros i. apply memo_fn_ok. }
  rewrite E. reflexivity.
Qed.

Lemma run_memo B p toks : run (memo_prog B p) toks = run p toks.
Proof.
  unfold run. change (p_layers (memo_prog B p)) with (map (memo_layer B) (p_layers p)).
  assert (H : forall Ls st, fold_left (layer_step (memo_prog B p) (length toks)) (map (memo_layer B) Ls) st
                            = fold_left (layer_step p (length toks)) Ls st).
  { induction Ls as [|L Ls IH]; intros st; [reflexivity|]. simpl. rewrite layer_step_memo. apply IH. }
  rewrite H. reflexivity.
Qed.

Lemma labels_memo B p t w : labels (memo_prog B p) t w = labels p t w.
Proof. unfold labels. rewrite run_memo. reflexivity. Qed.

Lemma count_correct_memo B p t : count_correct (memo_prog B p) t = count_correct p t.
Proof.
  unfold count_correct. f_equal. apply filter_ext. intros w. unfold correct. rewrite labels_memo. reflexivity.
Qed.

Definition check (p : program) (t : task) (N B : nat) : bool := N <=? count_correct (memo_prog B p) t.

Theorem check_sound : forall p t N B, check p t N B = true -> accuracy_at_least p t N.
Proof. intros p t N B H. unfold accuracy_at_least. rewrite <- (count_correct_memo B). apply Nat.leb_le. exact H. Qed.

Definition same (u v : list nat) : bool := if list_eq_dec Nat.eq_dec u v then true else false.

Definition check_equal (P : program) (M : model) (t : task) (B : nat) : bool :=
  let P' := memo_prog B P in let Q := memo_prog B (model_program M) in
  forallb (fun w => same (labels P' t w) (labels Q t w)) (space t).

Theorem check_equal_sound : forall P M t B, check_equal P M t B = true -> program_is_model P M t.
Proof.
  intros P M t B H w Hw. unfold check_equal in H. rewrite forallb_forall in H.
  specialize (H w Hw). unfold same in H. rewrite !labels_memo in H.
  destruct (list_eq_dec Nat.eq_dec (labels P t w) (labels (model_program M) t w)); [exact e | discriminate].
Qed.
