"""Configure a CBWFQ link: its rate, one queue per listed class, class-default (§IV-A, Fig. 7).

One FIFO queue per configured class, each with a bandwidth share and a queue limit; classes
that are not configured share one queue, *class-default* (D-queue-3). The shares of the queues
in use must fit in the link. Every value is exact (``Fraction``, ``int``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from fractions import Fraction
from functools import cached_property

from vdlt_spec.cos import CLASS_RANKING, ServiceClass, as_service_class
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.exact import as_fraction, as_int

DEFAULT_QUEUE_LIMIT = 64
"""Transactions that may wait in one class queue: Cisco's default CBWFQ queue-limit (D-queue-4)."""

DEFAULT_RATE = Fraction(1)
"""Link rate in size units per unit of time; with rate 1, time is counted in size units."""

LINK_CAPACITY = Fraction(1)
"""The whole link as a share: the shares of all queues in use must fit in it."""

PERCENT = Fraction(1, 100)

VDLT_DEFAULT_SHARES: Mapping[ServiceClass, Fraction] = {
    ServiceClass.FAST_CONFIRMATION: 25 * PERCENT,
    ServiceClass.COMPUTATION_INTENSIVE: 10 * PERCENT,
    ServiceClass.STORAGE_INTENSIVE: 10 * PERCENT,
    ServiceClass.LOW_COST: 10 * PERCENT,
    ServiceClass.MANAGEMENT_CONTROL: 10 * PERCENT,
    ServiceClass.PRIVATE: 10 * PERCENT,
    ServiceClass.BEST_EFFORT: 24 * PERCENT,
    ServiceClass.SCAVENGER: 1 * PERCENT,
}
"""The vDLT default bandwidth share of each class (D-queue-2), in Table II order; they sum to
the whole link."""


class ClassDefault(Enum):
    """Name the queue shared by every class that the configuration does not list (D-queue-3)."""

    CLASS_DEFAULT = "class-default"


CLASS_DEFAULT = ClassDefault.CLASS_DEFAULT
QueueKey = ServiceClass | ClassDefault


# --- configuration ----------------------------------------------------------------------------


def _positive_share(value: object, what: str) -> Fraction:
    share = as_fraction(value, what)
    if share <= 0:
        raise SpecError(Reason.NON_POSITIVE_WEIGHT, f"{what} must be > 0, got {share}")
    return share


def _positive_limit(value: object, what: str) -> int:
    limit = as_int(value, what)
    if limit <= 0:
        raise SpecError(Reason.NON_POSITIVE_LIMIT, f"{what} must be >= 1, got {limit}")
    return limit


@dataclass(frozen=True)
class ClassPolicy:
    """Configure one class queue: its bandwidth share of the link and its limit (§IV-A)."""

    service_class: ServiceClass
    share: Fraction
    limit: int = DEFAULT_QUEUE_LIMIT

    def __post_init__(self) -> None:
        cls = as_service_class(self.service_class)
        object.__setattr__(self, "service_class", cls)
        object.__setattr__(self, "share", _positive_share(self.share, f"share of {cls.name}"))
        object.__setattr__(self, "limit", _positive_limit(self.limit, f"limit of {cls.name}"))


@dataclass(frozen=True)
class DefaultPolicy:
    """Configure class-default; share ``None`` takes what listed classes leave (D-queue-3)."""

    share: Fraction | None = None
    limit: int = DEFAULT_QUEUE_LIMIT

    def __post_init__(self) -> None:
        if self.share is not None:
            object.__setattr__(self, "share", _positive_share(self.share, "class-default share"))
        object.__setattr__(self, "limit", _positive_limit(self.limit, "class-default limit"))


VDLT_DEFAULT_CLASSES = tuple(ClassPolicy(c, s) for c, s in VDLT_DEFAULT_SHARES.items())


