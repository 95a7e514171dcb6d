const char *s = "\" // tasklint-ignore(*): still a string";
