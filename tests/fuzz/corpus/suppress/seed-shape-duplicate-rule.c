x(); // tasklint-ignore(missing-timeout, missing-timeout): twice
