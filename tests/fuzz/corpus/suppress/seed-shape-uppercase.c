x(); // TASKLINT-IGNORE(missing-timeout): case
