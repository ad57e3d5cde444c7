// The Register...Ops() function of each op family, called once by
// EnsureOpsRegistered(). Internal.
#ifndef MINITF_OPS_REGISTER_H_
#define MINITF_OPS_REGISTER_H_

namespace minitf {

void RegisterArrayOps();
void RegisterBinaryOps();
void RegisterUnaryOps();
void RegisterComparisonOps();
void RegisterCastOps();
void RegisterAddNOps();
void RegisterMatMulOps();
void RegisterReductionOps();
void RegisterStateOps();
void RegisterControlOps();
void RegisterSwitchMergeOps();
void RegisterPlaceholderWithDefaultOps();
void RegisterL2LossOps();
void RegisterRandomOps();
void RegisterShapeOps();
void RegisterShapeTensorOps();
void RegisterSlicingOps();
void RegisterPadTileOps();
void RegisterGatherOps();
void RegisterTrainingOps();
void RegisterDivNoNanOps();
void RegisterPowFloorOps();
namespace nn {
void RegisterConvOps();
void RegisterPoolingOps();
void RegisterSoftmaxOps();
void RegisterDropoutOps();
void RegisterActivationOps();  // and BiasAdd
void RegisterBatchNormOps();
}  // namespace nn
namespace summary {
void RegisterSummaryOps();  // train/summary.cc
}  // namespace summary

}  // namespace minitf

#endif  // MINITF_OPS_REGISTER_H_
