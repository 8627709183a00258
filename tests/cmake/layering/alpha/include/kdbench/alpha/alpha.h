inline int alpha() { return 1; }
