"""Classify transactions by the class-of-service byte (§III-A, §IV-A, Table II, Fig. 6).

The class is the three most significant bits of the CoS byte; the five remaining bits are
reserved for future extensions: they are preserved as given and never change how a
transaction is treated (§IV-A: "compatible with the current design").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum
from fractions import Fraction

from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.exact import as_fraction, as_int
from vdlt_spec.roles import NodeRole, as_node_role

COS_BITS = 8
COS_BYTE_VALUES = 1 << COS_BITS
CLASS_BITS = 3
RESERVED_BITS = COS_BITS - CLASS_BITS
RESERVED_MASK = (1 << RESERVED_BITS) - 1


class ServiceClass(IntEnum):
    """Name the 8 classes of service by their 3-bit pattern of Table II."""

    FAST_CONFIRMATION = 0b111
    COMPUTATION_INTENSIVE = 0b110
    STORAGE_INTENSIVE = 0b101
    LOW_COST = 0b100
    MANAGEMENT_CONTROL = 0b011
    PRIVATE = 0b010
    BEST_EFFORT = 0b001
    SCAVENGER = 0b000


CLASS_RANKING: tuple[ServiceClass, ...] = tuple(sorted(ServiceClass, reverse=True))
"""The classes in the order of Table II: highest class bits first, scavenger (000) last."""


def class_rank(service_class: ServiceClass) -> int:
    """Return a class's place in Table II: 0 for fast confirmation, 7 for scavenger."""
    return CLASS_RANKING.index(as_service_class(service_class))


def class_of(cos_byte: int) -> ServiceClass:
    """Return the class of a CoS byte: its three most significant bits (§IV-A, Table II)."""
    if (
        isinstance(cos_byte, bool)
        or not isinstance(cos_byte, int)
        or not 0 <= cos_byte < COS_BYTE_VALUES
    ):
        raise SpecError(Reason.COS_BYTE_OUT_OF_RANGE, f"CoS byte must be 0..255, got {cos_byte!r}")
    return ServiceClass(cos_byte >> RESERVED_BITS)


def reserved_bits(cos_byte: int) -> int:
    """Return the five reserved (future-extension) bits of a CoS byte, unchanged (§IV-A)."""
    class_of(cos_byte)
    return cos_byte & RESERVED_MASK


def cos_byte(service_class: ServiceClass, reserved: int = 0) -> int:
    """Build a CoS byte from a class and the reserved bits to carry (§IV-A, Fig. 6).

    The class is checked as :func:`as_service_class` does (``UNKNOWN_CLASS`` for a boolean, a
    float or an unknown number); the reserved bits must be an integer in 0..31, not a boolean
    or a float (``COS_BYTE_OUT_OF_RANGE``).
    """
    if (
        isinstance(reserved, bool)
        or not isinstance(reserved, int)
        or not 0 <= reserved <= RESERVED_MASK
    ):
        raise SpecError(
            Reason.COS_BYTE_OUT_OF_RANGE,
            f"reserved bits must be an integer in 0..{RESERVED_MASK}, got {reserved!r}",
        )
    return (as_service_class(service_class) << RESERVED_BITS) | reserved


