"""What only the torch engine promises: no needless copies, devices, detached
results, explicit 'same' padding, seeded generators, fake-tensor eval_shape.

Runs when the suite runs on torch (LAMINA_BACKEND=torch); skipped otherwise.
"""

import numpy as np
import pytest

from lamina import Variable, config, ops
from lamina.backend._spec import TensorSpec

if config.backend() != "torch":
    pytest.skip("torch engine tests run with LAMINA_BACKEND=torch", allow_module_level=True)

import torch  # noqa: E402

from lamina.backend.torch import core, functional, nn, random  # noqa: E402


def test_tensor_of_the_right_dtype_is_returned_unchanged():
    x = torch.ones(3)
    assert core.convert_to_tensor(x) is x
    assert core.convert_to_tensor(x, "float32") is x
    assert core.convert_to_tensor(x, "float16").dtype == torch.float16


def test_variables_convert_to_their_value():
    v = Variable(np.arange(3.0, dtype="float32"))
    assert core.convert_to_tensor(v) is v.value
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.add(v, 1.0)), [1.0, 2.0, 3.0])


def test_int64_numpy_stays_int64_and_python_ints_are_int32():
    assert core.convert_to_tensor(np.arange(3)).dtype == torch.int64
    assert core.convert_to_tensor([1, 2]).dtype == torch.int32


def test_new_tensors_go_to_the_default_device():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert core.convert_to_tensor(np.ones(2)).device.type == expected
    assert ops.zeros((2,)).device.type == expected
    assert "cpu:0" in core.device_names()
    assert core.default_device() in core.device_names()


def test_numpy_data_is_copied():
    data = np.ones(3, "float32")
    x = core.convert_to_tensor(data)
    data[0] = 5.0
    assert float(x[0]) == 1.0


def test_numpy_arrays_of_any_layout_convert_to_contiguous_copies():
    base = np.arange(12, dtype="float32").reshape(3, 4)
    readonly = base.copy()
    readonly.flags.writeable = False
    for array in (base, base.T, base[:, ::-1], base[::2], readonly, np.float32(2.5)):
        tensor = core.convert_to_tensor(array)
        np.testing.assert_array_equal(tensor.cpu().numpy(), array)
        assert tensor.is_contiguous() and tensor.dtype == torch.float32
    assert core.convert_to_tensor(np.zeros(2)).dtype == torch.float32  # float64: floatx
    assert core.convert_to_tensor(np.zeros(2), "float64").dtype == torch.float64
    assert core.convert_to_tensor(np.zeros(2, "int64")).dtype == torch.int64
    assert core.convert_to_tensor(np.zeros(2, "float32"), "float16").dtype == torch.float16


def test_numpy_results_are_copies():
    # The optimizers update state in place: a NumPy view would change with it.
    x = torch.ones(3)
    array = core.convert_to_numpy(x)
    x.add_(1.0)
    array[1] = 9.0
    np.testing.assert_array_equal(array, [1.0, 9.0, 1.0])
    np.testing.assert_array_equal(core.convert_to_numpy(x), [2.0, 2.0, 2.0])


