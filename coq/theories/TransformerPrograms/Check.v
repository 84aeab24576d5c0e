(** * The enumeration checkers of tprog certificates and their soundness (each proven once).
    [check] counts the correct inputs by running the program on the whole space and compares with the
    claim; [check_equal] runs the program and the model's program on the whole space.  Certificates
    discharge [check .. = true] by [vm_compute]. *)
From Coq Require Import List Arith Bool.
From Pybridge.TransformerPrograms Require Import Spec.
Import ListNotations.

Definition check (p : program) (t : task) (N : nat) : bool := N <=? count_correct p t.

Theorem check_sound : forall p t N, check p t N = true -> accuracy_at_least p t N.
Proof. intros p t N H. apply Nat.leb_le. exact H. Qed.

Definition same (u v : list nat) : bool := if list_eq_dec Nat.eq_dec u v then true else false.

Definition check_equal (P : program) (M : model) (t : task) : bool :=
  let Q := model_program M in forallb (fun w => same (labels P t w) (labels Q t w)) (space t).

Theorem check_equal_sound : forall P M t, check_equal P M t = true -> program_is_model P M t.
Proof.
  intros P M t H w Hw. unfold check_equal in H. rewrite forallb_forall in H.
  specialize (H w Hw). unfold same in H.
  destruct (list_eq_dec Nat.eq_dec (labels P t w) (labels (model_program M) t w)); [exact e | discriminate].
Qed.
