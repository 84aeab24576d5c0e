(** * CubicCount: the count-block strategy of CHECKING.md §6b.

    A block [(q, m, c, K)] (integers; [K] a bitmask) stands for the inputs with query [q], max [m],
    and exactly [c] of the [n-1] non-query positions holding tokens of [K] (the others [m]).
    With [b_i] the bound for the max token at position [i], [a_i] the minimum over [K] of the bound
    for a non-max token there and [T_q] the query term, the block passes iff
    [T_q + sum_i b_i + (sum of the c smallest a_i - b_i) > 0].  The sum of the [c] smallest
    differences is computed as the minimum over all [c]-subsets by the dynamic programme
    [S(c, x :: l) = min (S(c, l), x + S(c-1, l))] (same value as sorting, see [dp_le]); the count
    [C(n-1, c) |K|^c] by the recurrence [L(p+1, c) = L(p, c) + |K| L(p, c-1)], which is also the
    length of the witness list ([length_cnt_lists]).  Blocks must be in strictly increasing
    [(q, m, c)] order ([sorted_keys] of [Cubic]); the exporter sorts them. *)
From Coq Require Import ZArith Reals List Lia Lra Bool.
From Pybridge Require Import Spec ListUtil Tables Dyadic ExpBounds Checker Cubic.
Import ListNotations.

(** ** The witness lists and their length *)

(** Lists of length [p] with exactly [c] entries from [K] and [m] elsewhere. *)
Fixpoint cnt_lists (m : nat) (K : list nat) (p c : nat) : list (list nat) :=
  match p with
  | O => match c with O => [[]] | S _ => [] end
  | S p' => map (cons m) (cnt_lists m K p' c) ++
            match c with
            | O => []
            | S c' => flat_map (fun k => map (cons k) (cnt_lists m K p' c')) K
            end
  end.

(** [addshift kk prev v] at [c] is [v[c] + kk * v[c-1]] (with [v[-1] = prev]). *)
Fixpoint addshift (kk prev : Z) (v : list Z) : list Z :=
  match v with
  | [] => [(kk * prev)%Z]
  | a :: r => (a + kk * prev)%Z :: addshift kk a r
  end.
(** [nth c (cvec kk p)] is [C(p, c) kk^c]. *)
Fixpoint cvec (kk : Z) (p : nat) : list Z :=
  match p with O => [1%Z] | S p' => addshift kk 0 (cvec kk p') end.

Lemma nth_addshift kk v : forall prev c,
  nth c (addshift kk prev v) 0%Z =
  (nth c v 0 + kk * match c with O => prev | S c' => nth c' v 0 end)%Z.
Proof.
  induction v as [|a r IH]; intros prev [|c]; simpl.
  - lia.
  - destruct c; simpl; lia.
  - reflexivity.
  - rewrite IH. destruct c; reflexivity.
Qed.

Lemma length_map_cons_flat {A} (K : list A) (L : list (list A)) :
  length (flat_map (fun k => map (cons k) L) K) = (length K * length L)%nat.
Proof.
  induction K as [|k K IH]; simpl; auto. rewrite app_length, map_length, IH. reflexivity.
Qed.

Lemma length_cnt_lists m K p : forall c,
  Z.of_nat (length (cnt_lists m K p c)) = nth c (cvec (Z.of_nat (length K)) p) 0%Z.
Proof.
  induction p as [|p IH]; intros c.
  - destruct c as [|[|c]]; reflexivity.
  - simpl. rewrite nth_addshift, app_length, map_length, Nat2Z.inj_add, IH.
    destruct c as [|c]; simpl; [lia|].
    rewrite length_map_cons_flat, Nat2Z.inj_mul, IH. ring.
Qed.

Fixpoint ntrue (l : list bool) : nat :=
  match l with [] => O | b :: r => if b then S (ntrue r) else ntrue r end.

