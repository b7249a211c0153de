#pragma once
// The small arithmetic language of sweep constraints: numbers, names,
// + - * / %, parentheses, comparisons (< <= > >= == !=) and `and`, `or`,
// `not` (also && || !). A comparison is 1 when true, 0 when false; a
// constraint keeps a point when its value is not 0.
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace qnnsim {

struct ExprNode;

class Expression {
 public:
  // Parses `text`; nullopt with *why (naming the character) when malformed.
  static std::optional<Expression> parse(const std::string& text, std::string* why);

  const std::string& text() const { return text_; }
  const std::set<std::string>& names() const { return names_; }  // every name the expression reads
  // Every name must be in `values` (check names() first). Throws
  // std::domain_error on a division (/ or %) by zero: a constraint that
  // divides by zero would keep or drop points on infinities and NaNs.
  double evaluate(const std::map<std::string, double>& values) const;

 private:
  std::string text_;
  std::shared_ptr<const ExprNode> root_;
  std::set<std::string> names_;
};

}  // namespace qnnsim
