"""Example implementations of the contract, other than the reference ``impl``."""
