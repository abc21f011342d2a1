"""The rota (turni): who holds a role at a given moment, from weekly layers and their overrides."""
