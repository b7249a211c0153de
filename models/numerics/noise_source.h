#pragma once
// A small, fast, seedable source of uniform and standard normal numbers for
// the device model. The standard library's engines are seedable but slow for
// a draw per ADC conversion, and std::normal_distribution's algorithm differs
// between library versions; this one is the same everywhere.
//
// Generator: SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom
// number generators", OOPSLA 2014), which passes BigCrush and needs one 64-bit
// state word, so a stream per (seed, image, layer) is cheap to start.
// Normals: the Box-Muller transform, both outputs used.
#include <cmath>
#include <cstdint>

namespace qnnsim::numerics {

class NoiseSource {
 public:
  explicit NoiseSource(uint64_t seed) : state_(seed) {}
  // An independent stream for each of several keys under one seed.
  NoiseSource(uint64_t seed, uint64_t key1, uint64_t key2 = 0)
      : state_(mix(mix(seed ^ 0x6a09e667f3bcc909ull) ^ key1) ^ mix(key2 + 0x3c6ef372fe94f82bull)) {}

  uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ull;
    return mix(state_);
  }
  // Uniform in (0, 1): never 0, so log() is defined.
  double uniform() { return (double(next() >> 11) + 0.5) * (1.0 / 9007199254740992.0); }
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(uniform()));
    const double a = 6.283185307179586 * uniform();
    spare_ = r * std::sin(a);
    has_spare_ = true;
    return r * std::cos(a);
  }

 private:
  static uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

  uint64_t state_;
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace qnnsim::numerics
