(** * Bilinear/Check: the checkers of bilinear certificates (exact integers) and their soundness,
    proven once:
    - [eval_quadratic]: [f(x)_o = sum_{i,j} Bs[o][i][j] x_i x_j];
    - [gram_gen]: the Gram identity [<S_A, S_B> = 2 sum_{o,h,k} D_A[o,h] D_B[o,k] G[h,k]] (no tensor);
    - [check_sim_sound], [check_equiv_sound], [check_bf_sound]. *)
From Coq Require Import ZArith Reals List Lra Lia Bool Setoid Morphisms.
From Pybridge.Bilinear Require Import Spec Sums.
Import ListNotations.
Open Scope R_scope.

(** ** Triple sums *)
Definition T3 (O d : nat) (f : nat -> nat -> nat -> R) : R :=
  rsum O (fun o => rsum d (fun i => rsum d (fun j => f o i j))).

Lemma T3_plus O d F G : T3 O d (fun o i j => F o i j + G o i j) = T3 O d F + T3 O d G.
Proof.
  unfold T3. rewrite <- rsum_plus. apply rsum_ext; intros o _.
  rewrite <- rsum_plus. apply rsum_ext; intros i _. apply rsum_plus.
Qed.

Lemma T3_scal O d c F : T3 O d (fun o i j => c * F o i j) = c * T3 O d F.
Proof.
  unfold T3. rewrite <- rsum_scal. apply rsum_ext; intros o _.
  rewrite <- rsum_scal. apply rsum_ext; intros i _. apply rsum_scal.
Qed.

Lemma T3_ext O d F G : (forall o i j, (o < O)%nat -> (i < d)%nat -> (j < d)%nat -> F o i j = G o i j) ->
  T3 O d F = T3 O d G.
Proof.
  intros H. unfold T3. apply rsum_ext; intros o Ho. apply rsum_ext; intros i Hi. apply rsum_ext; intros j Hj. auto.
Qed.

Lemma T3_zero O d F : (forall o i j, 0 <= F o i j) -> T3 O d F = 0 ->
  forall o i j, (o < O)%nat -> (i < d)%nat -> (j < d)%nat -> F o i j = 0.
Proof.
  intros Hn Hz o i j Ho Hi Hj. unfold T3 in Hz.
  assert (N2 : forall o i, 0 <= rsum d (fun j => F o i j)) by (intros; apply rsum_nonneg; auto).
  assert (N1 : forall o, 0 <= rsum d (fun i => rsum d (fun j => F o i j))) by (intros; apply rsum_nonneg; auto).
  pose proof (rsum_nonneg_zero _ _ (fun k _ => N1 k) Hz o Ho) as Z1. simpl in Z1.
  pose proof (rsum_nonneg_zero _ _ (fun k _ => N2 o k) Z1 i Hi) as Z2. simpl in Z2.
  exact (rsum_nonneg_zero _ _ (fun k _ => Hn o i k) Z2 j Hj).
Qed.

Lemma rsum3_swap a b c f :
  rsum a (fun i => rsum b (fun j => rsum c (fun h => f i j h))) =
  rsum b (fun j => rsum c (fun h => rsum a (fun i => f i j h))).
Proof.
  transitivity (rsum b (fun j => rsum a (fun i => rsum c (fun h => f i j h)))).
  - exact (rsum_swap a b (fun i j => rsum c (fun h => f i j h))).
  - apply rsum_ext; intros j _. exact (rsum_swap a c (fun i h => f i j h)).
Qed.

Lemma rsum4_swap a b c e f :
  rsum a (fun i => rsum b (fun j => rsum c (fun h => rsum e (fun k => f i j h k)))) =
  rsum c (fun h => rsum e (fun k => rsum a (fun i => rsum b (fun j => f i j h k)))).
Proof.
  transitivity (rsum a (fun i => rsum c (fun h => rsum e (fun k => rsum b (fun j => f i j h k))))).
  - apply rsum_ext; intros i _. exact (rsum3_swap b c e (fun j h k => f i j h k)).
  - exact (rsum3_swap a c e (fun i h k => rsum b (fun j => f i j h k))).
Qed.

(** ** The quadratic form *)
Lemma quad_gen d H (Df : nat -> R) (Lm Rm : nat -> nat -> R) (x : nat -> R) :
  rsum H (fun h => Df h * rsum d (fun i => Lm h i * x i) * rsum d (fun j => Rm h j * x j)) =
  rsum d (fun i => rsum d (fun j => rsum H (fun h => Df h * (Lm h i * Rm h j + Lm h j * Rm h i)) / 2 * x i * x j)).
