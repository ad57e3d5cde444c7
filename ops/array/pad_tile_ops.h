// tf.pad (CONSTANT, REFLECT, SYMMETRIC) and tf.tile, with their gradients.
//
//   auto p = tf::pad(x, {{0, 0}, {1, 2}});                   // "Pad"
//   auto q = tf::pad(x, paddings, {.mode = "reflect"});      // "MirrorPad"
//   auto t = tf::tile(x, {2, 1});                            // "Tile"
//
// paddings ([rank, 2]) and multiples ([rank]) are int32/int64 tensors, or
// constants given as vectors.
#ifndef MINITF_OPS_ARRAY_PAD_TILE_OPS_H_
#define MINITF_OPS_ARRAY_PAD_TILE_OPS_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "minitf/graph/node.h"
#include "minitf/ops/math/math_ops.h"

namespace minitf {

struct PadOptions {
  // "CONSTANT", "REFLECT" or "SYMMETRIC", case-insensitive.
  std::string mode = "CONSTANT";
  // Empty: the op's type ("Pad", "PadV2", "MirrorPad"), as in TF.
  std::string name = "";
  // CONSTANT mode's value, converted to the tensor's dtype; nonzero makes
  // the op "PadV2", as tf.pad does.
  Number constant_values = 0;
};
// Pads dim i with paddings[i][0] values before and paddings[i][1] after.
// Throws ValueError "Unknown padding mode: ..." for another mode.
Output pad(Output tensor, Output paddings, const PadOptions& options = {});
Output pad(Output tensor, const std::vector<std::array<int64_t, 2>>& paddings,
           const PadOptions& options = {});

// Repeats `input` multiples[i] times along dim i.
Output tile(Output input, Output multiples, absl::string_view name = "Tile");
Output tile(Output input, const std::vector<int64_t>& multiples,
            absl::string_view name = "Tile");

}  // namespace minitf

#endif  // MINITF_OPS_ARRAY_PAD_TILE_OPS_H_
