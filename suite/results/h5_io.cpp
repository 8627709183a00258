#include "h5_io.h"

#include <algorithm>
#include <cstdio>

#include "kdbench/core/errors.h"

namespace kdbench::results::h5 {
namespace {

// Fixed length = the value's length: HDF5 never reclaims the global-heap space of a
// variable-length string attribute, so every replaced run would grow the file for good.
H5::StrType utf8_string_type(size_t length) {
  H5::StrType t(H5::PredType::C_S1, std::max<size_t>(length, 1));  // HDF5 needs >= 1 byte
  t.setStrpad(H5T_STR_NULLPAD);
  t.setCset(H5T_CSET_UTF8);
  return t;
}

H5::Attribute replace_attribute(const H5::H5Object& obj, const std::string& name,
                                const H5::DataType& type) {
  if (obj.attrExists(name)) obj.removeAttr(name);
  return obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
}

H5::Attribute open_required(const H5::H5Object& obj, const std::string& where,
                            const std::string& name) {
  if (!obj.attrExists(name)) throw IoError(where + ": attribute '" + name + "' is missing");
  return obj.openAttribute(name);
}

std::string format_double(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

template <typename T>
void write_vector(const H5::Group& g, const std::string& name, const std::vector<T>& v,
                  const H5::PredType& file_type, const H5::PredType& mem_type) {
  const hsize_t dims[1] = {v.size()};
  H5::DataSet ds = g.createDataSet(name, file_type, H5::DataSpace(1, dims));
  if (!v.empty()) ds.write(v.data(), mem_type);
}

template <typename T>
std::vector<T> read_vector(const H5::Group& g, const std::string& name,
                           const H5::PredType& mem_type) {
  if (!g.nameExists(name)) throw IoError(g.getObjName() + ": dataset '" + name + "' is missing");
  H5::DataSet ds = g.openDataSet(name);
  H5::DataSpace space = ds.getSpace();
  if (space.getSimpleExtentNdims() != 1) {
    throw IoError(g.getObjName() + "/" + name + ": expected a 1-D dataset");
  }
  std::vector<T> out(static_cast<size_t>(space.getSimpleExtentNpoints()));
  if (!out.empty()) ds.read(out.data(), mem_type);
  return out;
}

}  // namespace

std::string innermost_hdf5_error() {
  std::string innermost;
  auto keep_last = [](unsigned, const H5E_error2_t* err, void* out) -> herr_t {
    if (err->desc != nullptr && *err->desc != '\0') *static_cast<std::string*>(out) = err->desc;
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, keep_last, &innermost);
  return innermost;
}

void rethrow_as_io_error(const std::string& path, const std::string& what, const H5::Exception& e) {
  // The C++ message names only the failed API call ("H5Fopen failed"); the cause ("unable to
  // lock file", "file locking flag values don't match") is at the bottom of the error stack.
  std::string detail = e.getDetailMsg();
  const std::string cause = innermost_hdf5_error();
  if (!cause.empty()) detail += ": " + cause;
  throw IoError(path + ": " + what + " failed (HDF5: " + detail + ")");
}

void write_string(const H5::H5Object& obj, const std::string& name, const std::string& value) {
  const H5::StrType type = utf8_string_type(value.size());
  // An empty value is written as one NUL byte, which every reader strips.
  const std::string padded = value.empty() ? std::string(1, '\0') : value;
  replace_attribute(obj, name, type).write(type, padded.data());
}

void write_int(const H5::H5Object& obj, const std::string& name, int64_t value,
               const H5::PredType& file_type) {
  replace_attribute(obj, name, file_type).write(H5::PredType::NATIVE_INT64, &value);
}

void write_double(const H5::H5Object& obj, const std::string& name, double value) {
  replace_attribute(obj, name, H5::PredType::IEEE_F64LE).write(H5::PredType::NATIVE_DOUBLE, &value);
}

std::string read_string(const H5::H5Object& obj, const std::string& where,
                        const std::string& name) {
  H5::Attribute a = open_required(obj, where, name);
  if (a.getTypeClass() != H5T_STRING) {
    throw IoError(where + ": attribute '" + name + "' is not a string");
  }
  std::string value;
  a.read(a.getStrType(), value);  // the file's own string type: fixed or variable length
  return value;
}

int64_t read_int(const H5::H5Object& obj, const std::string& where, const std::string& name) {
  H5::Attribute a = open_required(obj, where, name);
  if (a.getTypeClass() != H5T_INTEGER) {
    throw IoError(where + ": attribute '" + name + "' is not an integer");
  }
  int64_t value = 0;
  a.read(H5::PredType::NATIVE_INT64, &value);
  return value;
}

double read_double(const H5::H5Object& obj, const std::string& where, const std::string& name) {
  H5::Attribute a = open_required(obj, where, name);
  const H5T_class_t cls = a.getTypeClass();
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) {
    throw IoError(where + ": attribute '" + name + "' is not a number");
  }
  double value = 0;
  a.read(H5::PredType::NATIVE_DOUBLE, &value);
  return value;
}

std::map<std::string, std::string> read_all_as_text(const H5::H5Object& obj) {
  std::map<std::string, std::string> out;
  const std::string where = obj.getObjName();
  for (int i = 0; i < obj.getNumAttrs(); ++i) {
    const std::string name = obj.openAttribute(static_cast<unsigned>(i)).getName();
    H5::Attribute a = obj.openAttribute(name);
    if (a.getSpace().getSimpleExtentNpoints() != 1) continue;  // arrays: not provenance text
    switch (a.getTypeClass()) {
      case H5T_STRING:
        out[name] = read_string(obj, where, name);
        break;
      case H5T_INTEGER:
        out[name] = std::to_string(read_int(obj, where, name));
        break;
      case H5T_FLOAT:
        out[name] = format_double(read_double(obj, where, name));
        break;
      default:
        break;
    }
  }
  return out;
}

void write_ints(const H5::Group& g, const std::string& name, const std::vector<int>& v) {
  write_vector(g, name, v, H5::PredType::STD_I32LE, H5::PredType::NATIVE_INT);
}

void write_doubles(const H5::Group& g, const std::string& name, const std::vector<double>& v) {
  write_vector(g, name, v, H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE);
}

std::vector<int> read_ints(const H5::Group& g, const std::string& name) {
  return read_vector<int>(g, name, H5::PredType::NATIVE_INT);
}

std::vector<double> read_doubles(const H5::Group& g, const std::string& name) {
  return read_vector<double>(g, name, H5::PredType::NATIVE_DOUBLE);
}

}  // namespace kdbench::results::h5
