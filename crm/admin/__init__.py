"""The administration area: one page linking every administrative page the user may open."""
