(** * IntervalTL: integer intervals on the grid [2^-F] and their soundness (CHECKING.md 5c).

    [enc F I x] says that the integer pair [I = (lo, hi)] encloses the real [x]:
    [lo / 2^F <= x <= hi / 2^F].  Every operation rounds outward (floor / ceiling). *)
From Coq Require Import ZArith Reals List Lia Lra Psatz.
From Pybridge Require Import ListUtil ExpBounds.
From Pybridge Require Spec.
Import ListNotations.

Definition itv : Type := (Z * Z)%type.

Local Open Scope Z_scope.
Definition fdiv2 (a : Z) (m : nat) : Z := Z.shiftr a (Z.of_nat m).          (** floor(a / 2^m) *)
Definition cdiv2 (a : Z) (m : nat) : Z := - Z.shiftr (- a) (Z.of_nat m).     (** ceil(a / 2^m) *)
Definition cdiv (a b : Z) : Z := - ((- a) / b).                               (** ceil(a / b) *)

Definition iadd (a b : itv) : itv := (fst a + fst b, snd a + snd b).
Definition isub (a b : itv) : itv := (fst a - snd b, snd a - fst b).
(** Product of two intervals on the grid [2^-F]. *)
Definition imul (F : nat) (a b : itv) : itv :=
  let p1 := fst a * fst b in let p2 := fst a * snd b in
  let p3 := snd a * fst b in let p4 := snd a * snd b in
  (fdiv2 (Z.min (Z.min p1 p2) (Z.min p3 p4)) F, cdiv2 (Z.max (Z.max p1 p2) (Z.max p3 p4)) F).
(** Product with a weight [z / 2^s]. *)
Definition iscale (s : nat) (a : itv) (z : Z) : itv :=
  if 0 <=? z then (fdiv2 (z * fst a) s, cdiv2 (z * snd a) s)
  else (fdiv2 (z * snd a) s, cdiv2 (z * fst a) s).
(** A weight [z / 2^s] on the grid [2^-F] ([s <= F]): exact. *)
Definition iw (F s : nat) (z : Z) : itv := let v := z * 2 ^ Z.of_nat (F - s) in (v, v).
(** Division by a positive integer [m]. *)
Definition idiv (a : itv) (m : Z) : itv := (fst a / m, cdiv (snd a) m).
(** Square. *)
Definition isq (F : nat) (a : itv) : itv :=
  let l := fst a in let u := snd a in
  if 0 <=? l then (fdiv2 (l * l) F, cdiv2 (u * u) F)
  else if u <=? 0 then (fdiv2 (u * u) F, cdiv2 (l * l) F)
  else (0, cdiv2 (Z.max (l * l) (u * u)) F).
(** [sum_{k < m} f k]. *)
Definition isum (m : nat) (f : nat -> itv) : itv := fold_right iadd (0, 0) (map f (seq 0 m)).
(** [1 / sqrt(v + en/ed)] for [v] in [a] (on the grid [2^-F]); [isqrt_ok] is its integer check. *)
Definition inv_sqrt_num (F : nat) (l : Z) (en ed : Z) : Z := Z.max l 0 * ed + en * 2 ^ Z.of_nat F.
Definition inv_sqrt_one (F : nat) (ed : Z) : Z := ed * 2 ^ Z.of_nat (3 * F).
Definition iinvsqrt (F : nat) (a : itv) (en ed : Z) : itv :=
  let one := inv_sqrt_one F ed in
  (Z.sqrt (one / inv_sqrt_num F (snd a) en ed), Z.sqrt (one / inv_sqrt_num F (fst a) en ed) + 1).
Definition isqrt_ok (F : nat) (a : itv) (en ed : Z) : bool :=
  let one := inv_sqrt_one F ed in let r := iinvsqrt F a en ed in
  (0 <? en) && (0 <? ed) &&
  (fst r * fst r * inv_sqrt_num F (snd a) en ed <=? one) &&
  (one <=? snd r * snd r * inv_sqrt_num F (fst a) en ed).

(** ** Soundness *)
Local Open Scope R_scope.