@dataclass(frozen=True)
class CbwfqConfig:
    """Configure a CBWFQ link: its rate, the listed class queues and class-default (§IV-A).

    Rejected with a reason: a non-positive rate, share or limit, an unknown or duplicate class,
    and shares of the queues in use that do not fit in the link (their sum exceeds 1).
    """

    rate: Fraction = DEFAULT_RATE
    classes: tuple[ClassPolicy, ...] = VDLT_DEFAULT_CLASSES
    class_default: DefaultPolicy = field(default_factory=DefaultPolicy)

    def __post_init__(self) -> None:
        rate = as_fraction(self.rate, "rate")
        if rate <= 0:
            raise SpecError(Reason.NON_POSITIVE_RATE, f"rate must be > 0, got {rate}")
        object.__setattr__(self, "rate", rate)
        classes = tuple(self.classes)
        for policy in classes:
            if not isinstance(policy, ClassPolicy):
                raise SpecError(Reason.UNKNOWN_CLASS, f"not a class policy: {policy!r}")
        listed = [p.service_class for p in classes]
        duplicates = sorted({c.name for c in listed if listed.count(c) > 1})
        if duplicates:
            raise SpecError(Reason.DUPLICATE_CLASS, f"configured twice: {', '.join(duplicates)}")
        object.__setattr__(self, "classes", classes)
        if not isinstance(self.class_default, DefaultPolicy):
            raise SpecError(Reason.SCHEMA_VIOLATION, "class_default must be a DefaultPolicy")
        reserved = sum((p.share for p in classes), Fraction(0))
        if reserved > LINK_CAPACITY:
            raise SpecError(
                Reason.SHARES_EXCEED_CAPACITY,
                f"class shares sum to {reserved} > {LINK_CAPACITY} of the link",
            )
        if self.unlisted_classes:
            total = reserved + self.default_share
            if self.default_share <= 0 or total > LINK_CAPACITY:
                raise SpecError(
                    Reason.SHARES_EXCEED_CAPACITY,
                    f"class-default (carrying {', '.join(c.name for c in self.unlisted_classes)})"
                    f" needs a share > 0 within the link: listed classes take {reserved},"
                    f" class-default {self.default_share}, the link is {LINK_CAPACITY}",
                )

    @cached_property
    def unlisted_classes(self) -> tuple[ServiceClass, ...]:
        """Return the classes that fall into class-default, in Table II order (§IV-A)."""
        listed = {p.service_class for p in self.classes}
        return tuple(c for c in CLASS_RANKING if c not in listed)

    @cached_property
    def default_share(self) -> Fraction:
        """Return class-default's share: as set, else what listed classes leave (§IV-A)."""
        if self.class_default.share is not None:
            return self.class_default.share
        return LINK_CAPACITY - sum((p.share for p in self.classes), Fraction(0))

    @cached_property
    def queue_keys(self) -> tuple[QueueKey, ...]:
        """Return the queues in use: listed classes, then class-default if used (§IV-A)."""
        keys: list[QueueKey] = [p.service_class for p in self.classes]
        if self.unlisted_classes:
            keys.append(CLASS_DEFAULT)
        return tuple(keys)

    @cached_property
    def shares(self) -> Mapping[QueueKey, Fraction]:
        """Return the share of every queue in use (§IV-A)."""
        result: dict[QueueKey, Fraction] = {p.service_class: p.share for p in self.classes}
        if self.unlisted_classes:
            result[CLASS_DEFAULT] = self.default_share
        return result

    @cached_property
    def limits(self) -> Mapping[QueueKey, int]:
        """Return the queue limit of every queue in use (§IV-A)."""
        result: dict[QueueKey, int] = {p.service_class: p.limit for p in self.classes}
        if self.unlisted_classes:
            result[CLASS_DEFAULT] = self.class_default.limit
        return result

    def queue_of(self, service_class: ServiceClass) -> QueueKey:
        """Return the queue that carries a class: its own, or class-default (§IV-A, D-queue-3)."""
        return CLASS_DEFAULT if service_class in self.unlisted_classes else service_class


def default_config(rate: Fraction = DEFAULT_RATE) -> CbwfqConfig:
    """Return the vDLT default CBWFQ configuration on a link of ``rate`` (§IV-A, D-queue-2)."""
    return CbwfqConfig(rate=rate)


def fifo_config(rate: Fraction = DEFAULT_RATE, limit: int = DEFAULT_QUEUE_LIMIT) -> CbwfqConfig:
    """Return a configuration with no listed class: one FIFO queue, class-default (§I, §IV-A)."""
    return CbwfqConfig(rate=rate, classes=(), class_default=DefaultPolicy(limit=limit))


def scale_shares(config: CbwfqConfig, factor: Fraction) -> CbwfqConfig:
    """Return ``config`` with every share, class-default's included, times ``factor`` (§IV-A)."""
    factor = as_fraction(factor, "factor")
    default = config.class_default
    return replace(
        config,
        classes=tuple(replace(p, share=p.share * factor) for p in config.classes),
        class_default=replace(default, share=config.default_share * factor)
        if config.unlisted_classes
        else default,
    )
