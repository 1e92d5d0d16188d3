"""The vDLT system end to end (Fig. 3): the components composed into one simulation."""