Definition enc (F : nat) (I : itv) (x : R) : Prop := IZR (fst I) / 2 ^ F <= x <= IZR (snd I) / 2 ^ F.

Lemma fdiv2_le a m : IZR (fdiv2 a m) <= IZR a / 2 ^ m.
Proof. apply shiftr_floor. Qed.
Lemma cdiv2_ge a m : IZR a / 2 ^ m <= IZR (cdiv2 a m).
Proof. apply shiftr_ceil. Qed.

Lemma fdiv_le a b : (0 < b)%Z -> IZR (a / b) <= IZR a / IZR b.
Proof.
  intro Hb. pose proof (Z.mul_div_le a b Hb) as H. apply IZR_le in H. rewrite mult_IZR in H.
  apply IZR_lt in Hb. apply Rmult_le_reg_l with (IZR b); auto. field_simplify; lra.
Qed.
Lemma cdiv_ge a b : (0 < b)%Z -> IZR a / IZR b <= IZR (cdiv a b).
Proof. apply div_ceil. Qed.

Lemma pow2F_pos F : 0 < 2 ^ F.
Proof. apply pow_lt. lra. Qed.

Lemma enc_iadd F a b x y : enc F a x -> enc F b y -> enc F (iadd a b) (x + y).
Proof. unfold enc, iadd; simpl. rewrite !plus_IZR. unfold Rdiv. intros. lra. Qed.

Lemma enc_isub F a b x y : enc F a x -> enc F b y -> enc F (isub a b) (x - y).
Proof. unfold enc, isub; simpl. rewrite !minus_IZR. unfold Rdiv. intros. lra. Qed.

Lemma enc_isum F m f g : (forall k, (k < m)%nat -> enc F (f k) (g k)) -> enc F (isum m f) (Spec.Rsum m g).
Proof.
  induction m as [|m IH]; intro H.
  - unfold enc, isum, Spec.Rsum; simpl. unfold Rdiv. lra.
  - assert (E : isum (S m) f = iadd (isum m f) (f m)).
    { unfold isum. rewrite seq_S, map_app, fold_right_app. simpl.
      generalize (map f (seq 0 m)). intro l. unfold iadd at 2. simpl. rewrite !Z.add_0_r.
      induction l as [|a l IHl]; simpl; [destruct (f m); reflexivity|]. rewrite IHl.
      unfold iadd; simpl. f_equal; lia. }
    rewrite E, Rsum_S. apply enc_iadd; auto.
Qed.

Lemma min_IZR a b : IZR (Z.min a b) = Rmin (IZR a) (IZR b).
Proof.
  unfold Rmin. destruct (Rle_dec (IZR a) (IZR b)) as [H|H].
  - apply le_IZR in H. rewrite Z.min_l by exact H. reflexivity.
  - assert (b <= a)%Z by (apply le_IZR; lra). rewrite Z.min_r by lia. reflexivity.
Qed.

Lemma max_IZR a b : IZR (Z.max a b) = Rmax (IZR a) (IZR b).
Proof.
  unfold Rmax. destruct (Rle_dec (IZR a) (IZR b)) as [H|H].
  - apply le_IZR in H. rewrite Z.max_r by exact H. reflexivity.
  - assert (b <= a)%Z by (apply le_IZR; lra). rewrite Z.max_l by lia. reflexivity.
Qed.

(** [x * y] lies between two products of [y] with the ends of [x]. *)
Lemma mul_between a b x y : a <= x <= b ->
  Rmin (a * y) (b * y) <= x * y <= Rmax (a * y) (b * y).
Proof.
  intros [H1 H2]. unfold Rmin, Rmax.
  destruct (Rle_dec (a * y) (b * y)); destruct (Rle_dec 0 y); split; nra.
Qed.

