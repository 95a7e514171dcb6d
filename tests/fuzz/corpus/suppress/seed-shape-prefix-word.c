x(); // mytasklint-ignore(missing-timeout): not ours