Lemma ntrue_le l : (ntrue l <= length l)%nat.
Proof. induction l as [|b l IH]; [|destruct b]; simpl; lia. Qed.

Definition nonmax (m : nat) (l : list nat) : list bool := map (fun a => negb (Nat.eqb a m)) l.

Lemma cnt_mem m K p : ~ In m K -> forall c l, In l (cnt_lists m K p c) ->
  length l = p /\ (forall a, In a l -> a = m \/ In a K) /\ ntrue (nonmax m l) = c.
Proof.
  intro HmK. induction p as [|p IH]; intros c l Hl; simpl in Hl.
  - destruct c; [|destruct Hl]. destruct Hl as [<-|[]]. simpl. repeat split; auto. intros a [].
  - apply in_app_or in Hl as [Hl|Hl].
    + apply in_map_iff in Hl as (l' & <- & Hl'). destruct (IH c l' Hl') as (H1 & H2 & H3).
      simpl. rewrite Nat.eqb_refl. simpl. repeat split; auto.
      intros a [<-|Ha]; auto.
    + destruct c as [|c]; [destruct Hl|]. apply in_flat_map in Hl as (k & Hk & Hl).
      apply in_map_iff in Hl as (l' & <- & Hl'). destruct (IH c l' Hl') as (H1 & H2 & H3).
      assert (k <> m) by (intro E; subst; contradiction).
      simpl. destruct (Nat.eqb_spec k m); [contradiction|]. simpl. repeat split; auto.
      intros a [<-|Ha]; auto.
Qed.

Lemma cnt_NoDup m K p : ~ In m K -> NoDup K -> forall c, NoDup (cnt_lists m K p c).
Proof.
  intros HmK HK. induction p as [|p IH]; intros c; simpl.
  - destruct c; repeat constructor. intros [].
  - apply NoDup_app'.
    + apply FinFun.Injective_map_NoDup; auto. intros x y E; inversion E; auto.
    + destruct c as [|c]; [constructor|].
      apply NoDup_flat_map_keys with (fun k => k); [rewrite map_id; exact HK| |].
      * intros; apply FinFun.Injective_map_NoDup; auto. intros x y E; inversion E; auto.
      * intros b1 b2 x _ _ H1 H2. apply in_map_iff in H1 as (? & <- & _).
        apply in_map_iff in H2 as (? & E & _). inversion E; auto.
    + intros x H1 H2. apply in_map_iff in H1 as (? & <- & _).
      destruct c as [|c]; [destruct H2|]. apply in_flat_map in H2 as (k & Hk & H2).
      apply in_map_iff in H2 as (? & E & _). inversion E; subst. contradiction.
Qed.

(** ** The sum of the [c] smallest differences: minimum over [c]-subsets *)
Definition dneg (x : dyadic) : dyadic := ((- fst x)%Z, snd x).

(** One step of the programme: from [v[c] = S(c, l)] ([c <= |l|]) to [S(c, x :: l)]. *)
Fixpoint dpstep (x : dyadic) (prev : option dyadic) (v : list dyadic) : list dyadic :=
  match v with
  | [] => match prev with None => [] | Some p => [dadd x p] end
  | a :: r => match prev with None => a | Some p => dmin a (dadd x p) end :: dpstep x (Some a) r
  end.
Fixpoint dpv (l : list dyadic) : list dyadic :=
  match l with [] => [(0, 0)%Z] | x :: r => dpstep x None (dpv r) end.

Local Open Scope R_scope.

Lemma dval_dneg x : dval (dneg x) = - dval x.
Proof. unfold dval, dneg. simpl. rewrite opp_IZR. ring. Qed.

Lemma length_dpstep x v : forall p, length (dpstep x (Some p) v) = S (length v).
Proof. induction v as [|a r IH]; intros p; simpl; auto. Qed.

Lemma length_dpv l : length (dpv l) = S (length l).
Proof.
  induction l as [|x l IH]; simpl; auto. destruct (dpv l) as [|a r]; [discriminate|].
  simpl. rewrite length_dpstep. simpl in IH. lia.
