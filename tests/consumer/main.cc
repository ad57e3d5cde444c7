// Builds and runs a graph through the installed minitf package; exits
// non-zero unless the result is right.
#include <iostream>

#include "minitf/distributed/hvd.h"
#include "minitf/minitf.h"

namespace tf = minitf;

int main() {
  tf::Graph graph;
  tf::GraphGuard as_default(graph);
  auto x = tf::placeholder(tf::float32, {-1, 2}, "x");
  tf::Variable w(tf::constant<float>({1, 2}, {2, 1}), {.name = "w"});
  auto y = tf::matmul(x, w);
  tf::Session sess(graph);
  if (!sess.run(tf::global_variables_initializer()).ok()) return 1;
  auto out =
      sess.run({{x, tf::Tensor::FromVector<float>({3, 4}, {1, 2})}}, {y});
  if (!out.ok()) {
    std::cerr << out.status() << "\n";
    return 1;
  }
  const float value = (*out)[0].flat<float>()[0];
  std::cout << "consumer: " << y.name() << " = " << value << "\n";
  // The layers and the optimizers come with the package too.
  auto dense = tf::layers::dense(x, {.units = 1, .name = "dense"});
  auto loss = tf::losses::mean_squared_error(y, dense);
  auto train = tf::train::GradientDescentOptimizer(0.1).minimize(loss);
  if (!sess.run(tf::global_variables_initializer()).ok()) return 1;
  auto step = sess.run({{x, tf::Tensor::FromVector<float>({3, 4}, {1, 2})}},
                       {loss}, {train});
  if (!step.ok()) {
    std::cerr << step.status() << "\n";
    return 1;
  }
  std::cout << "consumer: " << dense.name() << " trained\n";
  // And minitf::distributed: alone, one process.
  if (!tf::hvd::init().ok() || tf::hvd::size() != 1) return 1;
  std::cout << "consumer: hvd::size() = " << tf::hvd::size() << "\n";
  return value == 11.0f ? 0 : 1;
}
