(** * ListUtil: finite sums, Cartesian products of lists, min/max of lists, NoDup lemmas. *)
From Coq Require Import ZArith Reals List Lia Lra FinFun.
From Pybridge Require Import Spec.
Import ListNotations.

(** [nth] of a table built by [map f (seq 0 n)] is [f i]. *)
Lemma nth_map_seq {A} (f : nat -> A) n i d : (i < n)%nat -> nth i (map f (seq 0 n)) d = f i.
Proof.
  intro H. rewrite nth_indep with (d' := f 0%nat) by (rewrite map_length, seq_length; lia).
  rewrite map_nth, seq_nth by lia. reflexivity.
Qed.

(** [nth] through a map whose function sends the default to the default. *)
Lemma nth_map_dflt {A B} (f : A -> B) (l : list A) i da db :
  f da = db -> nth i (map f l) db = f (nth i l da).
Proof. intros <-. apply map_nth. Qed.

(** ** Real sums [Rsum n f = sum_{i<n} f i] *)
Local Open Scope R_scope.

Lemma Rsum_S n f : Rsum (S n) f = Rsum n f + f n.
Proof.
  unfold Rsum. rewrite seq_S, map_app, fold_right_app. simpl.
  generalize (map f (seq 0 n)). intro l. induction l as [|a l IH]; simpl; [lra|]. rewrite IH. lra.
Qed.

Lemma Rsum_ext n f g : (forall i, (i < n)%nat -> f i = g i) -> Rsum n f = Rsum n g.
Proof.
  induction n; intros H; [reflexivity|]. rewrite !Rsum_S, H by lia.
  rewrite IHn; [reflexivity|]. intros; apply H; lia.
Qed.

Lemma Rsum_le n f g : (forall i, (i < n)%nat -> f i <= g i) -> Rsum n f <= Rsum n g.
Proof.
  induction n; intros H; [unfold Rsum; simpl; lra|]. rewrite !Rsum_S.
  specialize (IHn (fun i Hi => H i ltac:(lia))). specialize (H n ltac:(lia)). lra.
Qed.

Lemma Rsum_scal n c f : Rsum n (fun i => c * f i) = c * Rsum n f.
Proof. induction n; [unfold Rsum; simpl; ring|]. rewrite !Rsum_S, IHn. ring. Qed.

Lemma Rsum_plus n f g : Rsum n (fun i => f i + g i) = Rsum n f + Rsum n g.
Proof. induction n; [unfold Rsum; simpl; ring|]. rewrite !Rsum_S, IHn. ring. Qed.

Lemma Rsum_minus n f g : Rsum n (fun i => f i - g i) = Rsum n f - Rsum n g.
Proof. induction n; [unfold Rsum; simpl; ring|]. rewrite !Rsum_S, IHn. ring. Qed.

Lemma Rsum_pos n f : (1 <= n)%nat -> (forall i, (i < n)%nat -> 0 < f i) -> 0 < Rsum n f.
Proof.
  induction n; intros Hn H; [lia|]. rewrite Rsum_S. destruct n.
  - unfold Rsum; simpl. specialize (H 0%nat ltac:(lia)). lra.
  - specialize (IHn ltac:(lia) (fun i Hi => H i ltac:(lia))). specialize (H (S n) ltac:(lia)). lra.
Qed.

(** Integer sums, and their real image. *)
Definition Zsum (n : nat) (f : nat -> Z) : Z := fold_right Z.add 0%Z (map f (seq 0 n)).

Lemma Zsum_S n f : Zsum (S n) f = (Zsum n f + f n)%Z.
Proof.
  unfold Zsum. rewrite seq_S, map_app, fold_right_app. simpl.
  generalize (map f (seq 0 n)). intro l. induction l as [|a l IH]; simpl; [lia|]. rewrite IH. lia.
Qed.

Lemma IZR_Zsum n f : IZR (Zsum n f) = Rsum n (fun i => IZR (f i)).
Proof.
  induction n; [reflexivity|]. rewrite Zsum_S, Rsum_S, plus_IZR, IHn. reflexivity.
Qed.

Lemma Zsum_ext n f g : (forall i, (i < n)%nat -> f i = g i) -> Zsum n f = Zsum n g.
Proof.
  induction n; intros H; [reflexivity|]. rewrite !Zsum_S, H by lia.
  rewrite IHn; [reflexivity|]. intros; apply H; lia.
Qed.
Local Close Scope R_scope.

(** ** Min and max of a list of integers (the head is the start value; [0] for []) *)
Definition zmin_list (l : list Z) : Z :=
  match l with [] => 0%Z | a :: r => fold_right Z.min a r end.
Definition zmax_list (l : list Z) : Z :=
  match l with [] => 0%Z | a :: r => fold_right Z.max a r end.

Lemma zmin_list_le l y : In y l -> (zmin_list l <= y)%Z.
Proof.
  destruct l as [|a r]; [intros []|]. simpl. revert y.
  induction r as [|b r IH]; intros y Hy; simpl in *.
  - destruct Hy as [<-|[]]; lia.
  - destruct Hy as [<-|[<-|Hy]].
    + specialize (IH _ (or_introl eq_refl)). lia.
    + lia.
    + specialize (IH _ (or_intror Hy)). lia.
Qed.

Lemma zmin_list_ge l b : (b <= 0)%Z -> (forall y, In y l -> (b <= y)%Z) -> (b <= zmin_list l)%Z.
Proof.
  destruct l as [|a r]; simpl; [lia|]. intros _ H.
  assert (Ha := H a (or_introl eq_refl)).
  assert (Hr : forall y, In y r -> (b <= y)%Z) by (intros; apply H; auto).
  clear H. induction r as [|c r IH]; simpl; [lia|].
  assert (b <= c)%Z by (apply Hr; simpl; auto).
  enough (b <= fold_right Z.min a r)%Z by lia.
  apply IH; intros; apply Hr; simpl; auto.
Qed.

Lemma zmax_list_ge l y : In y l -> (y <= zmax_list l)%Z.
Proof.
  destruct l as [|a r]; [intros []|]. simpl. revert y.
  induction r as [|b r IH]; intros y Hy; simpl in *.
  - destruct Hy as [<-|[]]; lia.
  - destruct Hy as [<-|[<-|Hy]].
    + specialize (IH _ (or_introl eq_refl)). lia.
    + lia.
    + specialize (IH _ (or_intror Hy)). lia.
Qed.

(** ** list_max *)
Lemma In_list_max (t : list nat) : t <> [] -> In (list_max t) t.
Proof.
  induction t as [|a r IH]; [congruence|]. intros _. simpl.
  destruct r as [|b r']. { simpl. left. lia. }
  specialize (IH ltac:(congruence)).
  destruct (Nat.max_spec a (list_max (b :: r'))) as [[_ ->]|[_ ->]]; [right|left]; auto.
Qed.

Lemma list_max_ge (t : list nat) a : In a t -> (a <= list_max t)%nat.
Proof.
  intro H. pose proof (proj1 (list_max_le t (list_max t)) (le_n _)) as F.
  rewrite Forall_forall in F. auto.
Qed.

Lemma NoDup_app' {A} (l1 l2 : list A) :
  NoDup l1 -> NoDup l2 -> (forall x, In x l1 -> ~ In x l2) -> NoDup (l1 ++ l2).
Proof.
  induction l1 as [|a l1 IH]; intros H1 H2 Hd; simpl; auto.
  inversion H1; subst. constructor.
  - rewrite in_app_iff. intros [H|H]; [contradiction|]. eapply Hd; simpl; eauto.
  - apply IH; auto. intros; apply Hd; simpl; auto.
Qed.

(** ** Cartesian product of a list of lists *)
Fixpoint prod_list {A} (Ls : list (list A)) : list (list A) :=
  match Ls with
  | [] => [[]]
  | L :: Ls' => flat_map (fun a => map (cons a) (prod_list Ls')) L
  end.

Lemma In_prod_list {A} (Ls : list (list A)) t : In t (prod_list Ls) <-> Forall2 (@In A) t Ls.
Proof.
  revert t; induction Ls as [|L Ls IH]; intros t; simpl.
  - split; [intros [<-|[]]; constructor|]. intros H; inversion H; auto.
  - rewrite in_flat_map. split.
    + intros (a & Ha & Ht). apply in_map_iff in Ht as (t' & <- & Ht'). constructor; auto.
      apply IH; auto.
    + intros H; inversion H; subst. exists x. split; auto. apply in_map. apply IH; auto.
Qed.

Lemma NoDup_prod_list {A} (Ls : list (list A)) : Forall (@NoDup A) Ls -> NoDup (prod_list Ls).
Proof.
  induction Ls as [|L Ls IH]; intros H; simpl; [repeat constructor; auto|].
  inversion H as [|? ? HL HLs]; subst. specialize (IH HLs). clear H HLs.
  induction L as [|a L IHL]; simpl; [constructor|].
  inversion HL; subst. apply NoDup_app'; auto.
  - apply FinFun.Injective_map_NoDup; auto. intros x y E; inversion E; auto.
  - intros t Ht Ht'. apply in_map_iff in Ht as (t1 & <- & _).
    apply in_flat_map in Ht' as (b & Hb & Ht'). apply in_map_iff in Ht' as (t2 & E & _).
    inversion E; subst. contradiction.
Qed.

Lemma length_prod_list {A} (Ls : list (list A)) :
  Z.of_nat (length (prod_list Ls)) = fold_right Z.mul 1%Z (map (fun L => Z.of_nat (length L)) Ls).
Proof.
  induction Ls as [|L Ls IH]; [reflexivity|]. simpl. rewrite <- IH. clear IH.
  induction L as [|a L IHL]; [reflexivity|]. cbn [flat_map length map fold_right].
  rewrite app_length, map_length, Nat2Z.inj_add, Nat2Z.inj_succ, IHL. ring.
Qed.

(** ** NoDup of a concatenation of lists, each tagged by a distinct key *)
Lemma NoDup_flat_map_keys {A B K} (f : A -> list B) (key : A -> K) (bs : list A) :
  NoDup (map key bs) -> (forall b, In b bs -> NoDup (f b)) ->
  (forall b1 b2 x, In b1 bs -> In b2 bs -> In x (f b1) -> In x (f b2) -> key b1 = key b2) ->
  NoDup (flat_map f bs).
Proof.
  induction bs as [|b bs IH]; intros Hk Hf Hd; simpl; [constructor|].
  inversion Hk; subst. apply NoDup_app'.
  - apply Hf; simpl; auto.
  - apply IH; auto. + intros; apply Hf; simpl; auto. + intros; eapply Hd; simpl; eauto.
  - intros x Hx Hx'. apply in_flat_map in Hx' as (b' & Hb' & Hx').
    assert (key b = key b') by (eapply Hd; simpl; eauto).
    apply H1. rewrite H. apply in_map; auto.
Qed.
