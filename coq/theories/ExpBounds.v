(** * ExpBounds: enclosures of the attention scale and scores (fixed point) and of [exp]
    (floating dyadics), CHECKING.md §3 (revision 2).

    A fixed-point number [z] stands for [z / 2^P]; a dyadic [(b, e)] for [b * 2^e].  About [exp] we only use
    [exp_ineq1_le : 1 + x <= exp x], [exp_plus] and [exp_pos]. *)
From Coq Require Import ZArith Reals Lia Lra Psatz.
From Pybridge Require Import Dyadic.
Local Open Scope Z_scope.

Definition pow2 (p : nat) : Z := 2 ^ Z.of_nat p.

(** [EXPLO(x)]: [b := 2^P + floor(x / 2^k)], [e := -P]; if [b <= 0] then [(0, 0)]; else [k] times:
    [b := b*b], [e := 2e], and if [bitlen b > P], drop the [r = bitlen b - P] low bits of [b]. *)
Definition exp_step (P : nat) (be : Z * Z) : Z * Z :=
  let '(b, e) := be in
  let b2 := b * b in let r := Z.log2 b2 + 1 - Z.of_nat P in
  if 0 <? r then (Z.shiftr b2 r, 2 * e + r) else (b2, 2 * e).
Definition EXPLO (P k : nat) (x : Z) : Z * Z :=
  let b := pow2 P + Z.shiftr x (Z.of_nat k) in
  if b <=? 0 then (0, 0) else Nat.iter k (exp_step P) (b, - Z.of_nat P).

(** [EXPHI(x) = (ceil(2^(2P) / b), -e - 2P)] where [(b, e) = EXPLO(-x)]. *)
Definition EXPHI (P k : nat) (x : Z) : Z * Z :=
  let '(b, e) := EXPLO P k (- x) in (- ((- pow2 (2 * P)) / b), - e - 2 * Z.of_nat P).

(** Attention scale: [SLO = isqrt(floor(2^(2P)/h))], [SHI = SLO + 1], and the integer check. *)
Definition SLO (P h : nat) : Z := Z.sqrt (pow2 (2 * P) / Z.of_nat h).
Definition SHI (P h : nat) : Z := SLO P h + 1.
Definition scale_ok (P h : nat) : bool :=
  (SLO P h ^ 2 * Z.of_nat h <=? pow2 (2 * P)) && (pow2 (2 * P) <=? SHI P h ^ 2 * Z.of_nat h).

(** Score enclosure for [z = QK] (unit [2^-4s]):
    [lo = floor(z * (z >= 0 ? SLO : SHI) / 2^(4s))], [hi = ceil(z * (z >= 0 ? SHI : SLO) / 2^(4s))]. *)
Definition lo_of (s : nat) (slo shi z : Z) : Z :=
  Z.shiftr (z * (if 0 <=? z then slo else shi)) (Z.of_nat (4 * s)).
Definition hi_of (s : nat) (slo shi z : Z) : Z :=
  - Z.shiftr (- (z * (if 0 <=? z then shi else slo))) (Z.of_nat (4 * s)).

(** ** Proofs *)
Local Open Scope R_scope.

Lemma IZR_pow2 p : IZR (pow2 p) = 2 ^ p.
Proof. unfold pow2. rewrite <- pow_IZR. reflexivity. Qed.

Lemma pow2_pos p : 0 < 2 ^ p.
Proof. apply pow_lt. lra. Qed.

Lemma pow2_Zpos p : (0 < pow2 p)%Z.
Proof. unfold pow2. apply Z.pow_pos_nonneg; lia. Qed.

(** Floor and ceiling of a division by [2^m], seen in the reals. *)
Lemma shiftr_floor a m : IZR (Z.shiftr a (Z.of_nat m)) <= IZR a / 2 ^ m.
Proof.
  rewrite Z.shiftr_div_pow2 by lia. fold (pow2 m).
  pose proof (pow2_Zpos m). pose proof (Z.mul_div_le a (pow2 m) H).
  apply IZR_le in H0. rewrite mult_IZR, IZR_pow2 in H0. pose proof (pow2_pos m).
  apply Rmult_le_reg_l with (2 ^ m); auto. field_simplify; lra.
