(** * Cubic: the block strategy of CHECKING.md §6.

    A block [(q, m, N, K)] (integers; [N], [K] bitmasks) stands for the inputs with query [q],
    tokens from [K] at the non-query positions in [N], and [m] at the other non-query positions.
    [check_cubic] checks the global conditions, that every block is well formed, that the keys
    [(q, m, N)] are strictly increasing (hence distinct: the exporter sorts the blocks), and that
    [N <= sum over passing blocks of |K|^|N|].  The witness list of the soundness theorem is the
    concatenation of the passing blocks' input lists, whose length is exactly that count. *)
From Coq Require Import ZArith Reals List Lia Lra Bool.
From Pybridge Require Import Spec ListUtil Tables Dyadic ExpBounds Checker.
Import ListNotations.

Definition block : Type := (Z * Z * Z * Z)%type.

(** The tokens [j <> m] below [V]. *)
Definition others (V m : nat) : list nat := filter (fun j => negb (Nat.eqb j m)) (seq 0 V).

(** [dE[q][m] = min_{j <> m} (EU[q][m] - EU[q][j]) = EU[q][m] - max_{j <> m} EU[q][j]]. *)
Definition tab_dE (V : nat) (EU : list (list Z)) : list (list Z) :=
  tabulate V (fun q => let row := nth q EU [] in
    tabulate V (fun m => nth m row 0%Z - zmax_list (map (fun j => nth j row 0%Z) (others V m)))%Z).

(** [dO[m][tok][i] = min_{j <> m} (OV[tok][i][m] - OV[tok][i][j])
                   = OV[tok][i][m] - max_{j <> m} OV[tok][i][j]]. *)
Definition tab_dO (V n : nat) (OV : list (list (list Z))) : list (list (list Z)) :=
  tabulate V (fun m => tabulate V (fun tok => let r := nth tok OV [] in
    tabulate n (fun i => let ov := nth i r [] in
      nth m ov 0%Z - zmax_list (map (fun j => nth j ov 0%Z) (others V m)))%Z)).

Definition Klist (m : nat) (km : Z) : list nat :=
  filter (fun tok => Z.testbit km (Z.of_nat tok)) (seq 0 m).
Definition inN (nm : Z) (i : nat) : bool := Z.testbit nm (Z.of_nat i).

(** The input set of a block, as a product of per-position lists. *)
Definition block_lists (n : nat) (b : block) : list (list nat) :=
  let '(q, m, nm, km) := b in
  map (fun i => if inN nm i then Klist (Z.to_nat m) km else [Z.to_nat m]) (seq 0 (n - 1))
  ++ [[Z.to_nat q]].
Definition block_inputs (n : nat) (b : block) : list (list nat) := prod_list (block_lists n b).
(** [|K|^|N|], computed as the product of the lengths of the per-position lists. *)
Definition block_count (n : nat) (b : block) : Z :=
  fold_right Z.mul 1%Z (map (fun L => Z.of_nat (length L)) (block_lists n b)).

(** The term [T_i] of the block check (revision 3: at a position in [N], the minimum over [K] of
    the per-token product bound). *)
Definition block_term (n : nat) (T : tables) (dEt : list (list Z)) (dOt : list (list (list Z)))
    (b : block) (i : nat) : dyadic :=
  let '(qz, mz, nm, km) := b in
  let q := Z.to_nat qz in let m := Z.to_nat mz in
  let e := get2 dEt q m in
  let term tok := lbD (e + get3 dOt m tok i) (getd3 (tWLO T) q tok i) (getd3 (tWHI T) q tok i) in
  if Nat.eqb i (n - 1) then term q
  else if inN nm i then dmin_list (map term (Klist m km))
  else term m.

Definition block_pass n T dEt dOt (b : block) : bool := dpos (dsum n (block_term n T dEt dOt b)).

(** Well-formedness: [0 <= q <= m < V], [N] a subset of [{0..n-2}] (not all of it if [q < m]),
    [K] a subset of [{0..m-1}]. *)
Definition block_ok (V n : nat) (b : block) : bool :=
  let '(q, m, nm, km) := b in
  let full := (2 ^ Z.of_nat (n - 1) - 1)%Z in
  (0 <=? q)%Z && (q <=? m)%Z && (m <? Z.of_nat V)%Z && (0 <=? nm)%Z && (nm <=? full)%Z &&
  negb ((q <? m)%Z && (nm =? full)%Z) && (0 <=? km)%Z && (km <? 2 ^ m)%Z.

Definition key (b : block) : Z * Z * Z := let '(q, m, nm, _) := b in (q, m, nm).
Definition key_ltb (a b : Z * Z * Z) : bool :=
  let '(a1, a2, a3) := a in let '(b1, b2, b3) := b in
  (a1 <? b1)%Z || ((a1 =? b1)%Z && ((a2 <? b2)%Z || ((a2 =? b2)%Z && (a3 <? b3)%Z))).
Fixpoint sorted_keys (l : list block) : bool :=
  match l with
  | b1 :: ((b2 :: _) as r) => key_ltb (key b1) (key b2) && sorted_keys r
  | _ => true
  end.

Definition check_cubic (M : model) (P k : nat) (blocks : list block) (N : Z) : bool :=
  basic_ok M P k && forallb (block_ok (V M) (n M)) blocks && sorted_keys blocks &&
  (let T := compute_tables M P k in
   let dEt := tab_dE (V M) (tEU T) in
   let dOt := tab_dO (V M) (n M) (tOV T) in
   N <=? fold_right Z.add 0
           (map (fun b => if block_pass (n M) T dEt dOt b then block_count (n M) b else 0) blocks))%Z.

(** ** Soundness *)

Lemma Forall2_nth_In {A} (t : list A) Ls d : Forall2 (@In A) t Ls ->
  forall i, (i < length Ls)%nat -> In (nth i t d) (nth i Ls []).
Proof.
  induction 1 as [|a L t Ls Ha _ IH]; intros i Hi; simpl in *; [lia|].
  destruct i; auto. apply IH. lia.
Qed.

Lemma Forall2_length' {A B} (R : A -> B -> Prop) l1 l2 : Forall2 R l1 l2 -> length l1 = length l2.
Proof. induction 1; simpl; auto. Qed.

Lemma In_Klist m km tok : In tok (Klist m km) <-> (tok < m)%nat /\ Z.testbit km (Z.of_nat tok) = true.
Proof. unfold Klist. rewrite filter_In, in_seq. split; intros [? ?]; split; auto; lia. Qed.

Lemma testbit_high a w i : (0 <= a <= 2 ^ w - 1)%Z -> (0 <= w)%Z -> (w <= i)%Z -> Z.testbit a i = false.
Proof.
  intros Ha Hw Hi. rewrite <- (Z.mod_small a (2 ^ w)) by lia. apply Z.mod_pow2_bits_high. lia.
Qed.

(** Two masks below [2^w] that agree on the bits below [w] are equal. *)
Lemma mask_eq a b (w : nat) : (0 <= a <= 2 ^ Z.of_nat w - 1)%Z -> (0 <= b <= 2 ^ Z.of_nat w - 1)%Z ->
  (forall i, (i < w)%nat -> Z.testbit a (Z.of_nat i) = Z.testbit b (Z.of_nat i)) -> a = b.
Proof.
  intros Ha Hb H. apply Z.bits_inj'. intros i Hi.
  destruct (Z.lt_ge_cases i (Z.of_nat w)).
  - rewrite <- (Z2Nat.id i) by lia. apply H. lia.
  - rewrite !(testbit_high _ (Z.of_nat w)) by lia. reflexivity.
Qed.

(** The mask with all bits below [w] set is [2^w - 1]. *)
Lemma mask_full a (w : nat) : (0 <= a <= 2 ^ Z.of_nat w - 1)%Z ->
  (forall i, (i < w)%nat -> Z.testbit a (Z.of_nat i) = true) -> a = (2 ^ Z.of_nat w - 1)%Z.
Proof.
  intros Ha H. assert (0 < 2 ^ Z.of_nat w)%Z by (apply Z.pow_pos_nonneg; lia).
  apply mask_eq with w; [lia|lia|]. intros i Hi. rewrite H by auto.
  replace (2 ^ Z.of_nat w - 1)%Z with (Z.ones (Z.of_nat w)) by (rewrite Z.ones_equiv; lia).
  rewrite Z.testbit_ones_nonneg by lia. symmetry. apply Z.ltb_lt. lia.
Qed.

Section Block.
Variables (V n : nat) (q m nm km : Z).
Hypothesis Hn : (1 <= n)%nat.
Hypothesis Hok : block_ok V n (q, m, nm, km) = true.
Variable t : list nat.
Hypothesis Ht : In t (block_inputs n (q, m, nm, km)).

Lemma block_ok_spec : (0 <= q <= m)%Z /\ (m < Z.of_nat V)%Z /\ (0 <= nm <= 2 ^ Z.of_nat (n - 1) - 1)%Z /\
  ((q < m)%Z -> nm <> (2 ^ Z.of_nat (n - 1) - 1)%Z) /\ (0 <= km)%Z.
Proof.
  unfold block_ok in Hok. repeat (apply andb_prop in Hok as [Hok ?]).
  repeat match goal with H : _ = true |- _ => first [apply Z.leb_le in H | apply Z.ltb_lt in H] end.
  match goal with H : negb _ = true |- _ => apply negb_true_iff in H; rename H into Hng end.
  repeat split; try lia.
  intros Hlt E. rewrite E, Z.eqb_refl, andb_true_r in Hng. apply Z.ltb_ge in Hng. lia.
Qed.

Lemma block_lists_length : length (block_lists n (q, m, nm, km)) = n.
Proof. simpl. rewrite app_length, map_length, seq_length. simpl. lia. Qed.

Lemma block_mem :
  length t = n /\ nth (n - 1) t 0%nat = Z.to_nat q /\
  (forall i, (i < n - 1)%nat -> (inN nm i = true -> In (nth i t 0%nat) (Klist (Z.to_nat m) km)) /\
                              (inN nm i = false -> nth i t 0%nat = Z.to_nat m)).
Proof.
  unfold block_inputs in Ht. apply In_prod_list in Ht as HF.
  pose proof (Forall2_length' _ _ _ HF) as Hlen. rewrite block_lists_length in Hlen.
  pose proof (Forall2_nth_In _ _ 0%nat HF) as Hnth. rewrite block_lists_length in Hnth.
  split; [|split].
  - exact Hlen.
  - specialize (Hnth (n - 1)%nat ltac:(lia)). simpl in Hnth.
    rewrite app_nth2 in Hnth by (rewrite map_length, seq_length; lia).
    rewrite map_length, seq_length, Nat.sub_diag in Hnth. simpl in Hnth. destruct Hnth as [<-|[]]; auto.
  - intros i Hi. specialize (Hnth i ltac:(lia)). simpl in Hnth.
    rewrite app_nth1 in Hnth by (rewrite map_length, seq_length; lia).
    rewrite (nth_map_seq (fun i => if inN nm i then Klist (Z.to_nat m) km else [Z.to_nat m])) in Hnth
      by lia.
    split; intro E; rewrite E in Hnth; auto. destruct Hnth as [<-|[]]; auto.
Qed.

Lemma block_tokens : forall a, In a t -> (a <= Z.to_nat m)%nat.
Proof.
  destruct block_ok_spec as (Hq & Hm & _). destruct block_mem as (Hlen & Hlast & Hpos).
  intros a Ha. apply (In_nth _ _ 0%nat) in Ha as (i & Hi & <-).
  destruct (Nat.eq_dec i (n - 1)) as [->|]; [rewrite Hlast; lia|].
  destruct (Hpos i ltac:(lia)) as [H1 H2]. destruct (inN nm i).
  - specialize (H1 eq_refl). apply In_Klist in H1. lia.
  - rewrite H2; auto.
Qed.

Lemma block_max : list_max t = Z.to_nat m.
Proof.
  destruct block_ok_spec as (Hq & Hm & Hnm & Hfull & _). destruct block_mem as (Hlen & Hlast & Hpos).
  apply Nat.le_antisymm.
  - apply list_max_le, Forall_forall. apply block_tokens.
  - apply list_max_ge.
    destruct (Z.eq_dec q m) as [E|Hne].
    + rewrite <- E, <- Hlast. apply nth_In. lia.
    + assert (Hlt : (q < m)%Z) by lia. specialize (Hfull Hlt).
      destruct (existsb (fun i => negb (inN nm i)) (seq 0 (n - 1))) eqn:Ex.
      * apply existsb_exists in Ex as (i & Hi & Hb). apply in_seq in Hi. apply negb_true_iff in Hb.
        destruct (Hpos i ltac:(lia)) as [_ H2]. rewrite <- (H2 Hb). apply nth_In. lia.
      * exfalso. apply Hfull, mask_full; [lia|]. intros i Hi.
        destruct (inN nm i) eqn:Eb; [exact Eb|].
        assert (existsb (fun i => negb (inN nm i)) (seq 0 (n - 1)) = true)
          by (apply existsb_exists; exists i; rewrite in_seq, Eb; split; [lia|reflexivity]).
        congruence.
Qed.

Lemma block_tokens_lt : forall a, In a t -> (a < V)%nat.
Proof.
  destruct block_ok_spec as (Hq & Hm & _). intros a Ha. apply block_tokens in Ha. lia.
Qed.

Lemma block_inN : forall i, (i < n - 1)%nat -> inN nm i = negb (Nat.eqb (nth i t 0%nat) (Z.to_nat m)).
Proof.
  destruct block_mem as (_ & _ & Hpos). intros i Hi. destruct (Hpos i Hi) as [H1 H2].
  destruct (inN nm i) eqn:E.
  - specialize (H1 eq_refl). apply In_Klist in H1. symmetry. apply negb_true_iff, Nat.eqb_neq. lia.
  - rewrite H2 by reflexivity. rewrite Nat.eqb_refl. reflexivity.
Qed.
End Block.

(** Blocks sharing an input have the same key [(q, m, N)]. *)
Lemma block_key_eq V n b1 b2 t : (1 <= n)%nat -> block_ok V n b1 = true -> block_ok V n b2 = true ->
  In t (block_inputs n b1) -> In t (block_inputs n b2) -> key b1 = key b2.
Proof.
  destruct b1 as [[[q1 m1] nm1] km1], b2 as [[[q2 m2] nm2] km2]. intros Hn H1 H2 T1 T2.
  destruct (block_ok_spec V n q1 m1 nm1 km1 Hn H1) as (Hq1 & _ & Hnm1 & _).
  destruct (block_ok_spec V n q2 m2 nm2 km2 Hn H2) as (Hq2 & _ & Hnm2 & _).
  destruct (block_mem n q1 m1 nm1 km1 Hn t T1) as (_ & L1 & _).
  destruct (block_mem n q2 m2 nm2 km2 Hn t T2) as (_ & L2 & _).
  pose proof (block_max V n q1 m1 nm1 km1 Hn H1 t T1) as M1.
  pose proof (block_max V n q2 m2 nm2 km2 Hn H2 t T2) as M2.
  assert (q1 = q2) by (apply Z2Nat.inj; lia). assert (m1 = m2) by (apply Z2Nat.inj; lia). subst q2 m2.
  simpl. f_equal. apply mask_eq with (n - 1)%nat; [lia|lia|]. intros i Hi.
  change (inN nm1 i = inN nm2 i).
  rewrite (block_inN n q1 m1 nm1 km1 Hn t T1 i Hi), (block_inN n q1 m1 nm2 km2 Hn t T2 i Hi).
  reflexivity.
Qed.

(** ** Strictly increasing keys are distinct *)
Definition lex_lt (a b : Z * Z * Z) : Prop :=
  let '(a1, a2, a3) := a in let '(b1, b2, b3) := b in
  (a1 < b1 \/ (a1 = b1 /\ (a2 < b2 \/ (a2 = b2 /\ a3 < b3))))%Z.

Lemma key_ltb_lt a b : key_ltb a b = true -> lex_lt a b.
Proof.
  destruct a as [[a1 a2] a3], b as [[b1 b2] b3]. unfold key_ltb, lex_lt.
  repeat rewrite ?orb_true_iff, ?andb_true_iff, ?Z.ltb_lt, ?Z.eqb_eq. tauto.
Qed.

Lemma lex_trans a b c : lex_lt a b -> lex_lt b c -> lex_lt a c.
Proof. destruct a as [[a1 a2] a3], b as [[b1 b2] b3], c as [[c1 c2] c3]. simpl. lia. Qed.

Lemma lex_irrefl a : ~ lex_lt a a.
Proof. destruct a as [[a1 a2] a3]. simpl. lia. Qed.

Lemma sorted_head b l : sorted_keys (b :: l) = true -> forall b', In b' l -> lex_lt (key b) (key b').
Proof.
  revert b; induction l as [|c l IH]; intros b H b' Hb'; [destruct Hb'|].
  simpl in H. apply andb_prop in H as [Hbc Hl]. apply key_ltb_lt in Hbc.
  destruct Hb' as [<-|Hb']; auto. eapply lex_trans; [exact Hbc|]. apply IH; auto.
Qed.

Lemma sorted_NoDup l : sorted_keys l = true -> NoDup (map key l).
Proof.
  induction l as [|b l IH]; intros H; simpl; constructor.
  - intro Hin. apply in_map_iff in Hin as (b' & E & Hb'). apply (lex_irrefl (key b)).
    rewrite <- E at 2. apply (sorted_head b l H b' Hb').
  - apply IH. destruct l; auto. simpl in H. apply andb_prop in H as [_ H]. exact H.
Qed.

(** ** Every input of a passing block is correct *)
Local Open Scope R_scope.
Lemma lb_mono (v D : Z) (L U : dyadic) (w : R) : (0 <= fst L)%Z -> dval L <= w <= dval U ->
  (v <= D)%Z -> dval (lbD v L U) <= IZR D * w.
Proof.
  intros HL Hw HvD. pose proof (lbD_le v L U w HL Hw). pose proof (dval_nonneg L HL).
  apply IZR_le in HvD. assert (0 <= w) by lra. nra.
Qed.

Section Correct.
Variables (M : model) (P k : nat).
Hypothesis Hbasic : basic_ok M P k = true.
Let T := compute_tables M P k.
Let dEt := tab_dE (V M) (tEU T).
Let dOt := tab_dO (V M) (n M) (tOV T).

Lemma dE_le q m j : (q < V M)%nat -> (m < V M)%nat -> (j < V M)%nat -> j <> m ->
  (get2 dEt q m <= get2 (tEU T) q m - get2 (tEU T) q j)%Z.
Proof.
  intros Hq Hm Hj Hjm. unfold dEt, tab_dE, get2 at 1. rewrite !nth_tabulate by auto.
  enough (nth j (nth q (tEU T) []) 0 <= zmax_list (map (fun j => nth j (nth q (tEU T) []) 0) (others (V M) m)))%Z
    by (unfold get2; lia).
  apply zmax_list_ge, in_map_iff. exists j. split; [reflexivity|].
  unfold others. apply filter_In. split; [apply in_seq; lia|]. apply negb_true_iff, Nat.eqb_neq; auto.
Qed.

Lemma dO_le m tok i j : (m < V M)%nat -> (tok < V M)%nat -> (i < n M)%nat -> (j < V M)%nat -> j <> m ->
  (get3 dOt m tok i <= get3 (tOV T) tok i m - get3 (tOV T) tok i j)%Z.
Proof.
  intros Hm Htok Hi Hj Hjm. unfold dOt, tab_dO, get3 at 1. rewrite !nth_tabulate by auto.
  set (ov := nth i (nth tok (tOV T) []) []).
  enough (nth j ov 0 <= zmax_list (map (fun j => nth j ov 0) (others (V M) m)))%Z
    by (unfold get3; fold ov; lia).
  apply zmax_list_ge, in_map_iff. exists j. split; [reflexivity|].
  unfold others. apply filter_In. split; [apply in_seq; lia|]. apply negb_true_iff, Nat.eqb_neq; auto.
Qed.

Theorem block_correct b t : block_ok (V M) (n M) b = true -> block_pass (n M) T dEt dOt b = true ->
  In t (block_inputs (n M) b) -> correct M t.
Proof.
  destruct b as [[[qz mz] nm] km]. intros Hok Hpass Ht.
  destruct (basic_ok_spec _ _ _ Hbasic) as (Hn & Hh & Hsc).
  destruct (block_ok_spec _ _ _ _ _ _ Hn Hok) as (Hq & HmV & _).
  destruct (block_mem _ _ _ _ _ Hn t Ht) as (Hlen & Hlast & Hpos).
  pose proof (block_max _ _ _ _ _ _ Hn Hok t Ht) as Hmax.
  pose proof (block_tokens_lt _ _ _ _ _ _ Hn Hok t Ht) as Htok.
  assert (Hv : valid M t) by (split; auto).
  set (q := Z.to_nat qz) in *. set (m := Z.to_nat mz) in *.
  assert (HqV : (q < V M)%nat) by lia. assert (HmV' : (m < V M)%nat) by lia.
  apply (key_correct M P k t Hbasic Hv). fold T. rewrite Hlast, Hmax. intros j Hj Hjm.
  exists (fun i => dval (block_term (n M) T dEt dOt (qz, mz, nm, km) i)). split.
  { rewrite <- dval_dsum. apply dpos_spec, Hpass. }
  intros i Hi w Hw.
  assert (Hti : (nth i t 0 < V M)%nat) by (apply Htok, nth_In; lia).
  assert (HW0 : forall tok, (tok < V M)%nat -> (0 <= fst (getd3 (tWLO T) q tok i))%Z)
    by (intros; apply WLO_nonneg; auto).
  pose proof (dE_le q m j HqV HmV' Hj Hjm) as HdE.
  (* the bound for the token actually at position i *)
  assert (Hterm : forall tok, tok = nth i t 0%nat ->
    dval (lbD (get2 dEt q m + get3 dOt m tok i) (getd3 (tWLO T) q tok i) (getd3 (tWHI T) q tok i))
      <= IZR (Dz T q tok i m j) * w).
  { intros tok ->. apply lb_mono; auto. unfold Dz.
    pose proof (dO_le m (nth i t 0%nat) i j HmV' Hti Hi Hj Hjm). lia. }
  unfold block_term. fold q m.
  destruct (Nat.eqb_spec i (n M - 1)) as [Ei|Ei].
  - assert (Et : nth i t 0%nat = q) by (rewrite Ei; exact Hlast). rewrite Et in Hterm |- *.
    apply Hterm; auto.
  - destruct (Hpos i ltac:(lia)) as [HN HnotN]. destruct (inN nm i) eqn:Eb.
    + specialize (HN eq_refl). eapply Rle_trans; [|apply Hterm; reflexivity].
      apply dmin_list_le, in_map_iff. eexists; split; [reflexivity|exact HN].
    + specialize (HnotN eq_refl). rewrite HnotN in Hterm |- *. apply Hterm; auto.
Qed.
End Correct.

Lemma length_flat_map {A B} (f : A -> list B) l :
  Z.of_nat (length (flat_map f l)) = fold_right Z.add 0%Z (map (fun a => Z.of_nat (length (f a))) l).
Proof. induction l as [|a l IH]; simpl; auto. rewrite app_length, Nat2Z.inj_add, IH. reflexivity. Qed.

(** The soundness theorem of the cubic strategy. *)
Theorem check_cubic_sound M P k blocks N : check_cubic M P k blocks N = true -> accuracy_at_least M N.
Proof.
  unfold check_cubic. intro H. apply andb_prop in H as [H HN]. apply andb_prop in H as [H Hsorted].
  apply andb_prop in H as [Hbasic Hoks]. apply Z.leb_le in HN.
  rewrite forallb_forall in Hoks.
  destruct (basic_ok_spec _ _ _ Hbasic) as (Hn & _).
  set (T := compute_tables M P k) in *.
  set (dEt := tab_dE (V M) (tEU T)) in *. set (dOt := tab_dO (V M) (n M) (tOV T)) in *.
  set (f := fun b => if block_pass (n M) T dEt dOt b then block_inputs (n M) b else []).
  exists (flat_map f blocks). split; [|split].
  - apply NoDup_flat_map_keys with key.
    + apply sorted_NoDup; auto.
    + intros b _. unfold f. destruct (block_pass _ _ _ _ b); [|constructor].
      apply NoDup_prod_list. destruct b as [[[q m] nm] km]. simpl.
      apply Forall_app. split; [|repeat constructor; simpl; tauto].
      apply Forall_forall. intros L HL. apply in_map_iff in HL as (i & <- & _).
      destruct (inN nm i); [apply NoDup_filter, seq_NoDup|repeat constructor; simpl; tauto].
    + intros b1 b2 t Hb1 Hb2 T1 T2. unfold f in T1, T2.
      destruct (block_pass _ _ _ _ b1); [|destruct T1]. destruct (block_pass _ _ _ _ b2); [|destruct T2].
      apply (block_key_eq (V M) (n M) b1 b2 t); auto.
  - intros t Ht. apply in_flat_map in Ht as (b & Hb & Ht). unfold f in Ht.
    destruct (block_pass _ _ _ _ b) eqn:Hp; [|destruct Ht].
    destruct b as [[[q m] nm] km]. specialize (Hoks _ Hb). split.
    + destruct (block_mem _ _ _ _ _ Hn t Ht) as (Hlen & _).
      split; auto. apply (block_tokens_lt _ _ _ _ _ _ Hn Hoks t Ht).
    + apply (block_correct M P k Hbasic (q, m, nm, km) t Hoks Hp Ht).
  - rewrite length_flat_map. eapply Z.le_trans; [exact HN|]. apply Z.eq_le_incl. f_equal.
    apply map_ext. intro b. unfold f. destruct (block_pass _ _ _ _ b); [|reflexivity].
    unfold block_inputs, block_count. rewrite length_prod_list. reflexivity.
Qed.
