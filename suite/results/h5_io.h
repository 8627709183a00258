#pragma once
// Internal to kdbench_results: typed attribute and 1-D dataset helpers over the HDF5 C++ API, and
// the conversion of H5::Exception into IoError. Not installed, not included by public headers.
#include <H5Cpp.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kdbench::results::h5 {

// Runs `body`; an H5::Exception becomes IoError("<path>: <what> failed (HDF5: <call>: <cause>)").
template <typename F>
auto guarded(const std::string& path, const std::string& what, F&& body) -> decltype(body());

// The deepest description on HDF5's current error stack ("" when empty).
std::string innermost_hdf5_error();
[[noreturn]] void rethrow_as_io_error(const std::string& path, const std::string& what,
                                      const H5::Exception& e);

// Attributes are (re)written: an existing attribute of the same name is replaced, since its type
// or size may differ. Strings are fixed-length (= their byte length), NUL-padded UTF-8 scalars:
// h5py reads them as bytes (value.decode()); variable-length strings would read as str but leak
// global-heap space on every rewrite, and a replaced run must not grow the file.
void write_string(const H5::H5Object& obj, const std::string& name, const std::string& value);
void write_int(const H5::H5Object& obj, const std::string& name, int64_t value,
               const H5::PredType& file_type = H5::PredType::STD_I32LE);
void write_double(const H5::H5Object& obj, const std::string& name, double value);

// Readers throw IoError naming `where` (an HDF5 path) and the attribute when it is missing.
std::string read_string(const H5::H5Object& obj, const std::string& where, const std::string& name);
int64_t read_int(const H5::H5Object& obj, const std::string& where, const std::string& name);
double read_double(const H5::H5Object& obj, const std::string& where, const std::string& name);

// Every attribute of `obj` as text (strings as is, numbers printed), for provenance listings.
std::map<std::string, std::string> read_all_as_text(const H5::H5Object& obj);

// 1-D datasets; zero length is allowed (a run that has not finished an epoch).
void write_ints(const H5::Group& g, const std::string& name, const std::vector<int>& v);
void write_doubles(const H5::Group& g, const std::string& name, const std::vector<double>& v);
std::vector<int> read_ints(const H5::Group& g, const std::string& name);
std::vector<double> read_doubles(const H5::Group& g, const std::string& name);

template <typename F>
auto guarded(const std::string& path, const std::string& what, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const H5::Exception& e) {
    rethrow_as_io_error(path, what, e);
  }
}

}  // namespace kdbench::results::h5