def test_fused_updates_decline_under_torch_compile():
    from lamina import optimizers

    variable = Variable(np.ones((3,), "float32"))
    optimizer = optimizers.Adam(learning_rate=0.5)
    optimizer.build([variable])

    def step(values, slots, grads):
        return optimizer.stateless_apply(slots, grads, values)

    grads = [torch.ones(3, device=core.DEVICE)]
    eager = step([variable.value], [v.value for v in optimizer.variables], grads)
    compiled = functional.compile(step, jit_compile=True)(
        [variable.value], [v.value for v in optimizer.variables], grads
    )
    # Inductor's float32 `pow` is a little less exact than eager torch's (its
    # Triton kernels on CUDA: 3e-5 relative, seen on an H100).
    np.testing.assert_allclose(
        ops.convert_to_numpy(compiled[0][0]), ops.convert_to_numpy(eager[0][0]), rtol=1e-4
    )


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32, torch.float64])
def test_adam_step_size_as_a_number_is_the_tensor_one(dtype):
    # The CPU kernel takes Adam's step size as a number; it must be the very
    # value the generic update computes with tensors.
    from lamina.backend.torch import optimizers as fused

    rng = np.random.default_rng(0)
    for _ in range(200):
        lr = float(torch.tensor(rng.uniform(1e-5, 1.0), dtype=dtype))
        iteration = int(rng.integers(0, 60000))
        beta_1, beta_2 = float(rng.uniform(0.5, 0.99)), float(rng.uniform(0.9, 0.99999))
        expected = fused._adam_step_size(
            torch.tensor(lr, dtype=dtype), torch.tensor(iteration), beta_1, beta_2
        )
        number = fused._adam_step_size_number(lr, iteration + 1.0, beta_1, beta_2, dtype)
        assert number == expected.item()


def _np_same_conv_1d(x, kernel, stride):
    """TensorFlow's 'same': pad (total // 2, rest) then a valid, strided conv."""
    n, k = x.shape[1], kernel.shape[0]
    total = max((-(-n // stride) - 1) * stride + k - n, 0)
    x = np.pad(x, ((0, 0), (total // 2, total - total // 2), (0, 0)))
    out_len = (x.shape[1] - k) // stride + 1
    return np.stack(
        [
            np.einsum("bki,kio->bo", x[:, i * stride : i * stride + k], kernel)
            for i in range(out_len)
        ],
        axis=1,
    )


@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("k", [2, 3, 4])
def test_same_conv_pads_like_tensorflow(k, stride):
    x = np.random.randn(2, 9, 3).astype("float32")
    kernel = np.random.randn(k, 3, 2).astype("float32")
    out = ops.convert_to_numpy(nn.conv(x, kernel, stride, "same", "channels_last"))
    np.testing.assert_allclose(out, _np_same_conv_1d(x, kernel, stride), rtol=1e-5, atol=1e-5)


def test_same_seed_same_numbers_from_a_tensor_seed():
    seed = core.convert_to_tensor(np.array([3, 4], "int32"))
    a = random.normal((5,), seed=seed)
    b = random.normal((5,), seed=np.array([3, 4], "int32"))
    np.testing.assert_array_equal(ops.convert_to_numpy(a), ops.convert_to_numpy(b))


def test_value_and_grad_returns_detached_results():
    def fn(params, x):
        y = ops.matmul(x, params[0])
        return ops.mean(y * y), y

    g = functional.value_and_grad(fn, has_aux=True)
    (value, aux), grads = g([np.ones((3, 2), "float32")], np.ones((4, 3), "float32"))
    assert not value.requires_grad and not aux.requires_grad
    assert not grads[0].requires_grad and grads[0].shape == (3, 2)


def test_value_and_grad_of_a_constant_gives_zeros():
    g = functional.value_and_grad(lambda params: ops.convert_to_tensor(1.0))
    _, grads = g([np.ones(2, "float32")])
    np.testing.assert_array_equal(ops.convert_to_numpy(grads[0]), [0.0, 0.0])


def test_jit_compile_uses_torch_compile():
    fn = functional.compile(lambda x: ops.relu(x) * 2.0, jit_compile=True)
    out = fn(np.array([-1.0, 2.0], "float32"))
    np.testing.assert_allclose(ops.convert_to_numpy(out), [0.0, 4.0])


def test_eval_shape_runs_random_ops_and_cond_without_values():
    seed = Variable(np.array([1, 2], "int32"), dtype="int32", trainable=False)

    def fn(x):
        y = random.dropout(x, 0.5, seed=seed.value)
        return core.cond(ops.sum(y) > 0, lambda: y * 2.0, lambda: y)

    out = functional.eval_shape(fn, TensorSpec((None, 4), "float32"))
    assert out == TensorSpec((None, 4), "float32")
