go(f()); // tasklint-ignore(orphaned-spawn):   
