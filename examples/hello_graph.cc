// Builds a small graph (a linear model and its gradient), runs it in a
// Session and prints the results: the shape of a minitf program.
#include <iostream>

#include "minitf/minitf.h"

namespace tf = minitf;

int main() {
  tf::Graph graph;
  tf::GraphGuard as_default(graph);

  auto x = tf::placeholder(tf::float32, {-1, 3}, "x");
  tf::Variable w(tf::constant<float>({0.5f, -1.0f, 2.0f}, {3, 1}),
                 {.name = "w"});
  tf::Variable b(tf::constant(0.25f), {.name = "b"});
  tf::Output y, loss;
  {
    tf::name_scope scope("model");
    y = tf::matmul(x, w) + b;
    loss = tf::reduce_mean(y * y, {.name = "loss"});
  }
  auto grads = tf::gradients({loss}, {w, b});

  tf::Session sess(graph);
  if (absl::Status s = sess.run(tf::global_variables_initializer()); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  auto batch = tf::Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  auto out = sess.run({{x, batch}}, {y, loss, grads[0], grads[1]});
  if (!out.ok()) {
    std::cerr << out.status() << "\n";
    return 1;
  }
  std::cout << "graph nodes: " << graph.num_nodes() << "\n"
            << y.name() << " = " << (*out)[0] << "\n"
            << loss.name() << " = " << (*out)[1] << "\n"
            << grads[0].name() << " = " << (*out)[2] << "\n"
            << grads[1].name() << " = " << (*out)[3] << "\n";
  return 0;
}
