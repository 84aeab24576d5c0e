(** * Dyadic: floating dyadics [(b, e)], standing for [b * 2^e] (CHECKING.md §3-4), with exact
    addition, comparison, minimum, and the sign-aware product bound [lb]. *)
From Coq Require Import ZArith Reals List Lia Lra.
From Pybridge Require Import Spec ListUtil.
Import ListNotations.

Definition dyadic : Type := (Z * Z)%type.
Definition dval (x : dyadic) : R := IZR (fst x) * powerRZ 2 (snd x).

(** Exact sum: align both mantissas to the smaller exponent. *)
Definition dadd (x y : dyadic) : dyadic :=
  let e := Z.min (snd x) (snd y) in
  (Z.shiftl (fst x) (snd x - e) + Z.shiftl (fst y) (snd y - e), e)%Z.
(** Exact comparison [x <= y]. *)
Definition dle (x y : dyadic) : bool :=
  let e := Z.min (snd x) (snd y) in
  (Z.shiftl (fst x) (snd x - e) <=? Z.shiftl (fst y) (snd y - e))%Z.
Definition dmin (x y : dyadic) : dyadic := if dle x y then x else y.
Definition dmin_list (l : list dyadic) : dyadic :=
  match l with [] => (0, 0)%Z | a :: r => fold_right dmin a r end.
(** [sum_{i<n} f i]. *)
Definition dsum (n : nat) (f : nat -> dyadic) : dyadic := fold_right dadd (0, 0)%Z (map f (seq 0 n)).
(** [x > 0]. *)
Definition dpos (x : dyadic) : bool := (0 <? fst x)%Z.
(** Sign-aware product of an integer and a dyadic enclosure [[l, u]] (§4). *)
Definition lbD (v : Z) (l u : dyadic) : dyadic :=
  if (0 <=? v)%Z then ((v * fst l)%Z, snd l) else ((v * fst u)%Z, snd u).

Local Open Scope R_scope.

Lemma two_nz : (2 : R) <> 0.
Proof. lra. Qed.

Lemma IZR_pow2Z r : (0 <= r)%Z -> IZR (2 ^ r) = powerRZ 2 r.
Proof.
  intro Hr. rewrite <- (Z2Nat.id r) by exact Hr. rewrite <- pow_IZR, pow_powerRZ. reflexivity.
Qed.

Lemma powerRZ2_pos e : 0 < powerRZ 2 e.
Proof. apply powerRZ_lt. lra. Qed.

Lemma dval_align m ea e : (e <= ea)%Z ->
  IZR (Z.shiftl m (ea - e)) * powerRZ 2 e = IZR m * powerRZ 2 ea.
Proof.
  intro H. rewrite Z.shiftl_mul_pow2 by lia. rewrite mult_IZR, IZR_pow2Z by lia.
  rewrite Rmult_assoc, <- powerRZ_add by exact two_nz. f_equal. f_equal. lia.
Qed.

Lemma dval_dadd x y : dval (dadd x y) = dval x + dval y.
Proof.
  destruct x as [a ea], y as [b eb]. unfold dadd, dval; simpl.
  rewrite plus_IZR, Rmult_plus_distr_r, !dval_align by lia. reflexivity.
Qed.

Lemma dval_dsum n f : dval (dsum n f) = Rsum n (fun i => dval (f i)).
Proof.
  unfold dsum, Rsum. rewrite <- (map_map f dval). generalize (map f (seq 0 n)). intro l.
  induction l as [|x l IH]; simpl.
  - unfold dval; simpl. ring.
  - rewrite dval_dadd, IH. reflexivity.
Qed.

Lemma dle_spec x y : if dle x y then dval x <= dval y else dval y < dval x.
Proof.
  destruct x as [a ea], y as [b eb]. unfold dle, dval; simpl.
  rewrite <- (dval_align a ea (Z.min ea eb)), <- (dval_align b eb (Z.min ea eb)) by lia.
  pose proof (powerRZ2_pos (Z.min ea eb)).
  destruct (Z.leb_spec (Z.shiftl a (ea - Z.min ea eb)) (Z.shiftl b (eb - Z.min ea eb))) as [H1|H1].
  - apply Rmult_le_compat_r; [lra|]. apply IZR_le, H1.
  - apply Rmult_lt_compat_r; [lra|]. apply IZR_lt, H1.
Qed.

Lemma dmin_le_l x y : dval (dmin x y) <= dval x.
Proof. unfold dmin. pose proof (dle_spec x y). destruct (dle x y); lra. Qed.

Lemma dmin_le_r x y : dval (dmin x y) <= dval y.
Proof. unfold dmin. pose proof (dle_spec x y). destruct (dle x y); lra. Qed.

Lemma dmin_list_le l y : In y l -> dval (dmin_list l) <= dval y.
Proof.
  destruct l as [|a r]; [intros []|]. simpl. revert y.
  induction r as [|b r IH]; intros y Hy; simpl in *.
  - destruct Hy as [<-|[]]; lra.
  - destruct Hy as [<-|[<-|Hy]].
    + eapply Rle_trans; [apply dmin_le_r|]. apply IH; auto.
    + apply dmin_le_l.
    + eapply Rle_trans; [apply dmin_le_r|]. apply IH; auto.
Qed.

Lemma dpos_spec x : dpos x = true -> 0 < dval x.
Proof.
  unfold dpos, dval. intro H. apply Z.ltb_lt, IZR_lt in H.
  apply Rmult_lt_0_compat; [exact H|apply powerRZ2_pos].
Qed.

Lemma dval_nonneg x : (0 <= fst x)%Z -> 0 <= dval x.
Proof.
  intro H. unfold dval. apply Rmult_le_pos; [apply IZR_le, H|left; apply powerRZ2_pos].
Qed.

(** If [0 <= l <= w <= u] then [lb(v, l, u) <= v * w]. *)
Lemma lbD_le v l u w : (0 <= fst l)%Z -> dval l <= w <= dval u -> dval (lbD v l u) <= IZR v * w.
Proof.
  intros Hl [H1 H2]. pose proof (dval_nonneg l Hl). unfold lbD, dval in *.
  destruct (Z.leb_spec 0 v) as [Hv|Hv]; simpl; rewrite mult_IZR, Rmult_assoc.
  - apply IZR_le in Hv. apply Rmult_le_compat_l; auto.
  - apply IZR_lt in Hv. nra.
Qed.
