#pragma once
#include "kdbench/alpha/alpha.h"
inline int gamma_value() { return alpha(); }
