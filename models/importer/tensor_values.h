#pragma once
// The values of an ONNX tensor (an initializer or a Constant's value), read
// only after checking that its dims and its data agree. A malformed tensor
// from a hostile or broken file is an ImportError naming it, never a read past
// the end of its bytes or an overflowing element count.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace qnnsim::onnx_import {

// More values than this in one tensor is rejected as malformed (the trace
// loader refuses layers past 2^40 MACs or weights for the same reason).
constexpr int64_t kMaxTensorValues = int64_t{1} << 40;

// The product of `dims`, checked before each multiplication; `what` names the
// tensor in the message ("initializer 'w'").
int64_t element_count(const google::protobuf::RepeatedField<int64_t>& dims, const std::string& what);

// a * b for shapes the import computes, refused past kMaxTensorValues
// rather than overflowing; `what` says what is being counted.
int64_t checked_product(int64_t a, int64_t b, const std::string& what);

// Throws unless the tensor's data holds exactly as many values as its dims
// say, in the encoding its data type prescribes (raw little-endian bytes or the
// typed field the ONNX spec assigns that type).
void check_tensor(const onnx::TensorProto& t, const std::string& what);

// A value read as a double (a shape, an index, a pad) as an int64: an
// ImportError naming `what` if it is not finite or lies outside int64.
int64_t to_int64(double v, const std::string& what);

// Whether the data type is one of ONNX's integer types (bool excluded).
bool is_integer_type(int data_type);

// Calls fn(index, value) for every value in storage order, as a double,
// without a copy of the tensor (a VGG fc layer holds 10^8 weights). Checks first.
void for_each_value(const onnx::TensorProto& t, const std::string& what, const std::function<void(int64_t, double)>& fn);

// Every value as a double, in storage order (a float16 is widened; an int64
// past 2^53 rounds, which statistics and shapes tolerate). Checks first.
std::vector<double> tensor_values(const onnx::TensorProto& t, const std::string& what);

}  // namespace qnnsim::onnx_import
