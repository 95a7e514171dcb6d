x(); // tasklint-ignore(missing-timeout): crlf
y();
