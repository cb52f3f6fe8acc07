"""The kernel every app uses and that imports no app (DESIGN.md, "Apps and the direction of
dependence"): the domain error and its HTTP shape, effects after commit, the database clock,
sync watermarks, status transitions and decisions, seams, locks, money, paging, input checks,
the small shared includes, static files and template tags (the page layout is portal's)."""
