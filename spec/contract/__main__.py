"""``python -m spec.contract`` prints the contract registry."""

from spec.contract import table

print(table())