Proof.
  symmetry.
  transitivity (rsum d (fun i => rsum d (fun j => rsum H (fun h => Df h * (Lm h i * Rm h j + Lm h j * Rm h i) * (/ 2 * x i * x j))))).
  { apply rsum_ext; intros i _; apply rsum_ext; intros j _.
    rewrite rsum_scal_r. unfold Rdiv. ring. }
  etransitivity; [symmetry; apply (rsum3_swap H d d (fun h i j => Df h * (Lm h i * Rm h j + Lm h j * Rm h i) * (/ 2 * x i * x j)))|].
  apply rsum_ext; intros h _.
  transitivity (Df h / 2 * (rsum d (fun i => Lm h i * x i) * rsum d (fun j => Rm h j * x j)
                            + rsum d (fun i => Rm h i * x i) * rsum d (fun j => Lm h j * x j))).
  2: { field. }
  rewrite !rsum_mul. rewrite <- rsum_plus, <- rsum_scal. apply rsum_ext; intros i _.
  rewrite <- rsum_plus, <- rsum_scal. apply rsum_ext; intros j _. field.
Qed.

Lemma eval_fold m x o :
  eval m x o = rsum (hid m) (fun h => Dfold m o h * rsum (d_in m) (fun i => w m (ZL m) h i * x i)
                                               * rsum (d_in m) (fun j => w m (ZR m) h j * x j)).
Proof.
  unfold eval, Dfold, y. destruct (head m); [|reflexivity].
  transitivity (rsum (d_out m) (fun c => rsum (hid m) (fun h => w m (ZU m) o c * (w m (ZD m) c h
     * rsum (d_in m) (fun i => w m (ZL m) h i * x i) * rsum (d_in m) (fun j => w m (ZR m) h j * x j))))).
  { apply rsum_ext; intros c _. symmetry. apply rsum_scal. }
  rewrite rsum_swap. apply rsum_ext; intros h _.
  rewrite <- !rsum_scal_r. apply rsum_ext; intros c _. ring.
Qed.

Theorem eval_quadratic m x o :
  eval m x o = rsum (d_in m) (fun i => rsum (d_in m) (fun j => Bs m o i j * x i * x j)).
Proof. rewrite eval_fold. unfold Bs. apply quad_gen. Qed.

(** ** The Gram identity *)
Theorem gram_gen O d H1 H2 (DA DB LA RA LB RB : nat -> nat -> R) :
  rsum O (fun o => rsum d (fun i => rsum d (fun j =>
    rsum H1 (fun h => DA o h * (LA h i * RA h j + LA h j * RA h i)) *
    rsum H2 (fun k => DB o k * (LB k i * RB k j + LB k j * RB k i)))))
  = 2 * rsum O (fun o => rsum H1 (fun h => rsum H2 (fun k => DA o h * DB o k *
      (rsum d (fun i => LA h i * LB k i) * rsum d (fun j => RA h j * RB k j)
       + rsum d (fun i => LA h i * RB k i) * rsum d (fun j => RA h j * LB k j))))).
Proof.
  rewrite <- rsum_scal. apply rsum_ext; intros o _.
  transitivity (rsum d (fun i => rsum d (fun j => rsum H1 (fun h => rsum H2 (fun k =>
    DA o h * (LA h i * RA h j + LA h j * RA h i) * (DB o k * (LB k i * RB k j + LB k j * RB k i))))))).
  { apply rsum_ext; intros i _; apply rsum_ext; intros j _. apply rsum_mul. }
  rewrite rsum4_swap. rewrite <- rsum_scal. apply rsum_ext; intros h _.
  rewrite <- rsum_scal. apply rsum_ext; intros k _.
  set (P := fun i j => DA o h * DB o k * (LA h i * LB k i * (RA h j * RB k j) + LA h i * RB k i * (RA h j * LB k j))).
  transitivity (rsum d (fun i => rsum d (fun j => P i j + P j i))).
  { apply rsum_ext; intros i _; apply rsum_ext; intros j _. unfold P. ring. }
  rewrite rsum2_sym. f_equal. unfold P.
  rewrite !rsum_mul. rewrite <- rsum_plus, <- rsum_scal. apply rsum_ext; intros i _.
  rewrite <- rsum_plus, <- rsum_scal. apply rsum_ext; intros j _. ring.
Qed.

(** ** Integer readings of the model *)
Definition zent (A : list (list Z)) (r c : nat) : Z := nth c (nth r A []) 0%Z.
Definition zDf (m : model) (o h : nat) : Z :=
  if head m then zsum (d_out m) (fun c => zent (ZU m) o c * zent (ZD m) c h)%Z else zent (ZD m) o h.
Definition sc (m : model) : R := (/ 2 ^ s m) ^ (if head m then 4 else 3).
Definition ee (m : model) : nat := (s m * (if head m then 4 else 3))%nat.
Definition S' (m : model) (o i j : nat) : R :=
  rsum (hid m) (fun h => IZR (zDf m o h) * (IZR (zent (ZL m) h i) * IZR (zent (ZR m) h j)
                                            + IZR (zent (ZL m) h j) * IZR (zent (ZR m) h i))).

