"""DPoS, quadratic voting with token lock, self-amending governance (§III-D, §IV-C, §IV-K)."""
