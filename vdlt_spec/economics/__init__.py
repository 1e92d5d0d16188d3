"""Incentives, penalties and the economy state machine (§IV-I, §IV-J)."""
