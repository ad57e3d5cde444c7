#include "minitf/ops/register.h"

#include <mutex>

#include "minitf/graph/op_registry.h"

namespace minitf {

void EnsureOpsRegistered() {
  static std::once_flag once;
  std::call_once(once, [] {
    RegisterArrayOps();
    RegisterBinaryOps();
    RegisterUnaryOps();
    RegisterComparisonOps();
    RegisterCastOps();
    RegisterAddNOps();
    RegisterMatMulOps();
    RegisterReductionOps();
    RegisterStateOps();
    RegisterControlOps();
    RegisterSwitchMergeOps();
    RegisterPlaceholderWithDefaultOps();
    RegisterL2LossOps();
    RegisterRandomOps();
    RegisterShapeOps();
    RegisterShapeTensorOps();
    RegisterSlicingOps();
    RegisterPadTileOps();
    RegisterGatherOps();
    RegisterTrainingOps();
    RegisterDivNoNanOps();
    RegisterPowFloorOps();
    nn::RegisterConvOps();
    nn::RegisterPoolingOps();
    nn::RegisterSoftmaxOps();
    nn::RegisterDropoutOps();
    nn::RegisterActivationOps();
    nn::RegisterBatchNormOps();
    summary::RegisterSummaryOps();
  });
}

}  // namespace minitf
