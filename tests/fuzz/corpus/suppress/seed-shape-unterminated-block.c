/* tasklint-ignore(*): never closed
