#include "kdbench/alpha/alpha.h"
int beta() { return alpha(); }
