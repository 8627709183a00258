// Empty translation unit: carries the shared precompiled <torch/torch.h> (KdbenchHelpers.cmake).
