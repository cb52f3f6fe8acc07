"""The kernel every app uses and that imports no app (DESIGN.md, "Apps and the direction of
dependence"): the domain error and its HTTP shape, effects after commit, the database clock,
sync stamps, status transitions and decisions, seams, locks, money, paging, input checks and the
shared page layout (templates, static files, template tags)."""
