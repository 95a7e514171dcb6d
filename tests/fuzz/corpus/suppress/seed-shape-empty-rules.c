go(f()); // tasklint-ignore(): nothing