Qed.

Definition d0 : dyadic := (0, 0)%Z.

(** Not taking [x]: [S(c, x :: l) <= S(c, l)]. *)
Lemma dpstep_le_skip x v : forall prev c, (c < length v)%nat ->
  dval (nth c (dpstep x prev v) d0) <= dval (nth c v d0).
Proof.
  induction v as [|a r IH]; intros prev c Hc; simpl in *; [lia|].
  destruct c as [|c].
  - destruct prev; [apply dmin_le_l|lra].
  - apply IH. lia.
Qed.

(** Taking [x]: [S(c+1, x :: l) <= x + S(c, l)]. *)
Lemma dpstep_le_take x v : forall prev c, (c < length v)%nat ->
  dval (nth (S c) (dpstep x prev v) d0) <= dval x + dval (nth c v d0).
Proof.
  induction v as [|a r IH]; intros prev c Hc; simpl in *; [lia|].
  destruct c as [|c].
  - destruct r as [|b r]; simpl; rewrite ?dval_dadd; [lra|].
    rewrite <- dval_dadd. apply dmin_le_r.
  - apply IH. lia.
Qed.

Definition sel_sum (l : list dyadic) (sel : list bool) : R :=
  fold_right Rplus 0 (map (fun p : dyadic * bool => if snd p then dval (fst p) else 0) (combine l sel)).

(** Any [c] of the values sum to at least [S(c, l)]. *)
Lemma dp_le l : forall sel, length sel = length l ->
  dval (nth (ntrue sel) (dpv l) d0) <= sel_sum l sel.
Proof.
  unfold sel_sum. induction l as [|x l IH]; intros sel Hlen.
  - destruct sel; [|discriminate]. simpl. unfold dval. simpl. lra.
  - destruct sel as [|b sel]; [discriminate|]. simpl in Hlen |- *. injection Hlen as Hlen.
    assert (Hc : (ntrue sel <= length l)%nat) by (rewrite <- Hlen; apply ntrue_le).
    specialize (IH sel Hlen). destruct b.
    + eapply Rle_trans; [apply dpstep_le_take; rewrite length_dpv; lia|]. simpl. lra.
    + eapply Rle_trans; [apply dpstep_le_skip; rewrite length_dpv; lia|]. lra.
Qed.

Lemma map_seq_nth {A} (l : list A) d : map (fun i => nth i l d) (seq 0 (length l)) = l.
Proof.
  induction l as [|a l IH]; simpl; auto. f_equal. rewrite <- seq_shift, map_map. exact IH.
Qed.

Lemma sel_sum_seq (f : nat -> dyadic) (g : nat -> bool) p :
  sel_sum (map f (seq 0 p)) (map g (seq 0 p)) = Rsum p (fun i => if g i then dval (f i) else 0).
Proof.
  unfold sel_sum, Rsum. generalize (seq 0 p). intro L.
  induction L as [|i L IH]; simpl; auto. rewrite IH. reflexivity.
Qed.
Local Close Scope R_scope.

(** ** The checker *)
Definition cblock_ok (V n : nat) (b : block) : bool :=
  let '(q, m, c, km) := b in
  (0 <=? q)%Z && (q <=? m)%Z && (m <? Z.of_nat V)%Z && (0 <=? c)%Z && (c <=? Z.of_nat (n - 1))%Z &&
  negb ((q <? m)%Z && (c =? Z.of_nat (n - 1))%Z) && (0 <=? km)%Z && (km <? 2 ^ m)%Z.

Definition cblock_inputs (n : nat) (b : block) : list (list nat) :=
  let '(q, m, c, km) := b in
  map (fun l => l ++ [Z.to_nat q]) (cnt_lists (Z.to_nat m) (Klist (Z.to_nat m) km) (n - 1) (Z.to_nat c)).

