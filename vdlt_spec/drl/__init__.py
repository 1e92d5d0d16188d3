"""Deep reinforcement learning for Eq. (1) (§IV-F): the Gymnasium environment and the agent."""
