"""iPBFT among management/control nodes with multisignature certificates (§III-D, §IV-D)."""
