"// tasklint-ignore(*): x
