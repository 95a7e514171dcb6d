const char *s = "// tasklint-ignore(*): not a comment";
