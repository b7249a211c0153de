#include "core/quantity.h"

#include <cmath>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

namespace qnnsim {

namespace {

using UnitTable = std::map<std::string, double>;

const UnitTable& units_for(Dimension d) {
  static const UnitTable bits = {{"bit", 1},           {"bits", 1},           {"b", 1},
                                 {"B", 8},             {"byte", 8},           {"bytes", 8},
                                 {"Kib", 1024.0},      {"Mib", 1048576.0},    {"KiB", 8192.0},
                                 {"MiB", 8388608.0},   {"GiB", 8589934592.0}, {"kB", 8000.0},
                                 {"MB", 8.0e6}};
  static const UnitTable freq = {{"Hz", 1},     {"kHz", 1e3},  {"MHz", 1e6}, {"GHz", 1e9},
                                 {"MT/s", 1e6}, {"GT/s", 1e9}, {"GS/s", 1e9}, {"MS/s", 1e6}};
  static const UnitTable time = {{"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"ns", 1e-9}, {"ps", 1e-12}};
  static const UnitTable volt = {{"V", 1}, {"mV", 1e-3}};
  static const UnitTable energy = {{"J", 1},      {"mJ", 1e-3},  {"uJ", 1e-6},
                                   {"nJ", 1e-9},  {"pJ", 1e-12}, {"fJ", 1e-15}};
  static const UnitTable power = {{"W", 1}, {"mW", 1e-3}, {"uW", 1e-6}, {"nW", 1e-9}};
  static const UnitTable length = {{"m", 1}, {"mm", 1e-3}, {"um", 1e-6}, {"nm", 1e-9}};
  static const UnitTable area = {{"m2", 1}, {"mm2", 1e-6}, {"um2", 1e-12}};
  static const UnitTable resistance = {{"Ohm", 1}, {"kOhm", 1e3}, {"MOhm", 1e6}};
  static const UnitTable current = {{"A", 1}, {"mA", 1e-3}, {"uA", 1e-6}};
  switch (d) {
    case Dimension::Bits: return bits;
    case Dimension::Frequency: return freq;
    case Dimension::Time: return time;
    case Dimension::Voltage: return volt;
    case Dimension::Energy: return energy;
    case Dimension::Power: return power;
    case Dimension::Length: return length;
    case Dimension::Area: return area;
    case Dimension::Resistance: return resistance;
    case Dimension::Current: return current;
  }
  return bits;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

}  // namespace

const char* dimension_name(Dimension d) {
  switch (d) {
    case Dimension::Bits: return "a size";
    case Dimension::Frequency: return "a frequency";
    case Dimension::Time: return "a time";
    case Dimension::Voltage: return "a voltage";
    case Dimension::Energy: return "an energy";
    case Dimension::Power: return "a power";
    case Dimension::Length: return "a length";
    case Dimension::Area: return "an area";
    case Dimension::Resistance: return "a resistance";
    case Dimension::Current: return "a current";
  }
  return "a quantity";
}

const char* dimension_example(Dimension d) {
  switch (d) {
    case Dimension::Bits: return "'256 KiB' or '64 bit'";
    case Dimension::Frequency: return "'1 GHz' or '3200 MT/s'";
    case Dimension::Time: return "'100 ns'";
    case Dimension::Voltage: return "'0.9 V'";
    case Dimension::Energy: return "'8 pJ'";
    case Dimension::Power: return "'16 mW'";
    case Dimension::Length: return "'45 nm'";
    case Dimension::Area: return "'0.01 mm2'";
    case Dimension::Resistance: return "'10 kOhm'";
    case Dimension::Current: return "'52 mA'";
  }
  return "";
}

std::optional<double> parse_number(const std::string& text) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used == 0 || used != text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<double> parse_quantity(const std::string& raw, Dimension d, std::string& why) {
  const std::string text = trim(raw);
  const char* begin = text.c_str();
  char* end = nullptr;
  const double value = std::strtod(begin, &end);
  if (end == begin) {
    why = "'" + text + "' does not start with a number";
    return std::nullopt;
  }
  if (!std::isfinite(value)) {
    why = "'" + text + "' is not a finite number";
    return std::nullopt;
  }
  const std::string unit = trim(std::string(end));
  if (unit.empty()) {
    why = "'" + text + "' has no unit";
    return std::nullopt;
  }
  const auto& table = units_for(d);
  const auto it = table.find(unit);
  if (it == table.end()) {
    std::string known;
    for (const auto& [name, scale] : table) known += (known.empty() ? "" : ", ") + name;
    why = "unit '" + unit + "' is not one of " + known;
    return std::nullopt;
  }
  return value * it->second;
}

}  // namespace qnnsim
