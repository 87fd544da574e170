// Precompiled header shared by all torch-using targets (see cmake/Warnings.cmake).
#pragma once
#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>
