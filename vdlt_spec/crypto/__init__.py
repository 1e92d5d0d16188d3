"""EC-Schnorr (BIP340), MuSig2 (BIP327) and signer-bitmap certificates (§IV-D)."""
