// Elementwise comparisons with broadcasting: bool results, no gradient.
#include <type_traits>

#include "minitf/graph/context.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/math/broadcast.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

// Each Fn: kAllowsBool (Equal, NotEqual) and Apply(a, b).
struct EqualFn {
  static constexpr bool kAllowsBool = true;
  template <typename T>
  static bool Apply(T a, T b) {
    return a == b;
  }
};
struct NotEqualFn {
  static constexpr bool kAllowsBool = true;
  template <typename T>
  static bool Apply(T a, T b) {
    return a != b;
  }
};
struct LessFn {
  static constexpr bool kAllowsBool = false;
  template <typename T>
  static bool Apply(T a, T b) {
    return a < b;
  }
};
struct LessEqualFn {
  static constexpr bool kAllowsBool = false;
  template <typename T>
  static bool Apply(T a, T b) {
    return a <= b;
  }
};
struct GreaterFn {
  static constexpr bool kAllowsBool = false;
  template <typename T>
  static bool Apply(T a, T b) {
    return a > b;
  }
};
struct GreaterEqualFn {
  static constexpr bool kAllowsBool = false;
  template <typename T>
  static bool Apply(T a, T b) {
    return a >= b;
  }
};

template <typename Fn>
class ComparisonKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    loop_.Init(ctx.output_shapes[0],
               {&ctx.input_shapes[0], &ctx.input_shapes[1]});
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    bool* o = ctx.output(0).flat<bool>().data();
    DispatchDataType(ctx.input(0).dtype(), [&]<typename T>() {
      if constexpr (Fn::kAllowsBool || !std::is_same_v<T, bool>) {
        const T* a = ctx.input(0).flat<T>().data();
        const T* b = ctx.input(1).flat<T>().data();
        loop_.Run([&](int64_t i, const int64_t* in) {
          o[i] = Fn::Apply(a[in[0]], b[in[1]]);
        });
      }
    });
    return absl::OkStatus();
  }

 private:
  BroadcastLoop loop_;
};

template <typename Fn>
absl::Status ComparisonShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckSameDtypes(ctx, {"x", "y"}));
  if constexpr (Fn::kAllowsBool) {
    MINITF_RETURN_IF_ERROR(
        CheckDtypeAllowed(ctx.input_dtype(0), "x",
                          {DataType::kFloat, DataType::kInt32, DataType::kInt64,
                           DataType::kBool}));
  } else {
    MINITF_RETURN_IF_ERROR(CheckDtypeAllowed(
        ctx.input_dtype(0), "x",
        {DataType::kFloat, DataType::kInt32, DataType::kInt64}));
  }
  MINITF_ASSIGN_OR_RETURN(
      Shape shape, BroadcastShapes(ctx.input_shape(0), ctx.input_shape(1)));
  ctx.add_output(DataType::kBool, shape);
  return absl::OkStatus();
}

Output Compare(const char* type, Output x, Output y, absl::string_view name) {
  return OpBuilder(type, name).Input(x).Input(y).Build();
}

using CompareBuilder = Output (*)(Output, Output, absl::string_view);

// op_def_library's conversion: inside the op's own name scope the number
// becomes the input "y", of the tensor's dtype.
Output CompareWithNumber(CompareBuilder fn, const char* type, Output x,
                         Number y) {
  name_scope scope(type);
  return fn(x, ConvertNumber(y, x.dtype(), "y", type), scope.name());
}

template <typename Fn>
void RegisterComparison(const char* type) {
  RegisterOp({.type = type,
              .num_inputs = 2,
              .shape_fn = ComparisonShape<Fn>,
              .kernel = MakeKernel<ComparisonKernel<Fn>>,
              .differentiable = false});
}

}  // namespace

Output equal(Output x, Output y, absl::string_view name) {
  return Compare("Equal", x, y, name);
}
Output not_equal(Output x, Output y, absl::string_view name) {
  return Compare("NotEqual", x, y, name);
}
Output less(Output x, Output y, absl::string_view name) {
  return Compare("Less", x, y, name);
}
Output less_equal(Output x, Output y, absl::string_view name) {
  return Compare("LessEqual", x, y, name);
}
Output greater(Output x, Output y, absl::string_view name) {
  return Compare("Greater", x, y, name);
}
Output greater_equal(Output x, Output y, absl::string_view name) {
  return Compare("GreaterEqual", x, y, name);
}

Output operator<(Output x, Output y) { return less(x, y); }
Output operator<=(Output x, Output y) { return less_equal(x, y); }
Output operator>(Output x, Output y) { return greater(x, y); }
Output operator>=(Output x, Output y) { return greater_equal(x, y); }
Output operator<(Output x, Number y) {
  return CompareWithNumber(less, "Less", x, y);
}
Output operator<=(Output x, Number y) {
  return CompareWithNumber(less_equal, "LessEqual", x, y);
}
Output operator>(Output x, Number y) {
  return CompareWithNumber(greater, "Greater", x, y);
}
Output operator>=(Output x, Number y) {
  return CompareWithNumber(greater_equal, "GreaterEqual", x, y);
}
// Python reflects `0.5 < x` to x.__gt__(0.5): Greater(x, 0.5).
Output operator<(Number x, Output y) { return y > x; }
Output operator<=(Number x, Output y) { return y >= x; }
Output operator>(Number x, Output y) { return y < x; }
Output operator>=(Number x, Output y) { return y <= x; }

void RegisterComparisonOps() {
  RegisterComparison<EqualFn>("Equal");
  RegisterComparison<NotEqualFn>("NotEqual");
  RegisterComparison<LessFn>("Less");
  RegisterComparison<LessEqualFn>("LessEqual");
  RegisterComparison<GreaterFn>("Greater");
  RegisterComparison<GreaterEqualFn>("GreaterEqual");
}

}  // namespace minitf
