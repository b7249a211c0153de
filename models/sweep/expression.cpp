#include "sweep/expression.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace qnnsim {

struct ExprNode {
  enum class Kind { Number, Name, Unary, Binary };
  Kind kind = Kind::Number;
  double number = 0;
  std::string name;  // Name: the variable; Unary/Binary: the operator
  std::shared_ptr<const ExprNode> left, right;
};

namespace {

using NodePtr = std::shared_ptr<const ExprNode>;

struct Token {
  enum class Kind { Number, Name, Op, End };
  Kind kind = Kind::End;
  std::string text;
  double number = 0;
  std::size_t pos = 0;
};

// Splits the text into tokens; false with *why at the first character that is none.
bool tokenize(const std::string& s, std::vector<Token>* out, std::string* why) {
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      char* end = nullptr;
      const double v = std::strtod(s.c_str() + i, &end);
      const std::size_t len = static_cast<std::size_t>(end - (s.c_str() + i));
      out->push_back({Token::Kind::Number, s.substr(i, len), v, i});
      i += len;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      const std::string word = s.substr(i, j - i);
      const bool op = word == "and" || word == "or" || word == "not";
      out->push_back({op ? Token::Kind::Op : Token::Kind::Name, word, 0, i});
      i = j;
    } else {
      static const char* two[] = {"<=", ">=", "==", "!=", "&&", "||"};
      std::string op;
      for (const char* t : two)
        if (s.compare(i, 2, t) == 0) op = t;
      if (op.empty() && std::string("+-*/%()<>!").find(c) != std::string::npos) op = std::string(1, c);
      if (op.empty()) {
        *why = "unexpected character '" + std::string(1, c) + "' at position " + std::to_string(i + 1);
        return false;
      }
      const std::size_t len = op.size();
      if (op == "&&") op = "and";
      if (op == "||") op = "or";
      if (op == "!") op = "not";
      out->push_back({Token::Kind::Op, op, 0, i});
      i += len;
    }
  }
  out->push_back({Token::Kind::End, "", 0, s.size()});
  return true;
}

// Nesting (parentheses, unary minus, not) is recursion in the parser, and
// every operator a level of the tree that evaluation recurses through: both
// are bounded, so a hostile constraint is an error, never a stack overflow
// (the expression fuzzer found one in 2,412 bytes of nested "(-(").
constexpr int kMostNesting = 100;
constexpr std::size_t kMostTokens = 10000;

// Recursive descent, loosest first: or, and, not, comparison, sum, product, unary, primary.
class Parser {
 public:
  Parser(const std::vector<Token>& t, std::set<std::string>* names) : t_(t), names_(names) {}

  NodePtr parse_all(std::string* why) {
    if (t_.size() > kMostTokens) {
      *why = "the expression has more than " + std::to_string(kMostTokens) + " tokens";
      return nullptr;
    }
    NodePtr n = parse_or();
    if (n && t_[i_].kind != Token::Kind::End) error("unexpected '" + t_[i_].text + "'");
    if (!error_.empty()) {
      *why = error_;
      return nullptr;
    }
    return n;
  }

 private:
  bool at(const char* op) const { return t_[i_].kind == Token::Kind::Op && t_[i_].text == op; }
  // One level deeper for as long as it lives; false (with the error) past the bound.
  class Nest {
   public:
    explicit Nest(Parser& p) : p_(p) { ++p_.depth_; }
    ~Nest() { --p_.depth_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;
    bool ok() const {
      if (p_.depth_ <= kMostNesting) return true;
      p_.error("the expression nests deeper than " + std::to_string(kMostNesting) + " levels");
      return false;
    }

   private:
    Parser& p_;
  };
  void error(const std::string& what) {
    if (error_.empty()) error_ = what + " at position " + std::to_string(t_[i_].pos + 1);
  }
  static NodePtr make(ExprNode::Kind k, std::string op, NodePtr l, NodePtr r) {
    auto n = std::make_shared<ExprNode>();
    n->kind = k;
    n->name = std::move(op);
    n->left = std::move(l);
    n->right = std::move(r);
    return n;
  }

