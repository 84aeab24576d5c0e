(** * The enumeration checker of [task-accuracy] and its soundness (proven once).
    [check] counts the correct inputs by running the program on the whole space and compares with the
    claim; certificates discharge [check p t N = true] by [vm_compute]. *)
From Coq Require Import List Arith.
From Pybridge.TransformerPrograms Require Import Spec.

Definition check (p : program) (t : task) (N : nat) : bool := N <=? count_correct p t.

Theorem check_sound : forall p t N, check p t N = true -> N <= count_correct p t.
Proof. intros p t N H. apply Nat.leb_le. exact H. Qed.
