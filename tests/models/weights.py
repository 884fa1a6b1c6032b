"""Torch-side references: each corpus model built in torch with weights that all show.

Every floating parameter and buffer is made to matter: BatchNorm running statistics are
measured on random batches (so activations stay near unit scale and every running_var is
positive), constant-initialised tensors (norm weights and biases, zero heads, the class token,
layer scales of 1e-6) get random values, and the classifier is rescaled so the logits have a
standard deviation near 2.

Deep networks with random weights carry float32 rounding error of about 5e-5 of the logits'
scale (ResNet-50: torch's own float32 logits differ from float64 by 3e-4 at standard deviation
2), which two correct float32 implementations cannot both meet at 1e-4 absolute. So where
torch's own float32 error exceeds NOISE_FLOOR, the head is scaled down further until it does
not: the tolerance then sits at least 5x above what float32 itself explains, and still far
below what any wrong weight, op or order of operations produces.
"""

import copy

import numpy as np
from tests.models.registry import MODELS, build, example_input

LOGIT_STD = 2.0
NOISE_FLOOR = 2e-5
noise_floors: dict = {}  # name -> (torch's float32 error on the logits, their std), for reports
CALIBRATION_BATCHES = 2
CALIBRATION_SIZE = 4


def reference_model(name: str, torch, seed: int = 0):
    """Model `name` built in torch from `seed`, weights perturbed, in eval mode."""
    torch.manual_seed(seed)
    model = build(name, torch)
    generator = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        _vary_constants(model, torch, generator)
        _calibrate_batch_norms(name, model, torch, generator)
        model.eval()
        _scale_head(name, model, torch)
    _check_all_vary(name, model)
    return model


def torch_input(name: str, torch):
    return torch.from_numpy(example_input(name))


def logits(out):
    """The logits of a model's output (GoogLeNet's scripted forward returns a named tuple)."""
    named = getattr(out, "logits", None)
    if named is not None:
        return named
    if isinstance(out, tuple | list):
        return out[0]
    return out


def _vary_constants(model, torch, generator) -> None:
    for name, tensor in [*model.named_parameters(), *model.named_buffers()]:
        if not tensor.is_floating_point() or name.endswith(("running_mean", "running_var")):
            continue
        if name.endswith("layer_scale"):
            tensor.copy_(0.2 + 0.4 * torch.rand(tensor.shape, generator=generator))
            continue
        flat = tensor.flatten()
        if flat.numel() == 0 or not bool((flat == flat[0]).all()):
            continue
        value = float(flat[0])
        noise = torch.randn(tensor.shape, generator=generator)
        if value == 0.0:
            tensor.copy_(0.05 * noise)
        else:
            tensor.copy_(value * (1.0 + 0.2 * noise.clamp(-2, 2)))


def _check_all_vary(name: str, model) -> None:
    """Refuse a reference in which some floating tensor is still constant (it would not show)."""
    for key, tensor in model.state_dict().items():
        if not tensor.is_floating_point():
            continue
        flat = tensor.flatten()
        if flat.numel() > 1 and bool((flat == flat[0]).all()):
            raise ValueError(f"{name}: {key} is constant, so the tests could not see it")
        if key.endswith("running_var") and not bool((flat > 0).all()):
            raise ValueError(f"{name}: {key} has a variance that is not positive")


def _calibrate_batch_norms(name: str, model, torch, generator) -> None:
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # a cumulative average over the calibration batches
    model.train()
    shape = (CALIBRATION_SIZE, *MODELS[name].input_shape[1:])
    for _ in range(CALIBRATION_BATCHES):
        model(torch.randn(shape, generator=generator))
    for m, momentum in zip(norms, momenta, strict=True):
        m.momentum = momentum


def _scale_head(name: str, model, torch) -> None:
    heads = [m for m in model.modules() if isinstance(m, torch.nn.Linear | torch.nn.Conv2d)]
    head = heads[-1]
    std = float(logits(model(torch_input(name, torch))).std())
    if not np.isfinite(std) or std == 0.0:
        raise ValueError(f"{name}: logits with standard deviation {std}")
    _scale(head, LOGIT_STD / std)
    error = _float32_error(name, model, torch)
    if error > NOISE_FLOOR:
        _scale(head, NOISE_FLOOR / error)
        error = _float32_error(name, model, torch)
    noise_floors[name] = (error, float(logits(model(torch_input(name, torch))).std()))


def _scale(head, factor: float) -> None:
    head.weight.mul_(factor)
    if head.bias is not None:
        head.bias.mul_(factor)


def _float32_error(name: str, model, torch) -> float:
    """Largest difference of the model's float32 logits from the same model in float64."""
    x = torch_input(name, torch)
    wide = copy.deepcopy(model).double()
    exact = logits(wide(x.double() if x.is_floating_point() else x))
    return float((logits(model(x)).double() - exact).abs().max())
