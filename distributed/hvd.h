// minitf::hvd: Horovod's data-parallel training for minitf programs, on
// MPI (TF1's `import horovod.tensorflow as hvd`). One include brings it all.
//
//   #include "minitf/distributed/hvd.h"
//   namespace hvd = minitf::hvd;
//   if (!hvd::init().ok()) return 1;               // hvd.init()
//   ... build the model; shard the data by (hvd::rank(), hvd::size()) ...
//   tf::train::AdamOptimizer adam(1e-3);
//   hvd::DistributedOptimizer opt(adam);           // averaged gradients
//   auto train_op = opt.minimize(loss);
//   tf::Operation sync = hvd::broadcast_global_variables(0);
//   sess.run(tf::global_variables_initializer()); sess.run(sync);
//
// Launch with `mpirun -np 2 ./program`; run alone it is one process.
#ifndef MINITF_DISTRIBUTED_HVD_H_
#define MINITF_DISTRIBUTED_HVD_H_

#include "minitf/distributed/basics.h"
#include "minitf/distributed/collective_ops.h"
#include "minitf/distributed/distributed_optimizer.h"

#endif  // MINITF_DISTRIBUTED_HVD_H_