def as_service_class(value: object) -> ServiceClass:
    """Return ``value`` as a ServiceClass or reject it with ``UNKNOWN_CLASS`` (Table II)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(Reason.UNKNOWN_CLASS, f"not a service class: {value!r}")
    try:
        return ServiceClass(value)
    except ValueError:
        raise SpecError(Reason.UNKNOWN_CLASS, f"no service class {value!r}") from None


def _as_trust(value: object, what: str) -> Fraction:
    trust = as_fraction(value, what)
    if not 0 <= trust <= 1:
        raise SpecError(Reason.TRUST_OUT_OF_RANGE, f"{what} must be in [0, 1], got {trust}")
    return trust


# --- transactions (§III-A, Fig. 7) -------------------------------------------------------------


@dataclass(frozen=True)
class Transaction:
    """Hold one transaction as the classifier and the scheduler see it (§III-A, §IV-A, Fig. 7).

    ``id`` is a non-negative integer unique within a workload; ``sender`` names the node that
    generated it; ``cos`` is the CoS byte as declared (class bits and reserved bits); ``size`` is
    its length in the scheduler's unit (the link serves ``rate`` units per unit of time);
    ``arrival`` is its exact arrival time at the queuing stage. This is the one transaction of
    the specification: reclassification rewrites its CoS byte and the scheduler queues it; an
    allocation's ``TransactionStream`` (§IV-E) stands for a stream of them.
    """

    id: int
    sender: str
    cos: int
    size: int
    arrival: Fraction

    def __post_init__(self) -> None:
        if isinstance(self.id, bool) or not isinstance(self.id, int) or self.id < 0:
            raise SpecError(
                Reason.BAD_TRANSACTION_ID,
                f"transaction id must be a non-negative integer, got {self.id!r}",
            )
        if not isinstance(self.sender, str) or not self.sender:
            raise SpecError(
                Reason.BAD_SENDER,
                f"transaction {self.id}: sender must be a non-empty string, got {self.sender!r}",
            )
        class_of(self.cos)
        if as_int(self.size, f"transaction {self.id}: size") <= 0:
            raise SpecError(
                Reason.NON_POSITIVE_SIZE,
                f"transaction {self.id}: size must be > 0, got {self.size}",
            )
        arrival = as_fraction(self.arrival, f"transaction {self.id}: arrival")
        if arrival < 0:
            raise SpecError(
                Reason.NEGATIVE_TIME, f"transaction {self.id}: arrival must be >= 0, got {arrival}"
            )
        object.__setattr__(self, "arrival", arrival)

    @property
    def service_class(self) -> ServiceClass:
        """Return the class carried by this transaction's CoS byte (§IV-A, Table II)."""
        return class_of(self.cos)


# --- reclassification (§III-A) ----------------------------------------------------------------


def _as_roles(roles: Iterable[object]) -> frozenset[NodeRole]:
    return frozenset(as_node_role(r) for r in roles)


@dataclass(frozen=True)
class Sender:
    """Hold what the system knows about a sender when it classifies its transactions (§III-A).

    ``trust`` is the sender's probability of being honest, in [0, 1]; ``roles`` are the node
    roles registered for it (§III-B, §IV-B); ``banned`` is its standing: true once the penalty
    mechanism (§IV-J) has excluded it, whatever its roles.
    """

    trust: Fraction
    roles: frozenset[NodeRole] = field(default_factory=frozenset)
    banned: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "trust", _as_trust(self.trust, "trust"))
        object.__setattr__(self, "roles", _as_roles(self.roles))
        if not isinstance(self.banned, bool):
            raise SpecError(Reason.SCHEMA_VIOLATION, f"banned must be a boolean: {self.banned!r}")


class ReclassificationReason(StrEnum):
    """Say why a transaction got its effective class (§III-A)."""

    DECLARED = "declared"
    BANNED_SENDER = "banned_sender"
    UNAUTHORISED_CLASS = "unauthorised_class"
    LOW_TRUST = "low_trust"


@dataclass(frozen=True)
class RestrictedClass:
    """Reserve a class for senders holding a role, e.g. 011 for management/control (§IV-A)."""

    service_class: ServiceClass
    required_role: NodeRole

    def __post_init__(self) -> None:
        object.__setattr__(self, "service_class", as_service_class(self.service_class))
        object.__setattr__(self, "required_role", as_node_role(self.required_role))


DEFAULT_MIN_TRUST = Fraction(1, 2)
"""Trust (probability of being honest) below which a sender's declared class is ignored."""

DEFAULT_RESTRICTED = (
    RestrictedClass(ServiceClass.MANAGEMENT_CONTROL, NodeRole.MANAGEMENT_CONTROL),
)
"""Only registered management/control nodes may send management/control (011) traffic."""

DEMOTION_FLOOR_SIZE = 2
DEFAULT_DEMOTION_FLOOR = tuple(reversed(CLASS_RANKING[-DEMOTION_FLOOR_SIZE:]))
"""The two last classes of Table II (scavenger, best effort), lowest first; every other class
ranks above them, unordered."""


