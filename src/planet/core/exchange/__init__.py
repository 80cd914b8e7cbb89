"""The exchange: businesses' diamonds, data requests with escrow, grants, offers and redemptions."""
