"""Name every proof obligation of vDLT: PBFT, certificates, voting, penalties (§III-D, §IV).

Each entry is data: a name, its group, the whitepaper section, the claim in plain language,
its scope, the expected finding, what it assumes, and the encoding in
:mod:`vdlt_spec.models`. ``vdlt prove`` discharges them; docs/proofs.md explains each one.
"""

from __future__ import annotations

from vdlt_spec.models import (
    accountability,
    allocation,
    bitmap,
    checkpoint,
    inflation,
    multisig,
    pbft,
    penalties,
    quorum,
    voting,
)
from vdlt_spec.proofs.obligation import Expected, Obligation, Scope

PROVED = Expected.PROVED
REFUTED = Expected.COUNTEREXAMPLE
ALL_N = Scope.all_sizes("all n")

SIGNATURES = "signatures are unforgeable: a certificate's signers really signed"
FAULTS = "fewer than n/3 replicas are Byzantine (3|B| < n)"
NO_FAULT_BOUND = "any number of Byzantine replicas"
QUORUM_LEMMAS = "the quorum lemmas proved by quorum-honest-intersection (all n)"
PER_SLOT = "one sequence number; sequence numbers are independent in the view-change rule"

_BITMAP_SCOPE = "n in {1..24, 64, 128, 256, 512, 1024}"

