#pragma once
// An image-classification data set as evaluation reads it: 8-bit grey images
// and their labels. `fashion-mnist` names Debian's dataset-fashion-mnist
// (its idx files under /usr/share/datasets/fashion-mnist, or the folder in
// QNNSIM_FASHION_MNIST); any other name is a folder holding the four idx
// files of the MNIST layout (train-images-idx3-ubyte[.gz], ...).
#include <cstdint>
#include <string>
#include <vector>

namespace qnnsim::numerics {

enum class Split { train, test };

struct Dataset {
  std::string name;  // as the user gave it
  std::string folder;
  int64_t count = 0;
  int rows = 0, cols = 0;
  std::vector<uint8_t> pixels;  // count x rows x cols
  std::vector<uint8_t> labels;  // count, 0..9

  const uint8_t* image(int64_t i) const { return pixels.data() + i * rows * cols; }
};

// The folder a data-set name stands for (not checked to exist).
std::string dataset_folder(const std::string& name);

// Loads one split, the first `limit` images (0: all). Throws EvalError naming
// the file when the folder or a file is missing, or images and labels disagree.
Dataset load_dataset(const std::string& name, Split split, int64_t limit = 0);

}  // namespace qnnsim::numerics
