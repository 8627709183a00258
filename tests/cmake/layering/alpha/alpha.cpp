#include "kdbench/alpha/alpha.h"
int alpha_user() { return alpha(); }