  template <typename Next>
  NodePtr binary(std::initializer_list<const char*> ops, Next next) {
    NodePtr left = (this->*next)();
    while (left) {
      const char* hit = nullptr;
      for (const char* op : ops)
        if (at(op)) hit = op;
      if (!hit) break;
      ++i_;
      NodePtr right = (this->*next)();
      if (!right) return nullptr;
      left = make(ExprNode::Kind::Binary, hit, left, right);
    }
    return left;
  }
  NodePtr parse_or() { return binary({"or"}, &Parser::parse_and); }
  NodePtr parse_and() { return binary({"and"}, &Parser::parse_not); }
  NodePtr parse_not() {
    if (at("not")) {
      ++i_;
      const Nest nest(*this);
      if (!nest.ok()) return nullptr;
      NodePtr inner = parse_not();
      return inner ? make(ExprNode::Kind::Unary, "not", inner, nullptr) : nullptr;
    }
    return parse_compare();
  }
  NodePtr parse_compare() { return binary({"<", "<=", ">", ">=", "==", "!="}, &Parser::parse_sum); }
  NodePtr parse_sum() { return binary({"+", "-"}, &Parser::parse_product); }
  NodePtr parse_product() { return binary({"*", "/", "%"}, &Parser::parse_unary); }
  NodePtr parse_unary() {
    if (at("-")) {
      ++i_;
      const Nest nest(*this);
      if (!nest.ok()) return nullptr;
      NodePtr inner = parse_unary();
      return inner ? make(ExprNode::Kind::Unary, "-", inner, nullptr) : nullptr;
    }
    return parse_primary();
  }
  NodePtr parse_primary() {
    const Token& t = t_[i_];
    if (t.kind == Token::Kind::Number) {
      ++i_;
      auto n = std::make_shared<ExprNode>();
      n->number = t.number;
      return n;
    }
    if (t.kind == Token::Kind::Name) {
      ++i_;
      auto n = std::make_shared<ExprNode>();
      n->kind = ExprNode::Kind::Name;
      n->name = t.text;
      names_->insert(t.text);
      return n;
    }
    if (at("(")) {
      ++i_;
      const Nest nest(*this);
      if (!nest.ok()) return nullptr;
      NodePtr inner = parse_or();
      if (!inner) return nullptr;
      if (!at(")")) {
        error("expected ')'");
        return nullptr;
      }
      ++i_;
      return inner;
    }
    error(t.kind == Token::Kind::End ? "the expression ends where a value was expected"
                                     : "expected a number, a name or '(', found '" + t.text + "'");
    return nullptr;
  }

  const std::vector<Token>& t_;
  std::set<std::string>* names_;
  std::size_t i_ = 0;
  int depth_ = 0;
  std::string error_;
};

double eval(const ExprNode& n, const std::map<std::string, double>& values) {
  switch (n.kind) {
    case ExprNode::Kind::Number: return n.number;
    case ExprNode::Kind::Name: return values.at(n.name);
    case ExprNode::Kind::Unary: {
      const double v = eval(*n.left, values);
      return n.name == "-" ? -v : (v == 0 ? 1.0 : 0.0);
    }
    case ExprNode::Kind::Binary: break;
  }
  const double a = eval(*n.left, values);
  if (n.name == "and") return a != 0 && eval(*n.right, values) != 0 ? 1.0 : 0.0;
  if (n.name == "or") return a != 0 || eval(*n.right, values) != 0 ? 1.0 : 0.0;
  const double b = eval(*n.right, values);
  if (n.name == "+") return a + b;
  if (n.name == "-") return a - b;
  if (n.name == "*") return a * b;
  if ((n.name == "/" || n.name == "%") && b == 0)
    throw std::domain_error("divides by zero ('" + n.name + "' by a value of 0)");
  if (n.name == "/") return a / b;
  if (n.name == "%") return std::fmod(a, b);
  if (n.name == "<") return a < b;
  if (n.name == "<=") return a <= b;
  if (n.name == ">") return a > b;
  if (n.name == ">=") return a >= b;
  if (n.name == "==") return a == b;
  return a != b;
}

}  // namespace

std::optional<Expression> Expression::parse(const std::string& text, std::string* why) {
  std::vector<Token> tokens;
  if (!tokenize(text, &tokens, why)) return std::nullopt;
  Expression e;
  e.text_ = text;
  Parser p(tokens, &e.names_);
  e.root_ = p.parse_all(why);
  if (!e.root_) return std::nullopt;
  return e;
}

double Expression::evaluate(const std::map<std::string, double>& values) const { return eval(*root_, values); }

}  // namespace qnnsim