Lemma enc_imul F a b x y : enc F a x -> enc F b y -> enc F (imul F a b) (x * y).
Proof.
  unfold enc, imul. destruct a as [a1 a2], b as [b1 b2]; simpl. intros Hx Hy.
  pose proof (pow2F_pos F) as HP. set (p := 2 ^ F) in *.
  set (X := x * p). set (Y := y * p).
  assert (HX : IZR a1 <= X <= IZR a2).
  { unfold X. destruct Hx as [H1 H2]. split.
    - apply Rmult_le_reg_r with (/ p); [apply Rinv_0_lt_compat; lra|]. rewrite Rmult_assoc, Rinv_r, Rmult_1_r by lra. exact H1.
    - apply Rmult_le_reg_r with (/ p); [apply Rinv_0_lt_compat; lra|]. rewrite Rmult_assoc, Rinv_r, Rmult_1_r by lra. exact H2. }
  assert (HY : IZR b1 <= Y <= IZR b2).
  { unfold Y. destruct Hy as [H1 H2]. split.
    - apply Rmult_le_reg_r with (/ p); [apply Rinv_0_lt_compat; lra|]. rewrite Rmult_assoc, Rinv_r, Rmult_1_r by lra. exact H1.
    - apply Rmult_le_reg_r with (/ p); [apply Rinv_0_lt_compat; lra|]. rewrite Rmult_assoc, Rinv_r, Rmult_1_r by lra. exact H2. }
  assert (Hxy : x * y = X * Y / p / p) by (unfold X, Y; field; lra).
  (* X*Y between the corner products *)
  destruct (mul_between _ _ X Y HX) as [L1 U1].
  destruct (mul_between _ _ Y (IZR a1) HY) as [La Ua].
  destruct (mul_between _ _ Y (IZR a2) HY) as [Lb Ub].
  rewrite !(Rmult_comm _ (IZR a1)) in La, Ua. rewrite !(Rmult_comm _ (IZR a2)) in Lb, Ub.
  assert (Hlo : IZR (Z.min (Z.min (a1 * b1) (a1 * b2)) (Z.min (a2 * b1) (a2 * b2))) <= X * Y).
  { rewrite !min_IZR, !mult_IZR. eapply Rle_trans; [|exact L1].
    apply Rmin_glb.
    - eapply Rle_trans; [|exact La]. apply Rmin_glb.
      + apply Rle_trans with (Rmin (IZR a1 * IZR b1) (IZR a1 * IZR b2)); [apply Rmin_l|apply Rmin_l].
      + apply Rle_trans with (Rmin (IZR a1 * IZR b1) (IZR a1 * IZR b2)); [apply Rmin_l|apply Rmin_r].
    - eapply Rle_trans; [|exact Lb]. apply Rmin_glb.
      + apply Rle_trans with (Rmin (IZR a2 * IZR b1) (IZR a2 * IZR b2)); [apply Rmin_r|apply Rmin_l].
      + apply Rle_trans with (Rmin (IZR a2 * IZR b1) (IZR a2 * IZR b2)); [apply Rmin_r|apply Rmin_r]. }
  assert (Hhi : X * Y <= IZR (Z.max (Z.max (a1 * b1) (a1 * b2)) (Z.max (a2 * b1) (a2 * b2)))).
  { rewrite !max_IZR, !mult_IZR. eapply Rle_trans; [exact U1|].
    apply Rmax_lub.
    - eapply Rle_trans; [exact Ua|]. apply Rmax_lub.
      + apply Rle_trans with (Rmax (IZR a1 * IZR b1) (IZR a1 * IZR b2)); [apply Rmax_l|apply Rmax_l].
      + apply Rle_trans with (Rmax (IZR a1 * IZR b1) (IZR a1 * IZR b2)); [apply Rmax_r|apply Rmax_l].
    - eapply Rle_trans; [exact Ub|]. apply Rmax_lub.
      + apply Rle_trans with (Rmax (IZR a2 * IZR b1) (IZR a2 * IZR b2)); [apply Rmax_l|apply Rmax_r].
      + apply Rle_trans with (Rmax (IZR a2 * IZR b1) (IZR a2 * IZR b2)); [apply Rmax_r|apply Rmax_r]. }
  pose proof (fdiv2_le (Z.min (Z.min (a1 * b1) (a1 * b2)) (Z.min (a2 * b1) (a2 * b2))) F) as Fl.
  pose proof (cdiv2_ge (Z.max (Z.max (a1 * b1) (a1 * b2)) (Z.max (a2 * b1) (a2 * b2))) F) as Cu.
  fold p in Fl, Cu. rewrite Hxy. unfold Rdiv in *.
  assert (Hi : 0 < / p) by (apply Rinv_0_lt_compat; lra).
  split.
  - apply Rmult_le_compat_r; [lra|]. eapply Rle_trans; [exact Fl|]. apply Rmult_le_compat_r; lra.
  - apply Rmult_le_compat_r; [lra|]. eapply Rle_trans; [|exact Cu]. apply Rmult_le_compat_r; lra.
