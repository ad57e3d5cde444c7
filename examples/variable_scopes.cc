// A tour of variable scopes: prints the names that sharing, reuse,
// AUTO_REUSE, re-entry and custom getters produce, as TF 1.x would.
#include <iostream>

#include "minitf/minitf.h"

namespace tf = minitf;

namespace {

void Show(const std::string& what, const std::string& name) {
  std::cout << "  " << what
            << std::string(what.size() < 44 ? 44 - what.size() : 1, ' ') << name
            << "\n";
}

// A tiny "layer": a weight and a bias in the current variable scope.
tf::Output Dense(tf::Output x, int64_t units) {
  auto w = tf::get_variable("w", {.shape = {x.shape().dim(1), units}});
  auto b = tf::get_variable(
      "b", {.shape = {units}, .initializer = tf::zeros_initializer()});
  return tf::matmul(x, w) + b;
}

}  // namespace

int main() {
  tf::Graph graph;
  tf::GraphGuard as_default(graph);
  auto x = tf::placeholder(tf::float32, {-1, 4}, "x");

  std::cout
      << "Sharing: variables follow variable scopes, ops follow name scopes\n";
  tf::Output y1, y2;
  {
    tf::variable_scope vs("dense");
    y1 = Dense(x, 3);
    Show("first call: weight",
         tf::get_variable_scope()
             .get_collection(tf::GraphKeys::TRAINABLE_VARIABLES)[0]
             .name()
             .value());
    Show("first call: output op", y1.op().name());
  }
  {
    tf::variable_scope vs("dense", {.reuse = true});
    y2 = Dense(x, 3);
    Show("reuse=True: output op (new name scope)", y2.op().name());
    Show("reuse=True: scope name", vs.scope().name());
    Show("reuse=True: original name scope", vs.scope().original_name_scope());
  }
  Show("trainable variables", std::to_string(tf::trainable_variables().size()));

  std::cout << "\nReuse errors, with TF's messages\n";
  try {
    tf::variable_scope vs("dense");
    Dense(x, 3);
  } catch (const tf::Error& e) {
    Show(e.python_type() + ":", std::string(e.what()).substr(0, 60) + "...");
  }
  try {
    tf::variable_scope vs("fresh", {.reuse = true});
    tf::get_variable("w", {.shape = {1}});
  } catch (const tf::Error& e) {
    Show(e.python_type() + ":", std::string(e.what()).substr(0, 60) + "...");
  }

  std::cout << "\nAUTO_REUSE: create on first use, share afterwards\n";
  for (int i = 0; i < 2; ++i) {
    tf::variable_scope vs("tower", {.reuse = tf::AUTO_REUSE});
    auto v = tf::get_variable("v", {.shape = {2}});
    Show("pass " + std::to_string(i) + ": variable", v.name());
  }

  std::cout << "\nRe-entering a captured scope object\n";
  tf::VariableScope outer = [] {
    tf::variable_scope vs("outer");
    return vs.scope();
  }();
  {
    tf::name_scope ns("elsewhere");
    tf::variable_scope vs(outer);
    auto w = tf::get_variable("w", {.shape = {1}});
    Show("variable (scope name kept)", w.name());
    Show("op name scope (made unique)", tf::identity(w).op().name());
  }

  std::cout << "\nDefault names are made unique per variable scope\n";
  for (int i = 0; i < 2; ++i) {
    tf::variable_scope vs(nullptr, {.default_name = "layer"});
    Show("default_name=\"layer\"", vs.scope().name());
  }

  std::cout << "\nCustom getters: innermost first\n";
  {
    auto scaled = [](const tf::Getter& getter,
                     const tf::GetVariableArgs& args) {
      tf::Variable v = getter(args);
      return tf::Variable::FromTensor(v.value() * tf::constant(0.5f));
    };
    tf::variable_scope vs("custom", {.custom_getter = scaled});
    auto v = tf::get_variable("v", {.shape = {2}});
    Show("what get_variable returned", v.name());
    Show("the variable it wraps", tf::global_variables("custom/")[0].name());
  }

  std::cout << "\nRegularizers: added once, when the variable is created\n";
  {
    tf::variable_scope vs(
        "reg", {.regularizer = tf::contrib::layers::l2_regularizer(0.1)});
    tf::get_variable("w", {.shape = {3}});
    Show("loss tensor",
         tf::get_collection(tf::GraphKeys::REGULARIZATION_LOSSES)[0]
             .name()
             .value());
  }

  tf::Session sess(graph);
  if (absl::Status s = sess.run(tf::global_variables_initializer()); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  std::cout << "\nInitialized " << tf::global_variables().size()
            << " variables.\n";
  return 0;
}
