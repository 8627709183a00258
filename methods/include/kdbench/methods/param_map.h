#pragma once
// Raw `key = value` strings of a grid's [method.NAME] section. Kept apart from method.h so the
// grid headers need no LibTorch.
#include <map>
#include <string>

namespace kdbench::methods {

using ParamMap = std::map<std::string, std::string>;

}  // namespace kdbench::methods