Qed.

Lemma enc_iscale F s a z x : enc F a x -> enc F (iscale s a z) (x * (IZR z / 2 ^ s)).
Proof.
  unfold enc, iscale. destruct a as [a1 a2]; simpl. intros [H1 H2].
  pose proof (pow2F_pos F) as HF. pose proof (pow2F_pos s) as Hs.
  assert (Hd : forall u v, u <= v -> u / 2 ^ F <= v / 2 ^ F)
    by (intros; unfold Rdiv; apply Rmult_le_compat_r; [left; apply Rinv_0_lt_compat|]; lra).
  assert (Hds : forall u v, u <= v -> u / 2 ^ s <= v / 2 ^ s)
    by (intros; unfold Rdiv; apply Rmult_le_compat_r; [left; apply Rinv_0_lt_compat|]; lra).
  destruct (Z.leb_spec 0 z) as [Hz|Hz]; simpl; [apply IZR_le in Hz|apply IZR_lt in Hz].
  - pose proof (fdiv2_le (z * a1) s) as A. pose proof (cdiv2_ge (z * a2) s) as B.
    rewrite mult_IZR, Rmult_comm in A, B. split.
    + eapply Rle_trans; [apply Hd, A|]. replace (IZR a1 * IZR z / 2 ^ s / 2 ^ F)
        with (IZR a1 / 2 ^ F * (IZR z / 2 ^ s)) by (field; lra).
      apply Rmult_le_compat_r; [apply Rmult_le_pos; [lra|left; apply Rinv_0_lt_compat; lra]|lra].
    + eapply Rle_trans; [|apply Hd, B]. replace (IZR a2 * IZR z / 2 ^ s / 2 ^ F)
        with (IZR a2 / 2 ^ F * (IZR z / 2 ^ s)) by (field; lra).
      apply Rmult_le_compat_r; [apply Rmult_le_pos; [lra|left; apply Rinv_0_lt_compat; lra]|lra].
  - pose proof (fdiv2_le (z * a2) s) as A. pose proof (cdiv2_ge (z * a1) s) as B.
    rewrite mult_IZR, Rmult_comm in A, B.
    assert (Hzs : IZR z / 2 ^ s < 0) by (unfold Rdiv; assert (0 < / 2 ^ s) by (apply Rinv_0_lt_compat; lra); nra).
    split.
    + eapply Rle_trans; [apply Hd, A|]. replace (IZR a2 * IZR z / 2 ^ s / 2 ^ F)
        with (IZR a2 / 2 ^ F * (IZR z / 2 ^ s)) by (field; lra). nra.
    + eapply Rle_trans; [|apply Hd, B]. replace (IZR a1 * IZR z / 2 ^ s / 2 ^ F)
        with (IZR a1 / 2 ^ F * (IZR z / 2 ^ s)) by (field; lra). nra.
Qed.

Lemma enc_iw F s z : (s <= F)%nat -> enc F (iw F s z) (IZR z / 2 ^ s).
Proof.
  intro H. unfold enc, iw; simpl.
  assert (E : IZR (z * 2 ^ Z.of_nat (F - s)) / 2 ^ F = IZR z / 2 ^ s).
  { change (2 ^ Z.of_nat (F - s))%Z with (pow2 (F - s)). rewrite mult_IZR, IZR_pow2. pose proof (pow2F_pos s).
    pose proof (pow2F_pos (F - s)). replace (2 ^ F) with (2 ^ s * 2 ^ (F - s)) by (rewrite <- pow_add; f_equal; lia).
    field. lra. }
  rewrite E. lra.
