#pragma once
// Parameters with physical meaning carry their unit in the YAML ("256 KiB",
// "1 GHz", "8 pJ"), so a file reads unambiguously and a wrong unit is caught.
// Values are converted once, at parse time, to SI base units (bits, Hz, s, V,
// J, W, m, m^2, ohm).
#include <optional>
#include <string>

namespace qnnsim {

enum class Dimension { Bits, Frequency, Time, Voltage, Energy, Power, Length, Area, Resistance, Current };

const char* dimension_name(Dimension d);
const char* dimension_example(Dimension d);  // e.g. "256 KiB", used in error messages

// Parses text that is wholly one finite number; nullopt otherwise.
std::optional<double> parse_number(const std::string& text);

// Parses "<number> <unit>" for the given dimension. Returns nullopt (and fills
// `why`) when the text is not a number followed by a unit of that dimension.
std::optional<double> parse_quantity(const std::string& text, Dimension d, std::string& why);

}  // namespace qnnsim