Qed.

Lemma shiftr_ceil a m : IZR a / 2 ^ m <= IZR (- Z.shiftr (- a) (Z.of_nat m)).
Proof.
  pose proof (shiftr_floor (- a) m). rewrite !opp_IZR in *. unfold Rdiv in *. lra.
Qed.

Lemma div_ceil a b : (0 < b)%Z -> IZR a / IZR b <= IZR (- ((- a) / b)).
Proof.
  intro Hb. pose proof (Z.mul_div_le (- a) b Hb). apply IZR_le in H.
  rewrite mult_IZR, opp_IZR in H. rewrite opp_IZR. apply IZR_lt in Hb.
  apply Rmult_le_reg_l with (IZR b); auto. field_simplify; lra.
Qed.

(** Facts about exp derived from [exp_plus], [exp_pos], [exp_ineq1_le] only. *)
Lemma exp0 : exp 0 = 1.
Proof.
  pose proof (exp_plus 0 0) as H. rewrite Rplus_0_r in H. pose proof (exp_pos 0).
  assert (exp 0 * (exp 0 - 1) = 0) by lra.
  apply Rmult_integral in H1 as [|]; lra.
Qed.

Lemma exp_mono a b : a <= b -> exp a <= exp b.
Proof.
  intro H. replace b with (a + (b - a)) by ring. rewrite exp_plus.
  pose proof (exp_ineq1_le (b - a)). pose proof (exp_pos a). nra.
Qed.

Lemma exp_opp a : exp (- a) = / exp a.
Proof.
  pose proof (exp_plus a (- a)). rewrite Rplus_opp_r, exp0 in H. pose proof (exp_pos a).
  apply Rmult_eq_reg_l with (exp a); [|lra]. rewrite <- H. field. lra.
Qed.

(** Squaring step: if [0 <= b] and [b 2^e <= exp r] then the next pair has a non-negative
    mantissa and value at most [exp(2r)]. *)
Lemma exp_step_le P b e r : (0 <= b)%Z -> dval (b, e) <= exp r ->
  (0 <= fst (exp_step P (b, e)))%Z /\ dval (exp_step P (b, e)) <= exp (r + r).
