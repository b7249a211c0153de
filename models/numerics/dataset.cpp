#include "numerics/dataset.h"

#include <cstdlib>
#include <filesystem>

#include "numerics/eval_error.h"
#include "numerics/idx_file.h"

namespace qnnsim::numerics {

namespace {

// Where Debian's dataset-fashion-mnist installs its files.
constexpr const char* kDebianFashionMnist = "/usr/share/datasets/fashion-mnist";

// The compressed file when it is there (Debian's), else the plain one.
std::string find_file(const std::string& folder, const std::string& stem) {
  namespace fs = std::filesystem;
  for (const std::string& candidate : {stem + ".gz", stem})
    if (fs::is_regular_file(fs::path(folder) / candidate)) return (fs::path(folder) / candidate).string();
  throw EvalError("data set folder '" + folder + "': no " + stem + "[.gz] (expected the idx files of the MNIST layout)");
}

}  // namespace

std::string dataset_folder(const std::string& name) {
  if (name == "fashion-mnist") {
    const char* env = std::getenv("QNNSIM_FASHION_MNIST");
    return env && *env ? env : kDebianFashionMnist;
  }
  return name;
}

Dataset load_dataset(const std::string& name, Split split, int64_t limit) {
  Dataset d;
  d.name = name;
  d.folder = dataset_folder(name);
  if (!std::filesystem::is_directory(d.folder)) {
    std::string hint = name == "fashion-mnist" ? " (install Debian's dataset-fashion-mnist: scripts/setup.sh does)" : "";
    throw EvalError("data set '" + name + "': folder '" + d.folder + "' does not exist" + hint);
  }
  const std::string prefix = split == Split::train ? "train" : "t10k";
  const std::string image_path = find_file(d.folder, prefix + "-images-idx3-ubyte");
  const std::string label_path = find_file(d.folder, prefix + "-labels-idx1-ubyte");
  IdxArray images = read_idx(image_path);
  IdxArray labels = read_idx(label_path);
  if (images.dims.size() != 3) throw EvalError(image_path + ": expected 3 dimensions (images, rows, columns)");
  if (labels.dims.size() != 1) throw EvalError(label_path + ": expected 1 dimension (images)");
  if (images.dims[0] != labels.dims[0])
    throw EvalError(label_path + ": " + std::to_string(labels.dims[0]) + " labels for " + std::to_string(images.dims[0]) +
                    " images in " + image_path);
  for (const uint8_t l : labels.data)
    if (l > 9) throw EvalError(label_path + ": label " + std::to_string(l) + ", expected 0 to 9");
  d.count = limit > 0 && limit < images.dims[0] ? limit : images.dims[0];
  d.rows = static_cast<int>(images.dims[1]);
  d.cols = static_cast<int>(images.dims[2]);
  images.data.resize(static_cast<std::size_t>(d.count * d.rows * d.cols));
  labels.data.resize(static_cast<std::size_t>(d.count));
  d.pixels = std::move(images.data);
  d.labels = std::move(labels.data);
  return d;
}

}  // namespace qnnsim::numerics