(** [C(n-1, c) |K|^c]. *)
Definition cblock_count (n : nat) (b : block) : Z :=
  let '(q, m, c, km) := b in
  nth (Z.to_nat c) (cvec (Z.of_nat (length (Klist (Z.to_nat m) km))) (n - 1)) 0%Z.

Section Margin.
Variables (n : nat) (T : tables) (dEt : list (list Z)) (dOt : list (list (list Z))).
Variables (q m : nat) (K : list nat).
Definition cterm (tok i : nat) : dyadic :=
  lbD (get2 dEt q m + get3 dOt m tok i) (getd3 (tWLO T) q tok i) (getd3 (tWHI T) q tok i).
Definition cb (i : nat) : dyadic := cterm m i.
Definition ca (i : nat) : dyadic := dmin_list (map (fun tok => cterm tok i) K).
Definition cdiff (i : nat) : dyadic := dadd (ca i) (dneg (cb i)).
Definition cmargin (c : nat) : dyadic :=
  dadd (dadd (cterm q (n - 1)) (dsum (n - 1) cb)) (nth c (dpv (map cdiff (seq 0 (n - 1)))) d0).
End Margin.

Definition cblock_pass (n : nat) (T : tables) dEt dOt (b : block) : bool :=
  let '(q, m, c, km) := b in
  dpos (cmargin n T dEt dOt (Z.to_nat q) (Z.to_nat m) (Klist (Z.to_nat m) km) (Z.to_nat c)).

Definition check_cubic_count (M : model) (P k : nat) (blocks : list block) (N : Z) : bool :=
  basic_ok M P k && forallb (cblock_ok (V M) (n M)) blocks && sorted_keys blocks &&
  (let T := compute_tables M P k in
   let dEt := tab_dE (V M) (tEU T) in
   let dOt := tab_dO (V M) (n M) (tOV T) in
   N <=? fold_right Z.add 0
           (map (fun b => if cblock_pass (n M) T dEt dOt b then cblock_count (n M) b else 0) blocks))%Z.

(** ** Soundness *)
Lemma Klist_NoDup m km : NoDup (Klist m km).
Proof. apply NoDup_filter, seq_NoDup. Qed.

Lemma Klist_not_m m km : ~ In m (Klist m km).
Proof. rewrite In_Klist. lia. Qed.


Lemma ntrue_lt_false l : (ntrue l < length l)%nat -> In false l.
Proof.
  induction l as [|b l IH]; [|destruct b]; simpl; intros H; [lia| |auto]. right. apply IH. lia.
Qed.

Section CBlock.
Variables (V n : nat) (q m c km : Z).
Hypothesis Hn : (1 <= n)%nat.
Hypothesis Hok : cblock_ok V n (q, m, c, km) = true.

Lemma cblock_ok_spec : (0 <= q <= m)%Z /\ (m < Z.of_nat V)%Z /\ (0 <= c <= Z.of_nat (n - 1))%Z /\
  ((q < m)%Z -> c <> Z.of_nat (n - 1)) /\ (0 <= km)%Z.
Proof.
  unfold cblock_ok in Hok. repeat (apply andb_prop in Hok as [Hok ?]).
  repeat match goal with H : _ = true |- _ => first [apply Z.leb_le in H | apply Z.ltb_lt in H] end.
  match goal with H : negb _ = true |- _ => apply negb_true_iff in H; rename H into Hng end.
  repeat split; try lia.
  intros Hlt E. rewrite E, Z.eqb_refl, andb_true_r in Hng. apply Z.ltb_ge in Hng. lia.
Qed.

Variable t : list nat.
Hypothesis Ht : In t (cblock_inputs n (q, m, c, km)).

Lemma cblock_mem : exists l, t = l ++ [Z.to_nat q] /\ length l = (n - 1)%nat /\
  (forall a, In a l -> a = Z.to_nat m \/ In a (Klist (Z.to_nat m) km)) /\
  ntrue (nonmax (Z.to_nat m) l) = Z.to_nat c.
