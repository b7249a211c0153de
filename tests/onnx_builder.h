#pragma once
// Builds small ONNX models in the tests themselves, through the protobuf
// classes of Debian's libonnx-dev, so no model is downloaded.
#include <cstdint>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace qnnsim::test {

class OnnxBuilder {
 public:
  // A graph with one float input of the given dims (-1: unknown).
  OnnxBuilder(const std::string& graph_name, const std::string& input, const std::vector<int64_t>& dims);

  // Declares a graph input of the given element type and dims (-1:
  // unknown), or declares the one of that name again (a Hugging Face
  // export's int64 input_ids beside its token_type_ids and attention_mask).
  void input(const std::string& name, const std::vector<int64_t>& dims,
             onnx::TensorProto::DataType type = onnx::TensorProto::FLOAT);
  // A float initializer of the given dims, values cycling through `values`.
  void weights(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values = {0.5f});
  // An integer initializer (a zero point, or int8 weights) of the given type.
  void integers(const std::string& name, onnx::TensorProto::DataType type, const std::vector<int64_t>& dims,
                const std::vector<int32_t>& values);
  // An initializer whose raw_data is `bytes` as given, whatever the dims say
  // (malformed models for the tests of the import's checks).
  void raw(const std::string& name, onnx::TensorProto::DataType type, const std::vector<int64_t>& dims,
           const std::string& bytes);
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs, const std::string& output,
                        const std::string& name = "");
  static void ints(onnx::NodeProto& n, const std::string& key, const std::vector<int64_t>& values);
  static void integer(onnx::NodeProto& n, const std::string& key, int64_t value);
  static void text(onnx::NodeProto& n, const std::string& key, const std::string& value);
  // A Constant node named "const_<out>" giving int64 values (shapes, split sizes, indices).
  void int64_constant(const std::string& out, const std::vector<int64_t>& dims, const std::vector<int64_t>& values);
  void output(const std::string& name);
  // Writes the model to `path`.
  void save(const std::string& path) const;

 private:
  onnx::ModelProto model_;
};

}  // namespace qnnsim::test
