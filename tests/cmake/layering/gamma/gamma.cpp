#include "kdbench/gamma/gamma.h"
int gamma_user() { return gamma_value(); }
