// hvd::init() and the process group, alone and under mpirun -np 2.
#include <cstdlib>

#include "gtest/gtest.h"
#include "minitf/core/errors.h"
#include "minitf/distributed/hvd.h"

namespace minitf::hvd {
namespace {

TEST(BasicsTest, InitGivesTheLaunchersGroup) {
  ASSERT_TRUE(init().ok());
  ASSERT_TRUE(init().ok());  // idempotent
  EXPECT_TRUE(is_initialized());
  const char* world = std::getenv("OMPI_COMM_WORLD_SIZE");
  const int expected = world == nullptr ? 1 : std::atoi(world);
  EXPECT_EQ(size(), expected);
  EXPECT_EQ(mpi_enabled(), world != nullptr);
  EXPECT_GE(rank(), 0);
  EXPECT_LT(rank(), size());
  // One host: the local group is the whole job.
  EXPECT_EQ(local_size(), size());
  EXPECT_EQ(local_rank(), rank());
}

}  // namespace
}  // namespace minitf::hvd
