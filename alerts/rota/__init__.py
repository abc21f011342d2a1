"""The rota's actions and jobs: editing layers, covers and swaps, hand-off notices, holes in the week ahead."""
