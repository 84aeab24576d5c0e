(** * BruteForce: the strategy of CHECKING.md §5, for small [V^n].

    [check_bf M P k N] enumerates all [V^n] inputs, counts those proven correct
    ([LB_j > 0] for every [j <> max t]) and compares [N] with the count. *)
From Coq Require Import ZArith Reals List Lia Lra.
From Pybridge Require Import Spec ListUtil Tables Dyadic ExpBounds Checker.
Import ListNotations.

Definition all_inputs (V n : nat) : list (list nat) := prod_list (repeat (seq 0 V) n).

(** [LB_j = sum_i lb(D_i(j), WLO[q][t_i][i], WHI[q][t_i][i])] (an exact dyadic). *)
Definition LB (M : model) (T : tables) (t : list nat) (j : nat) : dyadic :=
  let m := list_max t in let q := nth (n M - 1) t 0%nat in
  dsum (n M) (fun i => let tok := nth i t 0%nat in
                       lbD (Dz T q tok i m j) (getd3 (tWLO T) q tok i) (getd3 (tWHI T) q tok i)).

Definition proven_correct_bf (M : model) (T : tables) (t : list nat) : bool :=
  forallb (fun j => orb (Nat.eqb j (list_max t)) (dpos (LB M T t j))) (seq 0 (V M)).

Definition check_bf (M : model) (P k : nat) (N : Z) : bool :=
  basic_ok M P k &&
  (let T := compute_tables M P k in
   N <=? Z.of_nat (length (filter (proven_correct_bf M T) (all_inputs (V M) (n M)))))%Z.

Lemma Forall2_In_repeat {A} (t : list A) L n :
  Forall2 (@In A) t (repeat L n) -> length t = n /\ forall a, In a t -> In a L.
Proof.
  revert t; induction n as [|n IH]; intros t H; simpl in H; inversion H; subst; simpl.
  - split; auto. intros a [].
  - destruct (IH _ H4) as [E F]. split; [congruence|]. intros a [<-|Ha]; auto.
Qed.

Theorem check_bf_sound M P k N : check_bf M P k N = true -> accuracy_at_least M N.
Proof.
  unfold check_bf. intro H. apply andb_prop in H as [Hok HN]. apply Z.leb_le in HN.
  set (T := compute_tables M P k) in *.
  exists (filter (proven_correct_bf M T) (all_inputs (V M) (n M))). split; [|split; auto].
  - apply NoDup_filter, NoDup_prod_list, Forall_forall. intros L HL.
    apply repeat_spec in HL; subst. apply seq_NoDup.
  - intros t Ht. apply filter_In in Ht as [Hin Hpc].
    apply In_prod_list, Forall2_In_repeat in Hin as [Hlen Hin].
    assert (Hv : valid M t) by (split; auto; intros a Ha; apply Hin, in_seq in Ha; lia).
    split; auto.
    destruct (basic_ok_spec _ _ _ Hok) as (Hn & _).
    apply (key_correct M P k t Hok Hv). intros j Hj Hjm.
    unfold proven_correct_bf in Hpc. rewrite forallb_forall in Hpc.
    assert (Hjs : In j (seq 0 (V M))) by (apply in_seq; lia). specialize (Hpc j Hjs).
    apply Bool.orb_prop in Hpc as [Hc|Hc]; [apply Nat.eqb_eq in Hc; contradiction|].
    apply dpos_spec in Hc. unfold LB in Hc. rewrite dval_dsum in Hc.
    eexists. split; [exact Hc|].
    intros i Hi w Hw. fold T. cbv zeta.
    apply lbD_le; auto. apply WLO_nonneg; auto.
    + apply Hv, nth_In; destruct Hv; lia.
    + apply Hv, nth_In; destruct Hv; lia.
Qed.