Lemma two_pow_pos n : 0 < 2 ^ n.
Proof. apply pow_lt. lra. Qed.

Lemma sc_pos m : 0 < sc m.
Proof. unfold sc. apply pow_lt. apply Rinv_0_lt_compat. apply two_pow_pos. Qed.

Lemma sc_ee m : sc m * IZR (2 ^ Z.of_nat (ee m)) = 1.
Proof.
  unfold sc, ee. rewrite <- pow_IZR. rewrite pow_mult. rewrite <- Rpow_mult_distr.
  rewrite Rinv_l by (apply Rgt_not_eq, two_pow_pos). apply pow1.
Qed.

Lemma rsum_div n F c : rsum n F / c = rsum n (fun h => F h / c).
Proof. induction n as [|n IH]; simpl; [unfold Rdiv; ring|]. rewrite <- IH. unfold Rdiv. ring. Qed.

Lemma rsum_cdiv n F c e : c * rsum n F / e = rsum n (fun h => c * F h / e).
Proof. induction n as [|n IH]; simpl; [unfold Rdiv; ring|]. rewrite <- IH. unfold Rdiv. ring. Qed.

Lemma Bs_int m o i j : Bs m o i j = sc m * S' m o i j / 2.
Proof.
  unfold Bs, S'. rewrite rsum_div, rsum_cdiv. apply rsum_ext; intros h _.
  unfold Dfold, sc, w, zDf, zent. set (k := / 2 ^ s m).
  assert (Hk : forall z, IZR z / 2 ^ s m = k * IZR z) by (intros; unfold k, Rdiv; ring).
  rewrite !Hk. destruct (head m).
  - rewrite IZR_zsum. setoid_rewrite mult_IZR.
    assert (HD : rsum (d_out m) (fun c => IZR (nth c (nth o (ZU m) []) 0%Z) / 2 ^ s m * (IZR (nth h (nth c (ZD m) []) 0%Z) / 2 ^ s m))
               = k ^ 2 * rsum (d_out m) (fun c => IZR (nth c (nth o (ZU m) []) 0%Z) * IZR (nth h (nth c (ZD m) []) 0%Z))).
    { rewrite <- rsum_scal. apply rsum_ext; intros c _. rewrite !Hk. ring. }
    rewrite HD. unfold Rdiv. ring.
  - unfold Rdiv. ring.
Qed.

(** The integer Gram figure the checkers compute. *)
Definition zG (A B : model) (h k : nat) : Z :=
  let d := d_in A in
  (zsum d (fun i => zent (ZL A) h i * zent (ZL B) k i) * zsum d (fun j => zent (ZR A) h j * zent (ZR B) k j)
   + zsum d (fun i => zent (ZL A) h i * zent (ZR B) k i) * zsum d (fun j => zent (ZR A) h j * zent (ZL B) k j))%Z.
Definition gramZ (A B : model) : Z :=
  zsum (n_out A) (fun o => zsum (hid A) (fun h => zsum (hid B) (fun k => zDf A o h * zDf B o k * zG A B h k)))%Z.

Lemma gram_S' A B : T3 (n_out A) (d_in A) (fun o i j => S' A o i j * S' B o i j) = 2 * IZR (gramZ A B).
Proof.
  unfold T3, S'. rewrite gram_gen. f_equal. unfold gramZ, zG.
  rewrite IZR_zsum. apply rsum_ext; intros o _. rewrite IZR_zsum. apply rsum_ext; intros h _.
  rewrite IZR_zsum. apply rsum_ext; intros k _. rewrite !mult_IZR, plus_IZR, !mult_IZR, !IZR_zsum.
  setoid_rewrite mult_IZR. reflexivity.
Qed.

Lemma tinner_gram A B : tinner A B = sc A * sc B / 2 * IZR (gramZ A B).
Proof.
  unfold tinner.
  transitivity (T3 (n_out A) (d_in A) (fun o i j => (sc A * sc B / 4) * (S' A o i j * S' B o i j))).
  { unfold T3. apply rsum_ext; intros o _; apply rsum_ext; intros i _; apply rsum_ext; intros j _.
    rewrite !Bs_int. field. }
  rewrite T3_scal, gram_S'. field.
Qed.

(** ** similarity: cos >= p/q *)
Definition check_sim (A B : model) (p q : Z) : bool :=
  Nat.eqb (d_in A) (d_in B) && Nat.eqb (n_out A) (n_out B) && (0 <=? p)%Z && (0 <? q)%Z &&
  (let ab := gramZ A B in let aa := gramZ A A in let bb := gramZ B B in
   (0 <=? ab)%Z && (p * p * (aa * bb) <=? q * q * (ab * ab))%Z).