Proof.
  simpl in Ht. apply in_map_iff in Ht as (l & <- & Hl).
  destruct (cnt_mem _ _ _ (Klist_not_m _ km) _ _ Hl) as (H1 & H2 & H3).
  exists l. repeat split; auto.
Qed.

Lemma cblock_max : length t = n /\ nth (n - 1) t 0%nat = Z.to_nat q /\ list_max t = Z.to_nat m /\
  (forall a, In a t -> (a < V)%nat).
Proof.
  destruct cblock_ok_spec as (Hq & Hm & Hc & Hfull & _).
  destruct cblock_mem as (l & -> & Hlen & Hl & Hcnt).
  assert (Hle : forall a, In a (l ++ [Z.to_nat q]) -> (a <= Z.to_nat m)%nat).
  { intros a Ha. apply in_app_or in Ha as [Ha|[<-|[]]]; [|lia].
    destruct (Hl a Ha) as [E|E]; [lia|apply In_Klist in E; lia]. }
  split; [rewrite app_length, Hlen; simpl; lia|]. split.
  { rewrite app_nth2 by lia. rewrite Hlen, Nat.sub_diag. reflexivity. }
  split; [|intros a Ha; apply Hle in Ha; lia].
  apply Nat.le_antisymm; [apply list_max_le, Forall_forall; exact Hle|].
  apply list_max_ge. apply in_or_app.
  destruct (Z.eq_dec q m) as [E|Hne]; [right; left; rewrite E; reflexivity|left].
  assert (Hlt : (ntrue (nonmax (Z.to_nat m) l) < length (nonmax (Z.to_nat m) l))%nat).
  { rewrite Hcnt. unfold nonmax. rewrite map_length, Hlen. specialize (Hfull ltac:(lia)). lia. }
  apply ntrue_lt_false in Hlt. unfold nonmax in Hlt. apply in_map_iff in Hlt as (a & Ea & Ha).
  apply negb_false_iff, Nat.eqb_eq in Ea. subst a. exact Ha.
Qed.
End CBlock.

Lemma cblock_key_eq V n b1 b2 t : (1 <= n)%nat -> cblock_ok V n b1 = true -> cblock_ok V n b2 = true ->
  In t (cblock_inputs n b1) -> In t (cblock_inputs n b2) -> key b1 = key b2.
Proof.
  destruct b1 as [[[q1 m1] c1] km1], b2 as [[[q2 m2] c2] km2]. intros Hn H1 H2 T1 T2.
  destruct (cblock_ok_spec V n q1 m1 c1 km1 Hn H1) as (Hq1 & _ & Hc1 & _).
  destruct (cblock_ok_spec V n q2 m2 c2 km2 Hn H2) as (Hq2 & _ & Hc2 & _).
  destruct (cblock_max V n q1 m1 c1 km1 Hn H1 t T1) as (_ & _ & M1 & _).
  destruct (cblock_max V n q2 m2 c2 km2 Hn H2 t T2) as (_ & _ & M2 & _).
  destruct (cblock_mem n q1 m1 c1 km1 t T1) as (l1 & E1 & _ & _ & C1).
  destruct (cblock_mem n q2 m2 c2 km2 t T2) as (l2 & E2 & _ & _ & C2).
  rewrite E1 in E2. apply app_inj_tail in E2 as [<- Eq].
  assert (m1 = m2) by (apply Z2Nat.inj; lia). subst m2.
  simpl. f_equal; [f_equal; apply Z2Nat.inj; lia|]. apply Z2Nat.inj; lia.
Qed.

Local Open Scope R_scope.
Section Correct.
Variables (M : model) (P k : nat).
Hypothesis Hbasic : basic_ok M P k = true.
Let T := compute_tables M P k.
Let dEt := tab_dE (V M) (tEU T).
Let dOt := tab_dO (V M) (n M) (tOV T).

