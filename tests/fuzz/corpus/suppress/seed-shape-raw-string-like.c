const char *r = R"(// tasklint-ignore(*): raw)";
