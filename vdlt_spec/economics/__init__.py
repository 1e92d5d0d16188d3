"""Token ledger, incentives and penalties (§IV-I, §IV-J)."""
