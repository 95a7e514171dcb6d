char c = '"'; // tasklint-ignore(missing-timeout): after a quote char
