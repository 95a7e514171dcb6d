x(); // tasklint-ignore(missing-timeout): ÿş bytes