@dataclass(frozen=True)
class ReclassificationPolicy:
    """Configure how the system overrides declared classes (§III-A; D-cos-1 .. D-cos-4).

    Rules, first match that changes the class wins: a banned sender (§IV-J) goes to
    ``banned_class``; a restricted class declared without its role goes to
    ``unauthorised_class``; a sender whose trust is below ``min_trust`` goes to
    ``low_trust_class``. A rule never promotes: it does not
    apply when the declared class ranks below its target (``rank``), so a sender may always
    volunteer for a less-served class such as scavenger.
    """

    min_trust: Fraction = DEFAULT_MIN_TRUST
    low_trust_class: ServiceClass = ServiceClass.BEST_EFFORT
    banned_class: ServiceClass = ServiceClass.SCAVENGER
    unauthorised_class: ServiceClass = ServiceClass.BEST_EFFORT
    restricted: tuple[RestrictedClass, ...] = DEFAULT_RESTRICTED
    demotion_floor: tuple[ServiceClass, ...] = DEFAULT_DEMOTION_FLOOR

    def __post_init__(self) -> None:
        object.__setattr__(self, "min_trust", _as_trust(self.min_trust, "min_trust"))
        for name in ("low_trust_class", "banned_class", "unauthorised_class"):
            object.__setattr__(self, name, as_service_class(getattr(self, name)))
        restricted = tuple(self.restricted)
        seen = [r.service_class for r in restricted]
        if len(set(seen)) != len(seen):
            raise SpecError(Reason.DUPLICATE_CLASS, "a class is restricted twice")
        object.__setattr__(self, "restricted", restricted)
        floor = tuple(as_service_class(c) for c in self.demotion_floor)
        if len(set(floor)) != len(floor):
            raise SpecError(Reason.DUPLICATE_CLASS, "a class appears twice in demotion_floor")
        object.__setattr__(self, "demotion_floor", floor)

    def rank(self, service_class: ServiceClass) -> int:
        """Return the demotion rank of a class: its place in the floor, else above it (§III-A)."""
        floor = self.demotion_floor
        return floor.index(service_class) if service_class in floor else len(floor)


DEFAULT_POLICY = ReclassificationPolicy()


@dataclass(frozen=True)
class Classification:
    """Record the declared class, the effective class and why they differ (§III-A)."""

    declared: ServiceClass
    effective: ServiceClass
    reason: ReclassificationReason


def reclassify(
    declared: ServiceClass,
    trust: Fraction,
    roles: Iterable[NodeRole] = frozenset(),
    policy: ReclassificationPolicy = DEFAULT_POLICY,
    *,
    banned: bool = False,
) -> Classification:
    """Return the class the system assigns to a declared class from a sender (§III-A).

    ``trust`` is the sender's probability of being honest, an exact number in [0, 1];
    ``roles`` are the node roles the system has registered for the sender; ``banned`` is
    true for a sender the penalty mechanism has excluded (§IV-J).
    """
    declared = as_service_class(declared)
    trust = _as_trust(trust, "trust")
    held = _as_roles(roles)
    required = {r.service_class: r.required_role for r in policy.restricted}
    rules = (
        (banned, policy.banned_class, ReclassificationReason.BANNED_SENDER),
        (
            declared in required and required[declared] not in held,
            policy.unauthorised_class,
            ReclassificationReason.UNAUTHORISED_CLASS,
        ),
        (trust < policy.min_trust, policy.low_trust_class, ReclassificationReason.LOW_TRUST),
    )
    for applies, target, reason in rules:
        if applies and target != declared and policy.rank(target) <= policy.rank(declared):
            return Classification(declared, target, reason)
    return Classification(declared, declared, ReclassificationReason.DECLARED)


def reclassify_transaction(
    tx: Transaction,
    trust: Fraction,
    roles: Iterable[NodeRole] = frozenset(),
    policy: ReclassificationPolicy = DEFAULT_POLICY,
    *,
    banned: bool = False,
) -> tuple[Transaction, Classification]:
    """Rewrite a transaction's class bits to its effective class, keeping reserved bits (§III-A)."""
    result = reclassify(tx.service_class, trust, roles, policy, banned=banned)
    rewritten = cos_byte(result.effective, reserved_bits(tx.cos))
    return replace(tx, cos=rewritten), result


def reclassify_from(
    tx: Transaction, sender: Sender, policy: ReclassificationPolicy = DEFAULT_POLICY
) -> tuple[Transaction, Classification]:
    """Reclassify a transaction with what the system knows of its sender (§III-A)."""
    return reclassify_transaction(tx, sender.trust, sender.roles, policy, banned=sender.banned)
