"""int8's mixed precision: the layers it leaves out of int8."""

import torch


def test_int8_keeps_the_heads_in_fp32_and_the_feed_forward_block_in_bf16(tiny_window):
    from torch import nn

    from stanceclf import modeling

    model = modeling.quantize_int8(tiny_window.model)
    kinds = {name: type(m).__name__ for name, m in model.named_modules() if "Linear" in type(m).__name__}
    assert kinds["head"] == kinds["span_head"] == "Linear"
    ffn_out = [n for n in kinds if n.endswith((".output.dense", ".intermediate.dense")) and ".attention." not in n]
    bf16 = "_Bf16Linear" if torch.cpu._is_avx512_bf16_supported() else "Linear"
    assert ffn_out and all(kinds[n] == bf16 for n in ffn_out)
    assert all(kinds[n] not in ("Linear", "_Bf16Linear") for n in kinds if n not in ("head", "span_head", *ffn_out))
    everything = modeling.quantize_int8(tiny_window.model, fp32=(), bf16=())
    assert not [n for n, m in everything.named_modules() if type(m) is nn.Linear]
    x = torch.randn(3, 4, tiny_window.model.encoder.config.hidden_size)
    linear = tiny_window.model.encoder.encoder.layer[0].intermediate.dense
    assert torch.allclose(modeling._Bf16Linear(linear)(x), linear(x), atol=0.05)