Qed.

Lemma enc_idiv F a m x : (0 < m)%Z -> enc F a x -> enc F (idiv a m) (x / IZR m).
Proof.
  unfold enc, idiv. destruct a as [a1 a2]; simpl. intros Hm [H1 H2].
  pose proof (fdiv_le a1 m Hm). pose proof (cdiv_ge a2 m Hm). apply IZR_lt in Hm.
  pose proof (pow2F_pos F).
  assert (Hd : forall u v, u <= v -> u / 2 ^ F <= v / 2 ^ F)
    by (intros; unfold Rdiv; apply Rmult_le_compat_r; [left; apply Rinv_0_lt_compat|]; lra).
  assert (Hm' : forall u v, u <= v -> u / IZR m <= v / IZR m)
    by (intros; unfold Rdiv; apply Rmult_le_compat_r; [left; apply Rinv_0_lt_compat|]; lra).
  split.
  - eapply Rle_trans; [apply Hd, H|]. replace (IZR a1 / IZR m / 2 ^ F) with (IZR a1 / 2 ^ F / IZR m) by (field; lra).
    apply Hm', H1.
  - eapply Rle_trans; [|apply Hd, H0]. replace (IZR a2 / IZR m / 2 ^ F) with (IZR a2 / 2 ^ F / IZR m) by (field; lra).
    apply Hm', H2.
Qed.

Lemma enc_isq F a x : enc F a x -> enc F (isq F a) (x * x).
Proof.
  unfold enc, isq. destruct a as [l u]; simpl. intros [H1 H2].
  pose proof (pow2F_pos F) as HP. set (p := 2 ^ F) in *.
  assert (Hd : forall a b, a <= b -> a / p <= b / p)
    by (intros; unfold Rdiv; apply Rmult_le_compat_r; [left; apply Rinv_0_lt_compat|]; lra).
  set (X := x * p).
  assert (HX : IZR l <= X <= IZR u).
  { unfold X. split.
    - apply Rmult_le_reg_r with (/ p); [apply Rinv_0_lt_compat; lra|]. rewrite Rmult_assoc, Rinv_r, Rmult_1_r by lra. exact H1.
    - apply Rmult_le_reg_r with (/ p); [apply Rinv_0_lt_compat; lra|]. rewrite Rmult_assoc, Rinv_r, Rmult_1_r by lra. exact H2. }
  assert (Hxx : x * x = X * X / p / p) by (unfold X; field; lra).
  rewrite Hxx.
  destruct (Z.leb_spec 0 l) as [Hl|Hl]; [|destruct (Z.leb_spec u 0) as [Hu|Hu]]; simpl.
  - apply IZR_le in Hl. pose proof (fdiv2_le (l * l) F). pose proof (cdiv2_ge (u * u) F). fold p in H, H0.
    rewrite mult_IZR in H, H0. split.
    + apply Hd. eapply Rle_trans; [exact H|]. apply Hd. nra.
    + apply Hd. eapply Rle_trans; [|exact H0]. apply Hd. nra.
  - apply IZR_le in Hu. pose proof (fdiv2_le (u * u) F). pose proof (cdiv2_ge (l * l) F). fold p in H, H0.
    rewrite mult_IZR in H, H0. split.
    + apply Hd. eapply Rle_trans; [exact H|]. apply Hd. nra.
    + apply Hd. eapply Rle_trans; [|exact H0]. apply Hd. nra.
  - pose proof (cdiv2_ge (Z.max (l * l) (u * u)) F). fold p in H. rewrite max_IZR, !mult_IZR in H. split.
    + unfold Rdiv. rewrite Rmult_0_l. apply Rmult_le_pos; [apply Rmult_le_pos; [nra|]|]; left; apply Rinv_0_lt_compat; lra.
    + apply Hd. eapply Rle_trans; [|exact H]. apply Hd.
      destruct (Rle_dec 0 X); [apply Rle_trans with (IZR u * IZR u); [nra|apply Rmax_r]|
                               apply Rle_trans with (IZR l * IZR l); [nra|apply Rmax_l]].
Qed.

(** [a * a * u <= 1] gives [a <= 1 / sqrt u]; [1 <= a * a * u] gives [1 / sqrt u <= a]. *)
Lemma le_inv_sqrt a u : 0 <= a -> 0 < u -> a * a * u <= 1 -> a <= / sqrt u.
Proof.
  intros Ha Hu H. pose proof (sqrt_lt_R0 u Hu) as Hs. pose proof (sqrt_sqrt u ltac:(lra)) as Hss.
  apply Rmult_le_reg_r with (sqrt u); auto. rewrite Rinv_l by lra.
  destruct (Rle_dec (a * sqrt u) 1) as [|Hn]; auto. exfalso. apply Rnot_le_lt in Hn.
  assert (1 < (a * sqrt u) * (a * sqrt u)) by nra. rewrite <- Hss in H. nra.
Qed.

Lemma inv_sqrt_le a u : 0 <= a -> 0 < u -> 1 <= a * a * u -> / sqrt u <= a.
Proof.
  intros Ha Hu H. pose proof (sqrt_lt_R0 u Hu) as Hs. pose proof (sqrt_sqrt u ltac:(lra)) as Hss.
  apply Rmult_le_reg_r with (sqrt u); auto. rewrite Rinv_l by lra.
  destruct (Rle_dec 1 (a * sqrt u)) as [|Hn]; auto. exfalso. apply Rnot_le_lt in Hn.
  assert (0 <= a * sqrt u) by nra.
  assert ((a * sqrt u) * (a * sqrt u) < 1) by nra. rewrite <- Hss in H. nra.
Qed.

Lemma div_nonneg a b : 0 <= a -> 0 < b -> 0 <= a / b.
Proof. intros. unfold Rdiv. apply Rmult_le_pos; [lra|left; apply Rinv_0_lt_compat; lra]. Qed.

Lemma enc_iinvsqrt F a v en ed : isqrt_ok F a en ed = true -> enc F a v -> 0 <= v ->
  enc F (iinvsqrt F a en ed) (/ sqrt (v + IZR en / IZR ed)).
Proof.
  unfold isqrt_ok. intros Hok Hv Hv0. repeat (apply andb_prop in Hok as [Hok ?]).
  apply Z.ltb_lt in Hok, H1. apply Z.leb_le in H, H0.
  set (one := inv_sqrt_one F ed) in *. set (r := iinvsqrt F a en ed) in *.
  pose proof (pow2F_pos F) as HP.
  (* [v + eps] lies in [num(lo) / (ed 2^F), num(hi) / (ed 2^F)] *)
  destruct a as [lo hi]. cbn [fst snd] in *. destruct Hv as [Hlo Hhi].
  assert (Hed : 0 < IZR ed) by (apply IZR_lt; lia). assert (Hen : 0 < IZR en) by (apply IZR_lt; lia).
  set (D := IZR ed * 2 ^ F).
  assert (HD : 0 < D) by (unfold D; nra).
  assert (Hnum : forall l, IZR (inv_sqrt_num F l en ed) = IZR (Z.max l 0) * IZR ed + IZR en * 2 ^ F).
  { intro l. unfold inv_sqrt_num. change (2 ^ Z.of_nat F)%Z with (pow2 F). rewrite plus_IZR, !mult_IZR, IZR_pow2. reflexivity. }
  set (w := v + IZR en / IZR ed).
  assert (Hw1 : IZR (inv_sqrt_num F lo en ed) / D <= w).
  { rewrite Hnum. unfold w, D. apply Rmult_le_reg_r with (IZR ed * 2 ^ F); [nra|].
    field_simplify; [|lra|lra]. rewrite max_IZR.
    unfold Rmax. destruct (Rle_dec (IZR lo) (IZR 0)).
    - assert (0 <= v * IZR ed * 2 ^ F) by (apply Rmult_le_pos; [apply Rmult_le_pos|]; lra). nra.
    - assert (IZR lo <= v * 2 ^ F) by (apply Rmult_le_reg_r with (/ 2 ^ F); [apply Rinv_0_lt_compat; lra|];
        rewrite Rmult_assoc, Rinv_r, Rmult_1_r by lra; exact Hlo). nra. }
  assert (Hw2 : w <= IZR (inv_sqrt_num F hi en ed) / D).
  { rewrite Hnum. unfold w, D. apply Rmult_le_reg_r with (IZR ed * 2 ^ F); [nra|].
    field_simplify; [|lra|lra]. rewrite max_IZR.
    assert (v * 2 ^ F <= IZR hi) by (apply Rmult_le_reg_r with (/ 2 ^ F); [apply Rinv_0_lt_compat; lra|];
        rewrite Rmult_assoc, Rinv_r, Rmult_1_r by lra; exact Hhi).
    assert (v * 2 ^ F <= Rmax (IZR hi) (IZR 0)) by (eapply Rle_trans; [eassumption|apply Rmax_l]). nra. }
  assert (Hn1 : 0 < IZR (inv_sqrt_num F lo en ed)).
  { rewrite Hnum, max_IZR. assert (0 <= Rmax (IZR lo) (IZR 0)) by apply Rmax_r. nra. }
  assert (Hw0 : 0 < w) by (eapply Rlt_le_trans; [|exact Hw1]; apply Rdiv_lt_0_compat; lra).
  assert (Hone : IZR one = D * (2 ^ F * 2 ^ F)).
  { unfold one, inv_sqrt_one, D. change (2 ^ Z.of_nat (3 * F))%Z with (pow2 (3 * F)). rewrite mult_IZR, IZR_pow2. replace (3 * F)%nat with (F + (F + F))%nat by lia.
    rewrite !pow_add. ring. }
  apply IZR_le in H. apply IZR_le in H0. rewrite !mult_IZR in H, H0.
  assert (Hr1 : 0 <= IZR (fst r)) by (apply IZR_le; unfold r, iinvsqrt; cbn [fst]; apply Z.sqrt_nonneg).
  assert (Hr2 : 0 <= IZR (snd r)) by (apply IZR_le; unfold r, iinvsqrt; cbn [snd];
    apply Z.add_nonneg_nonneg; [apply Z.sqrt_nonneg|lia]).
  unfold enc. split.
  - apply le_inv_sqrt; [apply div_nonneg; lra|exact Hw0|].
    apply Rle_trans with (IZR (fst r) / 2 ^ F * (IZR (fst r) / 2 ^ F) * (IZR (inv_sqrt_num F hi en ed) / D)).
    + apply Rmult_le_compat_l; [|exact Hw2]. apply Rmult_le_pos; apply div_nonneg; lra.
    + rewrite Hone in H0. apply Rmult_le_reg_r with (D * (2 ^ F * 2 ^ F)); [apply Rmult_lt_0_compat; [lra|apply Rmult_lt_0_compat; lra]|].
      replace (IZR (fst r) / 2 ^ F * (IZR (fst r) / 2 ^ F) * (IZR (inv_sqrt_num F hi en ed) / D) * (D * (2 ^ F * 2 ^ F)))
        with (IZR (fst r) * IZR (fst r) * IZR (inv_sqrt_num F hi en ed)) by (field; lra). lra.
  - apply inv_sqrt_le; [apply div_nonneg; lra|exact Hw0|].
    apply Rle_trans with (IZR (snd r) / 2 ^ F * (IZR (snd r) / 2 ^ F) * (IZR (inv_sqrt_num F lo en ed) / D)).
    + rewrite Hone in H. apply Rmult_le_reg_r with (D * (2 ^ F * 2 ^ F)); [apply Rmult_lt_0_compat; [lra|apply Rmult_lt_0_compat; lra]|].
      replace (IZR (snd r) / 2 ^ F * (IZR (snd r) / 2 ^ F) * (IZR (inv_sqrt_num F lo en ed) / D) * (D * (2 ^ F * 2 ^ F)))
        with (IZR (snd r) * IZR (snd r) * IZR (inv_sqrt_num F lo en ed)) by (field; lra). lra.
    + apply Rmult_le_compat_l; [|exact Hw1]. apply Rmult_le_pos; apply div_nonneg; lra.
Qed.