Theorem check_sim_sound A B p q : check_sim A B p q = true -> similar_at_least A B (IZR p / IZR q).
Proof.
  unfold check_sim. intros Hc. apply andb_prop in Hc as [Hc H2]. apply andb_prop in H2 as [Hab Hle].
  apply andb_prop in Hc as [Hc Hq]. apply andb_prop in Hc as [Hc Hp]. apply andb_prop in Hc as [Hd Ho].
  apply Nat.eqb_eq in Hd, Ho. apply Z.leb_le in Hab, Hle, Hp. apply Z.ltb_lt in Hq.
  split; [split; assumption|].
  rewrite !tinner_gram. pose proof (sc_pos A). pose proof (sc_pos B).
  apply IZR_le in Hab, Hle. apply IZR_lt in Hq. rewrite !mult_IZR in Hle.
  set (a := IZR (gramZ A A)) in *. set (b := IZR (gramZ B B)) in *. set (x := IZR (gramZ A B)) in *.
  split.
  - apply Rmult_le_pos; [|exact Hab]. apply Rmult_le_pos; [nra|lra].
  - set (K := (sc A * sc B / 2) * (sc A * sc B / 2)).
    assert (K0 : 0 <= K) by (unfold K; nra).
    replace (IZR p / IZR q * (IZR p / IZR q) * (sc A * sc A / 2 * a * (sc B * sc B / 2 * b)))
      with (K / (IZR q * IZR q) * (IZR p * IZR p * (a * b))) by (unfold K; field; lra).
    replace (sc A * sc B / 2 * x * (sc A * sc B / 2 * x))
      with (K / (IZR q * IZR q) * (IZR q * IZR q * (x * x))) by (unfold K; field; lra).
    apply Rmult_le_compat_l; [|exact Hle].
    unfold Rdiv. apply Rmult_le_pos; [exact K0|]. left. apply Rinv_0_lt_compat. nra.
Qed.

(** ** equivalent: f_B = (p/q) f_A *)
Definition check_equiv (A B : model) (p q : Z) : bool :=
  Nat.eqb (d_in A) (d_in B) && Nat.eqb (n_out A) (n_out B) && (0 <? p)%Z && (0 <? q)%Z &&
  (let ab := gramZ A B in let aa := gramZ A A in let bb := gramZ B B in
   (0 <? aa)%Z && (0 <? ab)%Z && (ab * ab =? aa * bb)%Z &&
   (p * aa * 2 ^ Z.of_nat (ee B) =? q * ab * 2 ^ Z.of_nat (ee A))%Z).

Lemma proportional A B : d_in A = d_in B -> n_out A = n_out B ->
  IZR (gramZ A B) * IZR (gramZ A B) = IZR (gramZ A A) * IZR (gramZ B B) ->
  forall o i j, (o < n_out A)%nat -> (i < d_in A)%nat -> (j < d_in A)%nat ->
  IZR (gramZ A A) * S' B o i j - IZR (gramZ A B) * S' A o i j = 0.
