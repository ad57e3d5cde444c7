// The oneDNN CPU engine and this thread's stream. Internal: oneDNN types
// never appear in public headers.
#ifndef MINITF_CORE_ONEDNN_H_
#define MINITF_CORE_ONEDNN_H_

#include <vector>

#include "dnnl.hpp"
#include "minitf/core/dtype.h"
#include "minitf/core/shape.h"

namespace minitf {

dnnl::engine& CpuEngine();
// One in-order stream per thread (oneDNN streams are not thread-safe).
dnnl::stream& CpuStream();

dnnl::memory::data_type ToDnnl(DataType dtype);
dnnl::memory::dims ToDnnlDims(const Shape& shape);
// Dense row-major strides for `dims`.
dnnl::memory::dims RowMajorStrides(const dnnl::memory::dims& dims);

}  // namespace minitf

#endif  // MINITF_CORE_ONEDNN_H_
