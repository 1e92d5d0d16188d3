"""Resource allocation of Eq. (1): instances, evaluator, baselines, selection (§IV-E, §IV-G)."""