Proof.
  intros Hb H. assert (Hsq : dval (b * b, 2 * e)%Z <= exp (r + r)).
  { unfold dval in *; cbn [fst snd] in *. rewrite exp_plus, mult_IZR.
    replace (2 * e)%Z with (e + e)%Z by lia. rewrite powerRZ_add by exact two_nz.
    pose proof (powerRZ2_pos e). apply IZR_le in Hb.
    assert (0 <= IZR b * powerRZ 2 e) by (apply Rmult_le_pos; lra).
    replace (IZR b * IZR b * (powerRZ 2 e * powerRZ 2 e))
      with ((IZR b * powerRZ 2 e) * (IZR b * powerRZ 2 e)) by ring.
    apply Rmult_le_compat; auto. }
  unfold exp_step. destruct (Z.ltb_spec 0 (Z.log2 (b * b) + 1 - Z.of_nat P)) as [Hr|Hr].
  - set (r' := (Z.log2 (b * b) + 1 - Z.of_nat P)%Z) in *. split.
    + simpl. apply Z.shiftr_nonneg. nia.
    + eapply Rle_trans; [|exact Hsq]. unfold dval; cbn [fst snd].
      rewrite powerRZ_add by exact two_nz.
      pose proof (shiftr_floor (b * b) (Z.to_nat r')) as F. rewrite Z2Nat.id in F by lia.
      rewrite pow_powerRZ, Z2Nat.id in F by lia. pose proof (powerRZ2_pos r').
      pose proof (powerRZ2_pos (2 * e)).
      replace (IZR (Z.shiftr (b * b) r') * (powerRZ 2 (2 * e) * powerRZ 2 r'))
        with ((IZR (Z.shiftr (b * b) r') * powerRZ 2 r') * powerRZ 2 (2 * e)) by ring.
      apply Rmult_le_compat_r; [lra|].
      apply Rmult_le_reg_r with (/ powerRZ 2 r'); [apply Rinv_0_lt_compat; lra|].
      rewrite Rmult_assoc, Rinv_r, Rmult_1_r by lra. exact F.
  - split; [simpl; nia|exact Hsq].
Qed.

Lemma iter_exp_step P k b e r : (0 <= b)%Z -> dval (b, e) <= exp r ->
  (0 <= fst (Nat.iter k (exp_step P) (b, e)))%Z /\
  dval (Nat.iter k (exp_step P) (b, e)) <= exp (r * 2 ^ k).
Proof.
  intros Hb H. induction k as [|k IH].
  - simpl. split; auto. rewrite Rmult_1_r. exact H.
  - destruct IH as [IH1 IH2]. simpl Nat.iter.
    destruct (Nat.iter k (exp_step P) (b, e)) as [b' e'] eqn:Ei. simpl in IH1.
    destruct (exp_step_le P b' e' _ IH1 IH2) as [A B]. split; [exact A|].
    replace (r * 2 ^ S k) with (r * 2 ^ k + r * 2 ^ k) by (simpl; ring). exact B.
Qed.

Lemma exp_step_nonneg P be : (0 <= fst be)%Z -> (0 <= fst (exp_step P be))%Z.
Proof.
  destruct be as [b e]. intro Hb. cbn [fst] in Hb. unfold exp_step.
  destruct (Z.ltb_spec 0 (Z.log2 (b * b) + 1 - Z.of_nat P)); cbn [fst]; [apply Z.shiftr_nonneg|]; nia.
Qed.

Lemma EXPLO_nonneg P k x : (0 <= fst (EXPLO P k x))%Z.
Proof.
  unfold EXPLO. destruct (Z.leb_spec (pow2 P + Z.shiftr x (Z.of_nat k)) 0); [simpl; lia|].
  set (b := (pow2 P + Z.shiftr x (Z.of_nat k))%Z) in *. clearbody b.
  induction k as [|k IH]; [simpl; lia|]. simpl Nat.iter. apply exp_step_nonneg, IH.
Qed.

(** [EXPLO(x) <= exp(x/2^P)] (as reals). *)
Theorem EXPLO_le P k x : dval (EXPLO P k x) <= exp (IZR x / 2 ^ P).
Proof.
  unfold EXPLO. pose proof (pow2_pos P). pose proof (pow2_pos k).
  destruct (Z.leb_spec (pow2 P + Z.shiftr x (Z.of_nat k)) 0).
  - unfold dval; simpl. rewrite Rmult_0_l. left. apply exp_pos.
  - set (b := (pow2 P + Z.shiftr x (Z.of_nat k))%Z).
    assert (Hb : dval (b, - Z.of_nat P)%Z <= exp (IZR x / 2 ^ P / 2 ^ k)).
    { eapply Rle_trans; [|apply exp_ineq1_le]. unfold dval; simpl.
      rewrite powerRZ_neg', <- pow_powerRZ. fold (IZR b / 2 ^ P). unfold b.
      rewrite plus_IZR, IZR_pow2.
      pose proof (shiftr_floor x k).
      replace ((2 ^ P + IZR (Z.shiftr x (Z.of_nat k))) / 2 ^ P)
        with (1 + IZR (Z.shiftr x (Z.of_nat k)) / 2 ^ P) by (field; lra).
      apply Rplus_le_compat_l.
      replace (IZR x / 2 ^ P / 2 ^ k) with (IZR x / 2 ^ k / 2 ^ P) by (field; lra).
      unfold Rdiv. apply Rmult_le_compat_r; [left; apply Rinv_0_lt_compat; lra|exact H2]. }
    destruct (iter_exp_step P k b _ _ ltac:(lia) Hb) as [_ H2].
    replace (IZR x / 2 ^ P / 2 ^ k * 2 ^ k) with (IZR x / 2 ^ P) in H2 by (field; lra).
    exact H2.
Qed.

Lemma EXPLO_pos P k x : (1 <= P)%nat -> (0 <= x)%Z -> (0 < fst (EXPLO P k x))%Z.
Proof.
  intros HP Hx. unfold EXPLO. pose proof (pow2_Zpos P).
  assert (0 <= Z.shiftr x (Z.of_nat k))%Z by (apply Z.shiftr_nonneg; lia).
  destruct (Z.leb_spec (pow2 P + Z.shiftr x (Z.of_nat k)) 0); [lia|].
  set (b := (pow2 P + Z.shiftr x (Z.of_nat k))%Z).
  assert (Hb : (1 <= b)%Z) by (unfold b; lia). clearbody b. clear - Hb HP.
  generalize (- Z.of_nat P)%Z as e.
  enough (forall e, (1 <= fst (Nat.iter k (exp_step P) (b, e)))%Z) by (intro e; specialize (H e); lia).
  intro e. induction k; simpl; auto.
  destruct (Nat.iter k (exp_step P) (b, e)) as [c f]. simpl in IHk. unfold exp_step.
  destruct (Z.ltb_spec 0 (Z.log2 (c * c) + 1 - Z.of_nat P)); simpl; [|nia].
  rewrite Z.shiftr_div_pow2 by lia. apply Z.div_le_lower_bound; [apply Z.pow_pos_nonneg; lia|].
  rewrite Z.mul_1_r. destruct (Z.log2_spec (c * c) ltac:(nia)) as [H1 _].
  eapply Z.le_trans; [|exact H1]. apply Z.pow_le_mono_r; lia.
Qed.

(** [exp(x/2^P) <= EXPHI(x)] (as reals) for [x <= 0]. *)
Theorem EXPHI_ge P k x : (1 <= P)%nat -> (x <= 0)%Z -> exp (IZR x / 2 ^ P) <= dval (EXPHI P k x).
Proof.
  intros HP Hx. pose proof (EXPLO_pos P k (- x) HP ltac:(lia)) as He.
  pose proof (EXPLO_le P k (- x)) as H. unfold EXPHI.
  destruct (EXPLO P k (- x)) as [b e]. simpl in He.
  pose proof (div_ceil (pow2 (2 * P)) b He) as Hc.
  rewrite IZR_pow2 in Hc. apply IZR_lt in He. pose proof (pow2_pos P).
  rewrite opp_IZR in H. replace (- IZR x / 2 ^ P) with (- (IZR x / 2 ^ P)) in H by (field; lra).
  rewrite exp_opp in H. pose proof (exp_pos (IZR x / 2 ^ P)) as Hex.
  unfold dval in *; cbn [fst snd] in *. pose proof (powerRZ2_pos e) as Hpe.
  set (c := IZR (- (- pow2 (2 * P) / b))) in *.
  assert (Hpow : powerRZ 2 (- e - 2 * Z.of_nat P) = / powerRZ 2 e * / 2 ^ (2 * P)).
  { replace (- e - 2 * Z.of_nat P)%Z with (- e + - Z.of_nat (2 * P))%Z by lia.
    rewrite powerRZ_add by exact two_nz. rewrite !powerRZ_neg', <- pow_powerRZ. reflexivity. }
  rewrite Hpow. pose proof (pow2_pos (2 * P)).
  (* exp(x/2^P) <= 1/(b 2^e) <= (2^(2P)/b) / 2^e / 2^(2P) <= c / 2^e / 2^(2P) *)
  apply Rle_trans with (/ (IZR b * powerRZ 2 e)).
  - apply Rmult_le_reg_l with (IZR b * powerRZ 2 e); [nra|].
    rewrite Rinv_r by nra. apply Rmult_le_reg_r with (/ exp (IZR x / 2 ^ P)); [apply Rinv_0_lt_compat; lra|].
    rewrite Rmult_1_l, Rmult_assoc, Rinv_r, Rmult_1_r by lra. exact H.
  - apply Rle_trans with (2 ^ (2 * P) / IZR b * (/ powerRZ 2 e * / 2 ^ (2 * P))).
    + right. field. repeat split; lra.
    + apply Rmult_le_compat_r; [|exact Hc]. apply Rmult_le_pos; left; apply Rinv_0_lt_compat; lra.
Qed.

(** The scale check implies [SLO/2^P <= 1/sqrt h <= SHI/2^P]. *)
Theorem scale_bounds P h : (0 < h)%nat -> scale_ok P h = true ->
  IZR (SLO P h) / 2 ^ P <= / sqrt (INR h) /\ / sqrt (INR h) <= IZR (SHI P h) / 2 ^ P.
Proof.
  intros Hh Hok. unfold scale_ok in Hok. apply andb_prop in Hok as [H1 H2].
  apply Z.leb_le, IZR_le in H1. apply Z.leb_le, IZR_le in H2.
  unfold SHI in *. rewrite !Z.pow_2_r in *.
  rewrite !mult_IZR, <- INR_IZR_INZ, IZR_pow2 in H1. rewrite !mult_IZR, <- INR_IZR_INZ, IZR_pow2 in H2.
  rewrite plus_IZR in H2. rewrite pow_mult in H1, H2.
  assert (Hs : 0 <= IZR (SLO P h)) by (apply IZR_le, Z.sqrt_nonneg).
  pose proof (lt_0_INR _ Hh) as Hh'. pose proof (sqrt_lt_R0 _ Hh') as Hr.
  pose proof (sqrt_sqrt (INR h) ltac:(lra)) as Hrr. set (r := sqrt (INR h)) in *.
  pose proof (pow2_pos P). set (p := 2 ^ P) in *. set (a := IZR (SLO P h)) in *.
  replace ((2 ^ 2) ^ P) with (p * p) in H1, H2 by (unfold p; rewrite <- Rpow_mult_distr; f_equal; ring).
  rewrite <- Hrr in H1, H2.
  split.
  - apply Rmult_le_reg_l with (p * r); [nra|]. field_simplify; [|lra..].
    destruct (Rle_dec (a * r) p) as [|Hn]; [lra|]. nra.
  - rewrite plus_IZR. fold a. apply Rmult_le_reg_l with (p * r); [nra|]. field_simplify; [|lra..].
    destruct (Rle_dec p (r * (a + 1))) as [|Hn]; [nra|].
    assert (0 < p - r * (a + 1)) by lra. assert (0 < p + r * (a + 1)) by nra.
    assert (0 < (p - r * (a + 1)) * (p + r * (a + 1))) by (apply Rmult_lt_0_compat; lra). nra.
Qed.

(** Score enclosure: if [slo/2^P <= r <= shi/2^P] then [lo/2^P <= z 2^-4s r <= hi/2^P]. *)
Lemma lo_hi_bounds P s slo shi z r : (0 <= slo)%Z ->
  IZR slo / 2 ^ P <= r <= IZR shi / 2 ^ P ->
  IZR (lo_of s slo shi z) / 2 ^ P <= IZR z * / 2 ^ (4 * s) * r /\
  IZR z * / 2 ^ (4 * s) * r <= IZR (hi_of s slo shi z) / 2 ^ P.
Proof.
  intros Hs [Hr1 Hr2]. pose proof (pow2_pos P) as HP. pose proof (pow2_pos (4 * s)) as HU.
  unfold lo_of, hi_of.
  assert (Hd : forall a b, a <= b -> a / 2 ^ P <= b / 2 ^ P).
  { intros a b Hab. unfold Rdiv. apply Rmult_le_compat_r; [left; apply Rinv_0_lt_compat|]; lra. }
  apply IZR_le in Hs.
  assert (Hsh : 0 <= IZR shi) by (assert (0 <= IZR slo / 2 ^ P) by (unfold Rdiv; apply Rmult_le_pos; [lra|left; apply Rinv_0_lt_compat; lra]);
    assert (0 <= IZR shi / 2 ^ P) by lra;
    apply Rmult_le_reg_r with (/ 2 ^ P); [apply Rinv_0_lt_compat; lra|]; rewrite Rmult_0_l; exact H0).
  set (U := / 2 ^ (4 * s)). assert (0 < U) by (apply Rinv_0_lt_compat; lra).
  destruct (Z.leb_spec 0 z) as [Hz|Hz]; apply IZR_le in Hz || apply IZR_lt in Hz.
  - pose proof (shiftr_floor (z * slo) (4 * s)) as F. pose proof (shiftr_ceil (z * shi) (4 * s)) as G.
    rewrite mult_IZR in F, G. split.
    + eapply Rle_trans; [apply Hd, F|]. unfold Rdiv. fold U.
      replace (IZR z * IZR slo * U * / 2 ^ P) with (IZR z * U * (IZR slo / 2 ^ P)) by (unfold Rdiv; ring).
      apply Rmult_le_compat_l; [nra|lra].
    + eapply Rle_trans; [|apply Hd, G]. unfold Rdiv. fold U.
      replace (IZR z * IZR shi * U * / 2 ^ P) with (IZR z * U * (IZR shi / 2 ^ P)) by (unfold Rdiv; ring).
      apply Rmult_le_compat_l; [nra|lra].
  - pose proof (shiftr_floor (z * shi) (4 * s)) as F. pose proof (shiftr_ceil (z * slo) (4 * s)) as G.
    rewrite mult_IZR in F, G. split.
    + eapply Rle_trans; [apply Hd, F|]. unfold Rdiv. fold U.
      replace (IZR z * IZR shi * U * / 2 ^ P) with (IZR z * U * (IZR shi / 2 ^ P)) by (unfold Rdiv; ring).
      assert (IZR z * U <= 0) by nra. nra.
    + eapply Rle_trans; [|apply Hd, G]. unfold Rdiv. fold U.
      replace (IZR z * IZR slo * U * / 2 ^ P) with (IZR z * U * (IZR slo / 2 ^ P)) by (unfold Rdiv; ring).
      assert (IZR z * U <= 0) by nra. nra.
Qed.

(** Attention weight enclosure (CHECKING.md §3): with [w = exp(s_i - C/2^P)],
    [EXPLO(lo - C) <= w <= EXPHI(hi - C)] (as reals), provided [hi <= C]. *)
Theorem weight_bounds P k s h z C :
  (1 <= P)%nat -> (0 < h)%nat -> scale_ok P h = true -> (hi_of s (SLO P h) (SHI P h) z <= C)%Z ->
  let w := exp (IZR z * / 2 ^ (4 * s) / sqrt (INR h) - IZR C / 2 ^ P) in
  dval (EXPLO P k (lo_of s (SLO P h) (SHI P h) z - C)) <= w /\
  w <= dval (EXPHI P k (hi_of s (SLO P h) (SHI P h) z - C)).
Proof.
  intros HP Hh Hok HC w. pose proof (scale_bounds P h Hh Hok) as Hsc.
  destruct (lo_hi_bounds P s _ _ z _ (Z.sqrt_nonneg _) Hsc) as [L H]. fold (SLO P h) in L, H.
  pose proof (pow2_pos P). unfold w.
  set (a := IZR z * / 2 ^ (4 * s) * / sqrt (INR h)) in *.
  replace (IZR z * / 2 ^ (4 * s) / sqrt (INR h)) with a by reflexivity. split.
  - pose proof (EXPLO_le P k (lo_of s (SLO P h) (SHI P h) z - C)) as E.
    rewrite minus_IZR in E. eapply Rle_trans; [exact E|].
    apply exp_mono. unfold Rdiv in *. rewrite Rmult_minus_distr_r. lra.
  - pose proof (EXPHI_ge P k (hi_of s (SLO P h) (SHI P h) z - C) HP ltac:(lia)) as E.
    rewrite minus_IZR in E. eapply Rle_trans; [|exact E].
    apply exp_mono. unfold Rdiv in *. rewrite Rmult_minus_distr_r. lra.
Qed.
