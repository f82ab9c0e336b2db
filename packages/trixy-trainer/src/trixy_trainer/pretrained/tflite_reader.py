"""Read the operators and constant tensors of a TFLite flatbuffer (no TensorFlow needed).

Pretrained parts that ship on the package index as ``.tflite`` files (openWakeWord's speech embedding) are rebuilt as
torch modules from these weights; this reader is the only place that knows the flatbuffer layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from trixy_trainer.errors import TrainerError

_DTYPES = {0: np.float32, 2: np.int32, 4: np.int64}


@dataclass(slots=True)
class TfliteOp:
    """One operator: its builtin name, input/output tensor indices and the options that matter here."""

    name: str
    inputs: list[int]
    outputs: list[int]
    options: dict[str, float | int] = field(default_factory=dict)


@dataclass(slots=True)
class TfliteGraph:
    """Operators in execution order plus every constant tensor (by tensor index)."""

    ops: list[TfliteOp]
    constants: dict[int, np.ndarray]
    shapes: dict[int, list[int]]

    def constant(self, index: int) -> np.ndarray:
        """The constant tensor ``index`` (raises when the tensor is computed, not stored)."""
        if index not in self.constants:
            raise TrainerError(f"tensor {index} is not a constant of the TFLite graph")
        return self.constants[index]


def _options(tfl, name: str, op) -> dict[str, float | int]:
    raw = op.BuiltinOptions()
    if raw is None:
        return {}
    if name == "CONV_2D":
        o = tfl.Conv2DOptions()
        o.Init(raw.Bytes, raw.Pos)
        return {"padding": o.Padding(), "stride_h": o.StrideH(), "stride_w": o.StrideW(), "activation": o.FusedActivationFunction()}
    if name == "MAX_POOL_2D":
        o = tfl.Pool2DOptions()
        o.Init(raw.Bytes, raw.Pos)
        return {"padding": o.Padding(), "stride_h": o.StrideH(), "stride_w": o.StrideW(), "filter_h": o.FilterHeight(), "filter_w": o.FilterWidth()}
    if name == "LEAKY_RELU":
        o = tfl.LeakyReluOptions()
        o.Init(raw.Bytes, raw.Pos)
        return {"alpha": o.Alpha()}
    return {}


def read_tflite(path: str | Path) -> TfliteGraph:
    """Parse ``path`` into a :class:`TfliteGraph` (first subgraph)."""
    try:
        import tflite as tfl
    except ImportError as exc:  # pragma: no cover - a trainer dependency
        raise TrainerError("reading .tflite weights needs the 'tflite' package (pip install tflite)") from exc
    path = Path(path)
    try:
        buf = path.read_bytes()
        model = tfl.Model.GetRootAsModel(buf, 0)
        graph = model.Subgraphs(0)
    except (OSError, IndexError, ValueError) as exc:
        raise TrainerError(f"{path}: not a readable TFLite model ({exc})") from exc
    names = {getattr(tfl.BuiltinOperator, k): k for k in dir(tfl.BuiltinOperator) if not k.startswith("_")}
    constants: dict[int, np.ndarray] = {}
    shapes: dict[int, list[int]] = {}
    for index in range(graph.TensorsLength()):
        tensor = graph.Tensors(index)
        shape = tensor.ShapeAsNumpy().tolist() if tensor.ShapeLength() else []
        shapes[index] = shape
        buffer = model.Buffers(tensor.Buffer())
        if buffer is None or not buffer.DataLength() or tensor.Type() not in _DTYPES:
            continue
        data = np.frombuffer(buffer.DataAsNumpy().tobytes(), dtype=_DTYPES[tensor.Type()])
        constants[index] = data.reshape(shape) if shape else data.reshape(())
    ops = []
    for index in range(graph.OperatorsLength()):
        op = graph.Operators(index)
        code = model.OperatorCodes(op.OpcodeIndex())
        name = names.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()), "UNKNOWN")
        ops.append(
            TfliteOp(
                name=name,
                inputs=[int(op.Inputs(j)) for j in range(op.InputsLength())],
                outputs=[int(op.Outputs(j)) for j in range(op.OutputsLength())],
                options=_options(tfl, name, op),
            )
        )
    return TfliteGraph(ops=ops, constants=constants, shapes=shapes)
