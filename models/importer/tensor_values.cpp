#include "importer/tensor_values.h"

#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "importer/onnx_import.h"

namespace qnnsim::onnx_import {

namespace {

using onnx::TensorProto;

// Bytes per value in raw_data; 0 for types the import does not read (strings).
std::size_t element_size(int type) {
  switch (type) {
    case TensorProto::BOOL:
    case TensorProto::INT8:
    case TensorProto::UINT8: return 1;
    case TensorProto::INT16:
    case TensorProto::UINT16:
    case TensorProto::FLOAT16:
    case TensorProto::BFLOAT16: return 2;
    case TensorProto::INT32:
    case TensorProto::UINT32:
    case TensorProto::FLOAT: return 4;
    case TensorProto::INT64:
    case TensorProto::UINT64:
    case TensorProto::DOUBLE: return 8;
    default: return 0;
  }
}

// How many values the typed field that the ONNX spec assigns this type holds.
int64_t typed_count(const TensorProto& t) {
  switch (t.data_type()) {
    case TensorProto::FLOAT: return t.float_data_size();
    case TensorProto::DOUBLE: return t.double_data_size();
    case TensorProto::INT64: return t.int64_data_size();
    case TensorProto::UINT32:
    case TensorProto::UINT64: return t.uint64_data_size();
    default: return t.int32_data_size();  // the 8- and 16-bit types, int32, bool, float16
  }
}

std::string dims_text(const TensorProto& t) { return fmt::format("[{}]", fmt::join(t.dims(), ", ")); }

float half_to_float(uint16_t h) {
  const int exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  const float sign = (h & 0x8000) ? -1.0f : 1.0f;
  if (exponent == 0) return sign * std::ldexp(static_cast<float>(mantissa), -24);
  if (exponent == 31) return mantissa ? NAN : sign * INFINITY;
  return sign * std::ldexp(static_cast<float>(mantissa + 1024), exponent - 25);
}

float bfloat_to_float(uint16_t b) {
  const uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f = 0;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// One raw little-endian value of the tensor's type at byte offset `at`.
double raw_value(int type, const char* at) {
  auto get = [at](auto v) {
    std::memcpy(&v, at, sizeof v);
    return v;
  };
  switch (type) {
    case TensorProto::BOOL: return get(uint8_t{}) != 0;
    case TensorProto::INT8: return get(int8_t{});
    case TensorProto::UINT8: return get(uint8_t{});
    case TensorProto::INT16: return get(int16_t{});
    case TensorProto::UINT16: return get(uint16_t{});
    case TensorProto::FLOAT16: return half_to_float(get(uint16_t{}));
    case TensorProto::BFLOAT16: return bfloat_to_float(get(uint16_t{}));
    case TensorProto::INT32: return get(int32_t{});
    case TensorProto::UINT32: return get(uint32_t{});
    case TensorProto::FLOAT: return get(float{});
    case TensorProto::INT64: return static_cast<double>(get(int64_t{}));
    case TensorProto::UINT64: return static_cast<double>(get(uint64_t{}));
    case TensorProto::DOUBLE: return get(double{});
    default: return NAN;
  }
}

}  // namespace

int64_t element_count(const google::protobuf::RepeatedField<int64_t>& dims, const std::string& what) {
  int64_t count = 1;
  for (const int64_t d : dims) {
    if (d < 0) throw ImportError(what + fmt::format(": dimension {} is negative", d));
    if (d != 0 && count > kMaxTensorValues / d)
      throw ImportError(what + fmt::format(": dims [{}] hold more than 2^40 values", fmt::join(dims, ", ")));
    count *= d;
  }
  return count;
}

int64_t checked_product(int64_t a, int64_t b, const std::string& what) {
  if (a < 0 || b < 0 || (b != 0 && a > kMaxTensorValues / b))
    throw ImportError(what + fmt::format(": {} x {} is negative or more than 2^40", a, b));
  return a * b;
}

int64_t to_int64(double v, const std::string& what) {
  // 2^63 is exactly representable; anything at or past it does not fit.
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0))
    throw ImportError(what + fmt::format(": value {} is not an integer that fits 64 bits", v));
  return static_cast<int64_t>(v);
}

bool is_integer_type(int type) {
  switch (type) {
    case TensorProto::INT8:
    case TensorProto::UINT8:
    case TensorProto::INT16:
    case TensorProto::UINT16:
    case TensorProto::INT32:
    case TensorProto::UINT32:
    case TensorProto::INT64:
    case TensorProto::UINT64: return true;
    default: return false;
  }
}

void check_tensor(const TensorProto& t, const std::string& what) {
  if (t.data_location() == TensorProto::EXTERNAL)
    throw ImportError(what + ": its data is in an external file, which the import does not read; save the model "
                             "with its data inside (onnx.save(model, path, save_as_external_data=False))");
  const int64_t count = element_count(t.dims(), what);
  const std::size_t size = element_size(t.data_type());
  if (size == 0)
    throw ImportError(what + fmt::format(": data type {} is not a numeric type the import reads",
                                         TensorProto::DataType_Name(static_cast<TensorProto::DataType>(t.data_type()))));
  const int64_t typed = typed_count(t);
  if (t.has_raw_data() && typed > 0)
    throw ImportError(what + ": holds both raw_data and typed values; expected one of them");
  if (t.has_raw_data()) {
    const uint64_t expected = static_cast<uint64_t>(count) * size;
    if (t.raw_data().size() != expected)
      throw ImportError(what + fmt::format(": raw_data has {} bytes; dims {} of {} take {} bytes", t.raw_data().size(),
                                           dims_text(t),
                                           TensorProto::DataType_Name(static_cast<TensorProto::DataType>(t.data_type())),
                                           expected));
  } else if (typed != count) {
    throw ImportError(what + fmt::format(": holds {} values; dims {} take {}", typed, dims_text(t), count));
  }
}

void for_each_value(const TensorProto& t, const std::string& what, const std::function<void(int64_t, double)>& fn) {
  check_tensor(t, what);
  const int type = t.data_type();
  if (t.has_raw_data()) {
    const std::size_t size = element_size(type);
    int64_t i = 0;
    for (std::size_t at = 0; at < t.raw_data().size(); at += size) fn(i++, raw_value(type, t.raw_data().data() + at));
    return;
  }
  const auto each = [&fn](const auto& field, auto convert) {
    int64_t i = 0;
    for (const auto x : field) fn(i++, convert(x));
  };
  const auto plain = [](auto x) { return static_cast<double>(x); };
  switch (type) {
    case TensorProto::FLOAT: return each(t.float_data(), plain);
    case TensorProto::DOUBLE: return each(t.double_data(), plain);
    case TensorProto::INT64: return each(t.int64_data(), plain);
    case TensorProto::UINT32:
    case TensorProto::UINT64: return each(t.uint64_data(), plain);
    case TensorProto::FLOAT16:
      return each(t.int32_data(), [](int32_t x) { return static_cast<double>(half_to_float(static_cast<uint16_t>(x))); });
    case TensorProto::BFLOAT16:
      return each(t.int32_data(), [](int32_t x) { return static_cast<double>(bfloat_to_float(static_cast<uint16_t>(x))); });
    default: return each(t.int32_data(), plain);
  }
}

std::vector<double> tensor_values(const TensorProto& t, const std::string& what) {
  std::vector<double> v;
  for_each_value(t, what, [&v](int64_t, double x) { v.push_back(x); });
  return v;
}

}  // namespace qnnsim::onnx_import