Theorem cblock_correct b t : cblock_ok (V M) (n M) b = true -> cblock_pass (n M) T dEt dOt b = true ->
  In t (cblock_inputs (n M) b) -> correct M t.
Proof.
  destruct b as [[[qz mz] cz] km]. intros Hok Hpass Ht.
  destruct (basic_ok_spec _ _ _ Hbasic) as (Hn & Hh & Hsc).
  destruct (cblock_ok_spec _ _ _ _ _ _ Hn Hok) as (Hq & HmV & _).
  destruct (cblock_max _ _ _ _ _ _ Hn Hok t Ht) as (Hlen & Hlast & Hmax & Htok).
  destruct (cblock_mem _ _ _ _ _ t Ht) as (l & Et & Hll & Hl & Hcnt).
  assert (Hv : valid M t) by (split; auto).
  set (q := Z.to_nat qz) in *. set (m := Z.to_nat mz) in *. set (c := Z.to_nat cz) in *.
  set (K := Klist m km) in *.
  assert (HqV : (q < V M)%nat) by lia. assert (HmV' : (m < V M)%nat) by lia.
  apply (key_correct M P k t Hbasic Hv). fold T. rewrite Hlast, Hmax. intros j Hj Hjm.
  set (sel := fun i => negb (Nat.eqb (nth i t 0%nat) m)).
  set (Tm := fun i => if Nat.eqb i (n M - 1) then dval (cterm T dEt dOt q m q i)
                      else dval (cb T dEt dOt q m i) +
                           (if sel i then dval (cdiff T dEt dOt q m K i) else 0)).
  exists Tm. split.
  - unfold cblock_pass in Hpass. fold q m c K in Hpass. apply dpos_spec in Hpass.
    unfold cmargin in Hpass. rewrite !dval_dadd, dval_dsum in Hpass.
    eapply Rlt_le_trans; [exact Hpass|].
    assert (ES : Rsum (n M) Tm = Rsum (n M - 1) Tm + Tm (n M - 1)%nat)
      by (rewrite <- Rsum_S; f_equal; lia).
    rewrite ES. unfold Tm at 2. rewrite Nat.eqb_refl.
    rewrite (Rsum_ext (n M - 1) Tm (fun i => dval (cb T dEt dOt q m i) +
                       (if sel i then dval (cdiff T dEt dOt q m K i) else 0)))
      by (intros i Hi; unfold Tm; destruct (Nat.eqb_spec i (n M - 1)); [lia|reflexivity]).
    rewrite Rsum_plus, <- sel_sum_seq.
    assert (Hsel : ntrue (map sel (seq 0 (n M - 1))) = c).
    { rewrite <- Hcnt. unfold nonmax. rewrite <- (map_seq_nth l 0%nat), map_map, Hll.
      f_equal. apply map_ext_in. intros i Hi. apply in_seq in Hi. unfold sel. rewrite Et, app_nth1 by lia.
      reflexivity. }
    pose proof (dp_le (map (cdiff T dEt dOt q m K) (seq 0 (n M - 1))) (map sel (seq 0 (n M - 1))))
      as Hdp. rewrite !map_length, Hsel in Hdp. specialize (Hdp eq_refl). lra.
  - intros i Hi w Hw.
    assert (Hti : (nth i t 0 < V M)%nat) by (apply Htok, nth_In; lia).
    pose proof (dE_le M P k q m j HqV HmV' Hj Hjm) as HdE. fold T dEt in HdE.
    assert (Hterm : forall tok, tok = nth i t 0%nat ->
      dval (cterm T dEt dOt q m tok i) <= IZR (Dz T q tok i m j) * w).
    { intros tok ->. apply lb_mono; auto.
      - apply WLO_nonneg; auto.
      - unfold Dz. pose proof (dO_le M P k m (nth i t 0%nat) i j HmV' Hti Hi Hj Hjm) as HdO.
        fold T dOt in HdO. lia. }
    unfold Tm. destruct (Nat.eqb_spec i (n M - 1)) as [Ei|Ei].
    + assert (E' : nth i t 0%nat = q) by (rewrite Ei; exact Hlast). rewrite E' in Hterm |- *.
      apply Hterm; auto.
    + assert (Hli : nth i t 0%nat = nth i l 0%nat) by (rewrite Et, app_nth1 by lia; reflexivity).
      unfold sel. destruct (Nat.eqb_spec (nth i t 0%nat) m) as [Em|Em]; simpl.
      * rewrite Rplus_0_r. unfold cb. rewrite Em. apply Hterm. symmetry. exact Em.
      * unfold cdiff. rewrite dval_dadd, dval_dneg.
        assert (Hca : dval (ca T dEt dOt q m K i) <= dval (cterm T dEt dOt q m (nth i t 0%nat) i)).
        { unfold ca. apply dmin_list_le, in_map_iff. eexists; split; [reflexivity|].
          assert (Hin : In (nth i l 0%nat) l) by (apply nth_In; lia).
          rewrite Hli. destruct (Hl _ Hin); [congruence|assumption]. }
        pose proof (Hterm _ eq_refl). lra.
Qed.
End Correct.
Local Close Scope R_scope.

(** The soundness theorem of the cubic-count strategy. *)
Theorem check_cubic_count_sound M P k blocks N :
  check_cubic_count M P k blocks N = true -> accuracy_at_least M N.
Proof.
  unfold check_cubic_count. intro H. apply andb_prop in H as [H HN]. apply andb_prop in H as [H Hsorted].
  apply andb_prop in H as [Hbasic Hoks]. apply Z.leb_le in HN.
  rewrite forallb_forall in Hoks.
  destruct (basic_ok_spec _ _ _ Hbasic) as (Hn & _).
  set (T := compute_tables M P k) in *.
  set (dEt := tab_dE (V M) (tEU T)) in *. set (dOt := tab_dO (V M) (n M) (tOV T)) in *.
  set (f := fun b => if cblock_pass (n M) T dEt dOt b then cblock_inputs (n M) b else []).
  exists (flat_map f blocks). split; [|split].
  - apply NoDup_flat_map_keys with key.
    + apply sorted_NoDup; auto.
    + intros b _. unfold f. destruct (cblock_pass _ _ _ _ b); [|constructor].
      destruct b as [[[q m] c] km]. simpl.
      apply FinFun.Injective_map_NoDup; [intros x y E; apply app_inj_tail in E; apply E|].
      apply cnt_NoDup; [apply Klist_not_m|apply Klist_NoDup].
    + intros b1 b2 t Hb1 Hb2 T1 T2. unfold f in T1, T2.
      destruct (cblock_pass _ _ _ _ b1); [|destruct T1]. destruct (cblock_pass _ _ _ _ b2); [|destruct T2].
      apply (cblock_key_eq (V M) (n M) b1 b2 t); auto.
  - intros t Ht. apply in_flat_map in Ht as (b & Hb & Ht). unfold f in Ht.
    destruct (cblock_pass _ _ _ _ b) eqn:Hp; [|destruct Ht].
    destruct b as [[[q m] c] km]. specialize (Hoks _ Hb). split.
    + destruct (cblock_max _ _ _ _ _ _ Hn Hoks t Ht) as (Hlen & _ & _ & Htok). split; auto.
    + apply (cblock_correct M P k Hbasic (q, m, c, km) t Hoks Hp Ht).
  - rewrite length_flat_map. eapply Z.le_trans; [exact HN|]. apply Z.eq_le_incl. f_equal.
    apply map_ext. intro b. unfold f. destruct (cblock_pass _ _ _ _ b); [|reflexivity].
    destruct b as [[[q m] c] km]. simpl. rewrite map_length, length_cnt_lists. reflexivity.
Qed.