OBLIGATIONS: tuple[Obligation, ...] = (
    # --- quorum counting, all n (§IV-D) --------------------------------------------------------
    Obligation(
        "quorum-honest-intersection",
        "quorum",
        "§IV-D",
        "Two quorums (3|Q| > 2n) share an honest replica whenever 3|B| < n.",
        ALL_N,
        PROVED,
        (FAULTS,),
        quorum.honest_intersection_queries,
    ),
    Obligation(
        "quorum-stake-honest-intersection",
        "quorum",
        "§III-D, §IV-C",
        "Two stake quorums (3·stake(Q) > 2·total) share an honest replica whenever the"
        " Byzantine stake is below a third of the total.",
        Scope.all_sizes("all n, all stake distributions"),
        PROVED,
        ("stakes are non-negative integers held by replicas", "Byzantine stake < total/3"),
        quorum.stake_intersection_queries,
    ),
    Obligation(
        "quorum-weak-rule-byzantine-third",
        "quorum",
        "§IV-D",
        "Tightness: with quorums of 3|Q| >= 2n and a Byzantine third (3|B| <= n), two quorums"
        " can share no honest replica.",
        ALL_N,
        REFUTED,
        ("3|B| <= n (one more fault than the bound allows when 3 divides n)",),
        quorum.weak_rule_byzantine_third_queries,
    ),
    Obligation(
        "quorum-two-f-plus-one-loose",
        "quorum",
        "§IV-D",
        "Tightness: '2f+1 signers' is not a quorum when n > 3f+1: two such sets can share no"
        " honest replica.",
        ALL_N,
        REFUTED,
        ("at most f Byzantine replicas",),
        quorum.two_f_plus_one_queries,
    ),
    Obligation(
        "quorum-weak-rule-within-bound",
        "quorum",
        "§IV-D",
        "Margin: under the fault bound 3|B| < n, even the weak rule 3|Q| >= 2n keeps an honest"
        " replica in every intersection (so tightness needs both bounds relaxed).",
        ALL_N,
        PROVED,
        (FAULTS,),
        quorum.weak_rule_within_bound_queries,
    ),
    Obligation(
        "quorum-strict-rule-byzantine-third",
        "quorum",
        "§IV-D",
        "Margin: the spec's rule 3|Q| > 2n keeps an honest common replica even with a"
        " Byzantine third (3|B| <= n).",
        ALL_N,
        PROVED,
        ("3|B| <= n",),
        quorum.strict_rule_byzantine_third_queries,
    ),
    Obligation(
        "quorum-overlap-f-plus-one",
        "quorum",
        "§IV-D, §IV-J",
        "Accountability count: two quorums overlap in at least floor((n-1)/3) + 1 replicas.",
        ALL_N,
        PROVED,
        (),
        quorum.overlap_at_least_f_plus_one_queries,
    ),
    Obligation(
        "quorum-overlap-not-f-plus-two",
        "quorum",
        "§IV-D, §IV-J",
        "Tightness of the count: an overlap of f+2 replicas is not guaranteed.",
        ALL_N,
        REFUTED,
        (),
        quorum.overlap_f_plus_two_queries,
    ),
    Obligation(
        "quorum-sizes-exact",
        "quorum",
        "§III-D, §IV-D",
        "quorum_size(n) is the least count over 2n/3 and max_faulty(n) the largest under n/3;"
        " the solver bounds of both sizes hold for exactly those counts.",
        ALL_N,
        PROVED,
        (),
        quorum.size_queries,
    ),
    # --- signer bitmaps, bounded (§IV-D) ---------------------------------------------------------
    Obligation(
        "bitmap-accept-implies-quorum",
        "bitmap",
        "§IV-D",
        "An accepted signer bitmap (ceil(n/8) bytes, LSB first, padding 0,"
        " popcount >= 2n//3 + 1) has 3·popcount > 2n.",
        Scope.bound(_BITMAP_SCOPE),
        PROVED,
        ("the spec's acceptance rule on the bytes",),
        bitmap.accept_threshold_queries,
    ),
    Obligation(
        "bitmap-quorum-accepted",
        "bitmap",
        "§IV-D",
        "Completeness: every set of signers with 3·popcount > 2n passes the spec's acceptance"
        " test on its bits.",
        Scope.bound(_BITMAP_SCOPE),
        PROVED,
        (),
        bitmap.quorum_accepted_queries,
    ),
    Obligation(
        "bitmap-conflict-overlap",
        "bitmap",
        "§IV-D, §IV-J",
        "Two accepted bitmaps (for conflicting messages) share more than n/3 signers.",
        Scope.bound(_BITMAP_SCOPE),
        PROVED,
        ("the spec's acceptance rule on the bytes",),
        bitmap.conflicting_overlap_queries,
    ),
    Obligation(
        "bitmap-one-signer-fewer",
        "bitmap",
        "§IV-D",
        "Negative control: accepting 2n//3 signers (one fewer) lets two bitmaps share only"
        " n/3 signers or fewer.",
        Scope.bound("n = 1024"),
        REFUTED,
        (),
        bitmap.weak_threshold_queries,
    ),
    # --- PBFT safety, all n (§III-D, §IV-D) ------------------------------------------------------
    Obligation(
        "pbft-agreement-within-view",
        "pbft",
        "§IV-D",
        "Two commit certificates for the same (view, sequence) carry the same digest.",
        ALL_N,
        PROVED,
        (SIGNATURES, FAULTS, QUORUM_LEMMAS),
        pbft.within_view_queries,
    ),
    Obligation(
        "pbft-agreement-across-views",
        "pbft",
        "§III-D, §IV-D",
        "No two commit certificates of a sequence number, in any views, carry different"
        " digests: an inductive invariant of prepare, commit, view change and new view"
        " (initiation, consecution per action, invariant => agreement).",
        ALL_N,
        PROVED,
        (SIGNATURES, FAULTS, QUORUM_LEMMAS, PER_SLOT),
        pbft.across_views_queries,
    ),
    Obligation(
        "pbft-invariant-admits-commit",
        "pbft",
        "§IV-D",
        "Non-vacuity: the axioms and the invariant admit a state with a commit certificate in a"
        " later view and a Byzantine replica (so the agreement proof is not vacuous).",
        ALL_N,
        REFUTED,
        (QUORUM_LEMMAS,),
        pbft.nonvacuity_queries,
    ),
    # --- accountability (§IV-D, §IV-J) -----------------------------------------------------------
    Obligation(
        "accountable-safety",
        "accountability",
        "§IV-D, §IV-J",
        "Two conflicting commit certificates, with the signed messages between them, name two"
        " quorums whose every common member (>= floor((n-1)/3) + 1 replicas) signed two"
        " contradicting messages.",
        ALL_N,
        PROVED,
        (
            SIGNATURES,
            NO_FAULT_BOUND,
            "the transcript holds each certificate's prepare certificate and each later"
            " view's new-view message",
        ),
        accountability.accountable_safety_queries,
    ),
    Obligation(
        "no-framing",
        "accountability",
        "§IV-D, §IV-J",
        "An honest replica's own messages never contain two contradicting messages, in any run.",
        ALL_N,
        PROVED,
        (SIGNATURES, NO_FAULT_BOUND),
        accountability.no_framing_queries,
    ),
    Obligation(
        "accountability-admits-conflict",
        "accountability",
        "§IV-J",
        "Non-vacuity: the transcript axioms admit two conflicting commit certificates.",
        Scope.bound("1 replica, 3 views, 2 digests"),
        REFUTED,
        (NO_FAULT_BOUND,),
        accountability.conflict_possible_queries,
    ),
    # --- multisignatures (§IV-D) -----------------------------------------------------------------
    Obligation(
        "multisig-plain-sum-rogue-key",
        "multisig",
        "§IV-D",
        "Regression: plain key sums (CoSi, Zilliqa) admit a rogue key that cancels every honest"
        " key, so the attacker alone signs for the group.",
        Scope.bound("3 honest keys, secp256k1 order"),
        REFUTED,
        ("algebraic group model: keys are known combinations of seen points",),
        multisig.naive_rogue_key_queries,
    ),
    Obligation(
        "multisig-coefficient-binding",
        "multisig",
        "§IV-D",
        "With coefficients hashed over the whole key list (BIP327), at most one coefficient"
        " value cancels an honest key for any rogue-key choice: success probability <= 1/N.",
        Scope.all_sizes("any rogue-key choice"),
        PROVED,
        ("algebraic group model", "coefficients are random-oracle outputs fixed after the keys"),
        multisig.weighted_binding_queries,
    ),
    # --- checkpoints (§III-D) --------------------------------------------------------------------
    Obligation(
        "checkpoint-gc-safe",
        "checkpoint",
        "§III-D",
        "Garbage collection never discards a committed entry that no stable checkpoint"
        " certificate covers.",
        Scope.bound(
            f"sequence numbers 1..{checkpoint.SEQUENCES}, K = {checkpoint.CHECKPOINT_INTERVAL}"
        ),
        PROVED,
        (SIGNATURES, "a stable checkpoint needs a quorum certificate"),
        checkpoint.gc_safety_queries,
    ),
    Obligation(
        "checkpoint-gc-uncertified-unsafe",
        "checkpoint",
        "§III-D",
        "Negative control: collecting garbage at the replica's own uncertified checkpoint"
        " discards committed entries no certificate covers.",
        Scope.bound(f"runs of {checkpoint.SEARCH_DEPTH} steps, K = {checkpoint.SEARCH_INTERVAL}"),
        REFUTED,
        (),
        checkpoint.own_checkpoint_queries,
    ),
    # --- quadratic voting with token lock (§IV-C) ------------------------------------------------
    Obligation(
        "qv-costs",
        "voting",
        "§IV-C",
        "v votes cost v²; the k-th vote costs 2k-1; the bounds of the most votes a budget buys"
        " hold for exactly isqrt(budget): it never exceeds the budget and one more would.",
        Scope.all_sizes("all v, all budgets"),
        PROVED,
        (),
        voting.cost_queries,
    ),
    Obligation(
        "isqrt-exact",
        "voting",
        "§IV-C",
        "Newton's integer square root never undershoots, strictly decreases above the root, and"
        " stops exactly at floor(sqrt(x)).",
        Scope.all_sizes("all x >= 1"),
        PROVED,
        (),
        voting.isqrt_exact_queries,
    ),
    Obligation(
        "isqrt-fixed-width",
        "voting",
        "§IV-C",
        "At 64, 128 and 256 bits the Newton iteration starts above the root and no intermediate"
        " reaches 2^width (overflow-free).",
        Scope.bound("widths 64, 128, 256"),
        PROVED,
        (),
        voting.isqrt_width_queries,
    ),
    Obligation(
        "token-lock-votes",
        "voting",
        "§IV-C",
        "N tokens locked for k² periods give N·k votes, monotone in N and k; the lock ends at"
        " least k² periods after the vote.",
        Scope.all_sizes("all N, k, epochs"),
        PROVED,
        (),
        voting.token_lock_queries,
    ),
    Obligation(
        "token-lock-ledger",
        "voting",
        "§IV-C",
        "Locked tokens never exceed the balance and no lock is counted twice; the tally is the"
        " sum of N·k over counted locks.",
        Scope.bound(f"{voting.LOCK_SLOTS} locks"),
        PROVED,
        ("locks are numbered and never reused",),
        voting.ledger_queries,
    ),
    Obligation(
        "plain-qv-split-witness",
        "voting",
        "§IV-C",
        "Identity splitting: 'splitting a plain quadratic-voting budget over identities never"
        " buys more votes' is false (witness expected).",
        Scope.all_sizes("all budgets"),
        REFUTED,
        ("identities are free to create (no proof of personhood)",),
        voting.plain_split_witness_queries,
    ),
    Obligation(
        "plain-qv-split-gain",
        "voting",
        "§IV-C",
        "Splitting a plain-QV budget over m >= 2 identities multiplies the votes by sqrt(m).",
        Scope.all_sizes("all m >= 2, all budgets (real-valued)"),
        PROVED,
        (),
        voting.plain_split_gain_queries,
    ),
    Obligation(
        "token-lock-split-neutral",
        "voting",
        "§IV-C",
        "Under token-lock voting, splitting tokens over identities with the same lock gains"
        " nothing: votes are additive in tokens (any m, by induction).",
        Scope.all_sizes("all m"),
        PROVED,
        (),
        voting.lock_split_queries,
    ),
    Obligation(
        "token-lock-spread-cauchy-schwarz",
        "voting",
        "§IV-C",
        "Spreading tokens over different lock times never beats one lock of the same tokens and"
        " token-time (Cauchy–Schwarz, any number of locks, by induction).",
        Scope.all_sizes("all m (real-valued k)"),
        PROVED,
        (),
        voting.cauchy_schwarz_queries,
    ),
    Obligation(
        "takeover-cost",
        "voting",
        "§IV-C",
        "To outvote honest locked weight W with T tokens an attacker must lock for more than"
        " (W/T)² periods.",
        Scope.all_sizes("all T, W, k"),
        PROVED,
        (),
        voting.takeover_queries,
    ),
    Obligation(
        "qv-efficiency",
        "voting",
        "§IV-C",
        "A price-taking voter's optimal votes are proportional to its value under cost v²"
        " (v* = u/2), and not under cost v^a for a in {1, 3..8}.",
        Scope.bound("all values u; exponents 1..8"),
        PROVED,
        ("voters take the price as given and maximise u·v - cost(v)",),
        voting.efficiency_queries,
    ),
    Obligation(
        "tally",
        "voting",
        "§IV-C",
        "The tally is anonymous (invariant under permutations of voters), monotone, and equals"
        " the sum of the weights.",
        Scope.bound(f"{voting.TALLY_VOTERS} voters, 2 options"),
        PROVED,
        (),
        voting.tally_queries,
    ),
    # --- penalties: the split of a slash (§IV-J) -------------------------------------------------
    Obligation(
        "penalty-full-slash",
        "penalties",
        "§IV-J",
        "The offender's account falls by the whole slash whoever reports, itself included; the"
        " reporter's credit is at most the reward, carved out of the slash (credit + burnt ="
        " slash), so the offender and a sybil reporter together still lose at least one unit.",
        Scope.all_sizes("all collateral, all slash_fraction in [0, 1], denouncer_reward in [0, 1)"),
        PROVED,
        ("something is slashed (slashed >= 1)", "amounts and fractions are exact integers"),
        penalties.full_slash_queries,
    ),
    Obligation(
        "penalty-self-reward",
        "penalties",
        "§IV-J",
        "Necessity: if a self-reporting offender were paid the reward like any reporter, its"
        " loss would depend on who reports (it keeps the reward).",
        Scope.all_sizes("all collateral and fractions"),
        REFUTED,
        ("the reward is paid to whoever reports, the offender included",),
        penalties.self_reward_queries,
    ),
    # --- inflation: the yearly cap (§IV-I) -------------------------------------------------------
    Obligation(
        "inflation-yearly-cap",
        "inflation",
        "§IV-I",
        "A year of E epochs, each minting floor(rate·S/E) at a clamped rate in [0, cap], mints at"
        " most cap·S and passes the economy's cap check; the check admits exactly the amounts"
        " up to cap·S; the clamp's range admits exactly the rates in [0, cap].",
        Scope.all_sizes("all supplies S, all E >= 1, all voted rates; cap = 4 %"),
        PROVED,
        ("the cap is the frozen parameter max_inflation_rate",),
        inflation.cap_queries,
    ),
    Obligation(
        "inflation-epoch-issuance",
        "inflation",
        "§IV-I",
        "The epoch issuance bounds hold for exactly one amount, floor(rate·S/E).",
        Scope.all_sizes("all supplies S, all E >= 1, all rates >= 0"),
        PROVED,
        (),
        inflation.issuance_queries,
    ),
    # --- allocation: the rows of Eq. (1) (§IV-E) -------------------------------------------------
    Obligation(
        "allocation-rows-are-eq1",
        "allocation",
        "§IV-E",
        "Each row rule of the evaluator (C1-C5, security, capacity, the structural rows) admits"
        " exactly the values Eq. (1)'s comparison admits: no bound is strict where the paper's"
        " is not.",
        Scope.all_sizes("all values and bounds (rationals)"),
        PROVED,
        (),
        allocation.row_queries,
    ),
    Obligation(
        "allocation-security-below-a-third",
        "allocation",
        "§IV-E, §IV-D",
        "A group of K replicas that passes the security row (E[faulty] <= f = floor((K-1)/3))"
        " expects fewer than K/3 faulty replicas: the quorum's fault bound 3·E < K holds.",
        Scope.all_sizes("all K >= 1, all trust values"),
        PROVED,
        (),
        allocation.security_queries,
    ),
    Obligation(
        "allocation-slowest-replica",
        "allocation",
        "§IV-E, §IV-G",
        "A placement whose every replica passes the C2 row has its slowest replica within the"
        " bound (the evaluator's per-transaction maximum).",
        Scope.bound(f"{allocation.REPLICAS} replicas"),
        PROVED,
        (),
        allocation.latency_queries,
    ),
)


def by_name() -> dict[str, Obligation]:
    """Return the obligations keyed by name (§III-D)."""
    return {o.name: o for o in OBLIGATIONS}