Proof.
  intros Hd Ho Hcs. set (a := IZR (gramZ A A)). set (x := IZR (gramZ A B)). set (b := IZR (gramZ B B)).
  fold a b x in Hcs.
  assert (E : T3 (n_out A) (d_in A) (fun o i j => (a * S' B o i j - x * S' A o i j) * (a * S' B o i j - x * S' A o i j)) = 0).
  { transitivity (T3 (n_out A) (d_in A) (fun o i j => (a * a) * (S' B o i j * S' B o i j)
                   + ((-2 * a * x) * (S' A o i j * S' B o i j) + (x * x) * (S' A o i j * S' A o i j)))).
    { apply T3_ext. intros. ring. }
    rewrite !T3_plus, !T3_scal. rewrite !gram_S'.
    pose proof (gram_S' B B) as HB. rewrite <- Hd, <- Ho in HB. rewrite HB.
    fold a b x. transitivity (2 * a * (a * b - x * x)); [ring | rewrite Hcs; ring]. }
  intros o i j Hoo Hi Hj.
  pose proof (T3_zero _ _ _ (fun o i j => Rle_0_sqr _) E o i j Hoo Hi Hj) as Z0. simpl in Z0.
  apply Rmult_integral in Z0. destruct Z0; assumption.
Qed.

Theorem check_equiv_sound A B p q : check_equiv A B p q = true -> equivalent A B (IZR p / IZR q).
Proof.
  unfold check_equiv. intros Hc.
  cbv zeta in Hc.
  apply andb_prop in Hc as [Hc Hr]. apply andb_prop in Hr as [Hr He]. apply andb_prop in Hr as [Hr Hcs].
  apply andb_prop in Hr as [Haa Hab]. apply andb_prop in Hc as [Hc Hq]. apply andb_prop in Hc as [Hc Hp].
  apply andb_prop in Hc as [Hc Ho].
  apply Nat.eqb_eq in Hc, Ho. apply Z.eqb_eq in He, Hcs. apply Z.ltb_lt in Hab, Haa, Hq, Hp.
  apply IZR_lt in Hab, Haa, Hq, Hp. apply (f_equal IZR) in He, Hcs. rewrite !mult_IZR in He, Hcs.
  pose proof (sc_ee A) as EA. pose proof (sc_ee B) as EB.
  set (a := IZR (gramZ A A)) in *. set (x := IZR (gramZ A B)) in *.
  set (ea := IZR (2 ^ Z.of_nat (ee A))) in *. set (eb := IZR (2 ^ Z.of_nat (ee B))) in *.
  split; [split; assumption|]. split; [apply Rdiv_lt_0_compat; assumption|].
  intros xv o Hoo. rewrite !eval_quadratic. rewrite <- Hc.
  rewrite <- rsum_scal. apply rsum_ext; intros i Hi. rewrite <- rsum_scal. apply rsum_ext; intros j Hj.
  pose proof (proportional A B Hc Ho Hcs o i j Hoo Hi Hj) as P. fold a x in P.
  rewrite !Bs_int.
  assert (SB : S' B o i j = x / a * S' A o i j) by (field_simplify_eq; [lra|lra]).
  assert (ea0 : ea <> 0) by (intro E0; rewrite E0 in EA; lra).
  assert (eb0 : eb <> 0) by (intro E0; rewrite E0 in EB; lra).
  assert (ScA : sc A = / ea) by (field_simplify_eq; [lra|exact ea0]).
  assert (ScB : sc B = / eb) by (field_simplify_eq; [lra|exact eb0]).
  assert (L : IZR p / IZR q = x * ea / (a * eb)).
  { assert (N : IZR q * (a * eb) <> 0).
    { apply Rmult_integral_contrapositive; split; [lra|]. apply Rmult_integral_contrapositive; split; lra. }
    apply (Rmult_eq_reg_r (IZR q * (a * eb))); [|exact N].
    transitivity (IZR p * a * eb); [field; lra|]. rewrite He, !mult_IZR. fold x ea. field. repeat split; lra. }
  rewrite SB, ScA, ScB, L. field. repeat split; lra.
Qed.

(** ** brute force on modular addition *)
Definition zy (m : model) (P a b c : nat) : Z :=
  zsum (hid m) (fun h => zent (ZD m) c h * (zent (ZL m) h a + zent (ZL m) h (P + b))
                                         * (zent (ZR m) h a + zent (ZR m) h (P + b)))%Z.
Definition zeval (m : model) (P a b o : nat) : Z :=
  if head m then zsum (d_out m) (fun c => zent (ZU m) o c * zy m P a b c)%Z else zy m P a b o.

Lemma onehot_sum m (A : list (list Z)) P a b h : d_in m = (P + P)%nat -> (a < P)%nat -> (b < P)%nat ->
  rsum (d_in m) (fun i => w m A h i * onehot P a b i) = w m A h a + w m A h (P + b).
Proof.
  intros Hd Ha Hb. unfold onehot.
  transitivity (rsum (d_in m) (fun i => w m A h i * (if Nat.eqb i a then 1 else 0))
                + rsum (d_in m) (fun i => w m A h i * (if Nat.eqb i (P + b) then 1 else 0))).
  { rewrite <- rsum_plus. apply rsum_ext; intros. ring. }
  rewrite !rsum_ind by lia. reflexivity.
Qed.

Lemma eval_onehot m P a b o : d_in m = (P + P)%nat -> (a < P)%nat -> (b < P)%nat ->
  eval m (onehot P a b) o = sc m * IZR (zeval m P a b o).
Proof.
  intros Hd Ha Hb. set (k := / 2 ^ s m).
  assert (Hk : forall z, IZR z / 2 ^ s m = k * IZR z) by (intros; unfold k, Rdiv; ring).
  assert (Y : forall c, y m (onehot P a b) c = k ^ 3 * IZR (zy m P a b c)).
  { intros c. unfold y, zy. rewrite IZR_zsum, <- rsum_scal. apply rsum_ext; intros h _.
    rewrite !onehot_sum by assumption. unfold w, zent. rewrite !Hk, !mult_IZR, !plus_IZR. ring. }
  unfold eval, zeval, sc. fold k. destruct (head m).
  - rewrite IZR_zsum, <- rsum_scal. apply rsum_ext; intros c _. rewrite Y. unfold w, zent.
    rewrite Hk, mult_IZR. ring.
  - rewrite Y. reflexivity.
Qed.

Definition correctZ (m : model) (P a b : nat) : bool :=
  let t := Nat.modulo (a + b) P in
  forallb (fun c => orb (Nat.eqb c t) (Z.ltb (zeval m P a b c) (zeval m P a b t))) (seq 0 P).
Definition countZ (m : model) (P : nat) : nat :=
  length (filter (fun ab => correctZ m P (fst ab) (snd ab)) (list_prod (seq 0 P) (seq 0 P))).
Definition check_bf (m : model) (P N : nat) : bool := Nat.eqb (d_in m) (P + P) && Nat.leb N (countZ m P).

Lemma forallb_ext_in {T} (f g : T -> bool) l : (forall x, In x l -> f x = g x) -> forallb f l = forallb g l.
Proof.
  induction l as [|u l IH]; intros H; simpl; [reflexivity|].
  rewrite H by (left; reflexivity). rewrite IH by (intros; apply H; right; assumption). reflexivity.
Qed.

Theorem check_bf_sound m P N : check_bf m P N = true -> accuracy_at_least m P N.
Proof.
  unfold check_bf, accuracy_at_least. intros Hc. apply andb_prop in Hc as [Hd HN].
  apply Nat.eqb_eq in Hd. apply Nat.leb_le in HN. unfold countZ in HN.
  erewrite filter_ext_in; [exact HN|]. intros [a b] Hin. apply in_prod_iff in Hin as [Ha Hb].
  apply in_seq in Ha, Hb. simpl. unfold correctb, correctZ. apply forallb_ext_in. intros c _.
  f_equal. rewrite !eval_onehot by (assumption || lia). pose proof (sc_pos m) as S.
  destruct (Rlt_dec _ _) as [Hl|Hl]; destruct (Z.ltb_spec (zeval m P a b c) (zeval m P a b ((a + b) mod P))) as [Hz|Hz];
    try reflexivity.
  - exfalso. apply Rmult_lt_reg_l in Hl; [|exact S]. apply lt_IZR in Hl. lia.
  - exfalso. apply Hl. apply Rmult_lt_compat_l; [exact S|]. apply IZR_lt. exact Hz.
Qed.

(** ** distance: |f_A(x)_o - f_B(x)_o| <= (p/q) |x|^2, from the per-output Frobenius norm *)
Definition T2 (d : nat) (f : nat -> nat -> R) : R := rsum d (fun i => rsum d (fun j => f i j)).

Lemma T2_plus d F G : T2 d (fun i j => F i j + G i j) = T2 d F + T2 d G.
Proof. unfold T2. rewrite <- rsum_plus. apply rsum_ext; intros i _. apply rsum_plus. Qed.

Lemma T2_scal d c F : T2 d (fun i j => c * F i j) = c * T2 d F.
Proof. unfold T2. rewrite <- rsum_scal. apply rsum_ext; intros i _. apply rsum_scal. Qed.

Lemma T2_ext d F G : (forall i j, (i < d)%nat -> (j < d)%nat -> F i j = G i j) -> T2 d F = T2 d G.
Proof. intros H. unfold T2. apply rsum_ext; intros i Hi. apply rsum_ext; intros j Hj. auto. Qed.

Lemma T2_nonneg d F : (forall i j, 0 <= F i j) -> 0 <= T2 d F.
Proof. intros H. unfold T2. apply rsum_nonneg; intros. apply rsum_nonneg; intros. auto. Qed.

Lemma T2_zero d F : (forall i j, 0 <= F i j) -> T2 d F = 0 -> forall i j, (i < d)%nat -> (j < d)%nat -> F i j = 0.
Proof.
  intros Hn Hz i j Hi Hj. unfold T2 in Hz.
  assert (N1 : forall i, 0 <= rsum d (fun j => F i j)) by (intros; apply rsum_nonneg; auto).
  pose proof (rsum_nonneg_zero _ _ (fun k _ => N1 k) Hz i Hi) as Z1. simpl in Z1.
  exact (rsum_nonneg_zero _ _ (fun k _ => Hn i k) Z1 j Hj).
Qed.

(** Cauchy-Schwarz for double sums. *)
Lemma T2_cauchy_schwarz d (a b : nat -> nat -> R) :
  T2 d (fun i j => a i j * b i j) * T2 d (fun i j => a i j * b i j)
  <= T2 d (fun i j => a i j * a i j) * T2 d (fun i j => b i j * b i j).
Proof.
  set (A2 := T2 d (fun i j => a i j * a i j)). set (B2 := T2 d (fun i j => b i j * b i j)).
  set (C := T2 d (fun i j => a i j * b i j)).
  assert (HB : 0 <= B2) by (apply T2_nonneg; intros; apply Rle_0_sqr).
  assert (HA : 0 <= A2) by (apply T2_nonneg; intros; apply Rle_0_sqr).
  assert (E : T2 d (fun i j => (B2 * a i j - C * b i j) * (B2 * a i j - C * b i j)) = B2 * (B2 * A2 - C * C)).
  { transitivity (T2 d (fun i j => (B2 * B2) * (a i j * a i j) + ((-2 * B2 * C) * (a i j * b i j) + (C * C) * (b i j * b i j)))).
    { apply T2_ext. intros. ring. }
    rewrite !T2_plus, !T2_scal. fold A2 B2 C. ring. }
  assert (P : 0 <= B2 * (B2 * A2 - C * C)) by (rewrite <- E; apply T2_nonneg; intros; apply Rle_0_sqr).
  destruct HB as [HB|HB].
  - assert (0 <= B2 * A2 - C * C).
    { destruct (Rle_or_lt 0 (B2 * A2 - C * C)) as [?|Hn]; [assumption|]. exfalso.
      assert (B2 * (B2 * A2 - C * C) < 0) by (rewrite <- (Rmult_0_r B2); apply Rmult_lt_compat_l; assumption). lra. }
    nra.
  - assert (Cz : C = 0).
    { unfold C. transitivity (T2 d (fun _ _ => 0)).
      - apply T2_ext. intros i j Hi Hj.
        pose proof (T2_zero d (fun i j => b i j * b i j) (fun i j => Rle_0_sqr _) (eq_sym HB) i j Hi Hj) as Z0.
        simpl in Z0. apply Rmult_integral in Z0. destruct Z0 as [Z0|Z0]; rewrite Z0; ring.
      - unfold T2. transitivity (rsum d (fun _ => 0)); [apply rsum_ext; intros; apply rsum_zero | apply rsum_zero]. }
    rewrite Cz, <- HB. lra.
Qed.

Theorem gram_gen1 d H1 H2 (DA DB : nat -> R) (LA RA LB RB : nat -> nat -> R) :
  rsum d (fun i => rsum d (fun j =>
    rsum H1 (fun h => DA h * (LA h i * RA h j + LA h j * RA h i)) *
    rsum H2 (fun k => DB k * (LB k i * RB k j + LB k j * RB k i))))
  = 2 * rsum H1 (fun h => rsum H2 (fun k => DA h * DB k *
      (rsum d (fun i => LA h i * LB k i) * rsum d (fun j => RA h j * RB k j)
       + rsum d (fun i => LA h i * RB k i) * rsum d (fun j => RA h j * LB k j)))).
Proof.
  pose proof (gram_gen 1 d H1 H2 (fun _ h => DA h) (fun _ k => DB k) LA RA LB RB) as G. simpl in G.
  rewrite !Rplus_0_l in G. exact G.
Qed.

Definition gramZo (A B : model) (o : nat) : Z :=
  zsum (hid A) (fun h => zsum (hid B) (fun k => zDf A o h * zDf B o k * zG A B h k))%Z.

Lemma gram_S'_o A B o : T2 (d_in A) (fun i j => S' A o i j * S' B o i j) = 2 * IZR (gramZo A B o).
Proof.
  unfold T2, S'. rewrite gram_gen1. f_equal. unfold gramZo, zG.
  rewrite IZR_zsum. apply rsum_ext; intros h _.
  rewrite IZR_zsum. apply rsum_ext; intros k _. rewrite !mult_IZR, plus_IZR, !mult_IZR, !IZR_zsum.
  setoid_rewrite mult_IZR. reflexivity.
Qed.

Lemma div_nonneg a b : 0 <= a -> 0 < b -> 0 <= a / b.
Proof. intros. unfold Rdiv. apply Rmult_le_pos; [assumption|]. left. apply Rinv_0_lt_compat. assumption. Qed.

Definition dist_ok (A B : model) (p q : Z) (o : nat) : bool :=
  let ea := (2 ^ Z.of_nat (ee A))%Z in let eb := (2 ^ Z.of_nat (ee B))%Z in
  (q * q * (eb * eb * gramZo A A o - 2 * ea * eb * gramZo A B o + ea * ea * gramZo B B o)
   <=? p * p * (2 * ea * ea * eb * eb))%Z.
Definition check_dist (A B : model) (p q : Z) : bool :=
  Nat.eqb (d_in A) (d_in B) && Nat.eqb (n_out A) (n_out B) && (0 <=? p)%Z && (0 <? q)%Z &&
  forallb (dist_ok A B p q) (seq 0 (n_out A)).

Theorem check_dist_sound A B p q : check_dist A B p q = true -> within A B (IZR p / IZR q).
Proof.
  unfold check_dist. intros Hc.
  apply andb_prop in Hc as [Hc Hall]. apply andb_prop in Hc as [Hc Hq]. apply andb_prop in Hc as [Hc Hp].
  apply andb_prop in Hc as [Hd Ho]. apply Nat.eqb_eq in Hd, Ho. apply Z.leb_le in Hp. apply Z.ltb_lt in Hq.
  apply IZR_le in Hp. apply IZR_lt in Hq.
  split; [split; assumption|]. split; [apply div_nonneg; lra|].
  intros x o Hoo.
  rewrite forallb_forall in Hall. specialize (Hall o ltac:(apply in_seq; lia)).
  unfold dist_ok in Hall. cbv zeta in Hall. apply Z.leb_le, IZR_le in Hall.
  rewrite !mult_IZR, !plus_IZR, !minus_IZR, !mult_IZR in Hall.
  pose proof (sc_ee A) as EA. pose proof (sc_ee B) as EB. pose proof (sc_pos A). pose proof (sc_pos B).
  set (ea := IZR (2 ^ Z.of_nat (ee A))) in *. set (eb := IZR (2 ^ Z.of_nat (ee B))) in *.
  assert (ea0 : 0 < ea) by nra. assert (eb0 : 0 < eb) by nra.
  assert (ScA : sc A = / ea) by (field_simplify_eq; [lra|lra]).
  assert (ScB : sc B = / eb) by (field_simplify_eq; [lra|lra]).
  set (M := fun i j => Bs A o i j - Bs B o i j). set (y := fun i j => x i * x j).
  set (sx := rsum (d_in A) (fun i => x i * x i)).
  assert (Sx : 0 <= sx) by (apply rsum_nonneg; intros; apply Rle_0_sqr).
  assert (Diff : eval A x o - eval B x o = T2 (d_in A) (fun i j => M i j * y i j)).
  { rewrite !eval_quadratic. rewrite <- Hd.
    transitivity (T2 (d_in A) (fun i j => Bs A o i j * x i * x j) + (-1) * T2 (d_in A) (fun i j => Bs B o i j * x i * x j)).
    { unfold T2. ring. }
    rewrite <- T2_scal, <- T2_plus. apply T2_ext. intros. unfold M, y. ring. }
  assert (Y2 : T2 (d_in A) (fun i j => y i j * y i j) = sx * sx).
  { unfold sx. rewrite rsum_mul. apply T2_ext. intros. unfold y. ring. }
  assert (M2 : T2 (d_in A) (fun i j => M i j * M i j)
               = sc A * sc A / 2 * IZR (gramZo A A o) - sc A * sc B * IZR (gramZo A B o)
                 + sc B * sc B / 2 * IZR (gramZo B B o)).
  { transitivity (T2 (d_in A) (fun i j => (sc A * sc A / 4) * (S' A o i j * S' A o i j)
                   + ((- (sc A * sc B / 2)) * (S' A o i j * S' B o i j) + (sc B * sc B / 4) * (S' B o i j * S' B o i j)))).
    { apply T2_ext. intros. unfold M. rewrite !Bs_int. field. }
    rewrite !T2_plus, !T2_scal, !gram_S'_o.
    pose proof (gram_S'_o B B o) as HB. rewrite <- Hd in HB. rewrite HB. field. }
  set (F := T2 (d_in A) (fun i j => M i j * M i j)) in *.
  assert (Fle : F <= IZR p / IZR q * (IZR p / IZR q)).
  { rewrite M2, ScA, ScB.
    apply (Rmult_le_reg_r (2 * ea * ea * eb * eb * (IZR q * IZR q))).
    { apply Rmult_lt_0_compat; [|nra]. repeat apply Rmult_lt_0_compat; lra. }
    replace ((/ ea * / ea / 2 * IZR (gramZo A A o) - / ea * / eb * IZR (gramZo A B o) + / eb * / eb / 2 * IZR (gramZo B B o))
             * (2 * ea * ea * eb * eb * (IZR q * IZR q)))
      with (IZR q * IZR q * (eb * eb * IZR (gramZo A A o) - 2 * ea * eb * IZR (gramZo A B o) + ea * ea * IZR (gramZo B B o)))
      by (field; lra).
    replace (IZR p / IZR q * (IZR p / IZR q) * (2 * ea * ea * eb * eb * (IZR q * IZR q)))
      with (IZR p * IZR p * (2 * ea * ea * eb * eb)) by (field; lra).
    exact Hall. }
  assert (F0 : 0 <= F) by (apply T2_nonneg; intros; apply Rle_0_sqr).
  pose proof (T2_cauchy_schwarz (d_in A) M y) as CS. fold F in CS. rewrite Y2, <- Diff in CS.
  set (D := eval A x o - eval B x o) in *. set (dl := IZR p / IZR q) in *.
  assert (dl0 : 0 <= dl) by (unfold dl; apply div_nonneg; lra).
  assert (Sq : D * D <= (dl * sx) * (dl * sx)).
  { apply (Rle_trans _ (F * (sx * sx))); [exact CS|].
    replace (dl * sx * (dl * sx)) with ((dl * dl) * (sx * sx)) by ring.
    apply Rmult_le_compat_r; [nra|exact Fle]. }
  rewrite <- (Rabs_pos_eq (dl * sx)) by nra. apply Rsqr_le_abs_0. unfold Rsqr. exact Sq.
Qed.
