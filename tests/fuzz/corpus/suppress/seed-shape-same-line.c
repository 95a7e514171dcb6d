go(f()); // tasklint-ignore(orphaned-spawn): owned by the pool
go(g());
