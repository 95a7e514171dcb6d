go(f()); // tasklint-ignore(orphan-spawn): typo
