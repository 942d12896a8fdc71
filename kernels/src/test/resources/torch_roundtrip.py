"""Loads a bptt4j checkpoint into torch.nn.RNN/LSTM/GRU + torch.nn.Linear, predicts, and saves back.

Usage: python3 torch_roundtrip.py IN.safetensors OUT.safetensors I H V TOKENS(comma separated, B = 1) CELL(rnn_tanh|lstm|gru)
Writes OUT with the modules' state_dict (bias_hh_l0 moved to a non-zero split on purpose) and
"probabilities": the softmax of the head at the last step, so the caller can compare both ways.
"""
import json, struct, sys
import torch

def read(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", entry
        b, e = entry["data_offsets"]
        out[name] = torch.frombuffer(bytearray(raw[8 + n + b:8 + n + e]), dtype=torch.float32).reshape(entry["shape"])
    return out

def write(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

src, dst, I, H, V, tokens = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
tokens = [int(t) for t in tokens.split(",")]
cell = sys.argv[7]
rnn = {"rnn_tanh": lambda: torch.nn.RNN(I, H), "lstm": lambda: torch.nn.LSTM(I, H), "gru": lambda: torch.nn.GRU(I, H)}[cell]()
G = {"rnn_tanh": 1, "lstm": 4, "gru": 3}[cell]
model = torch.nn.ModuleDict({"rnn": rnn, "head": torch.nn.Linear(H, V)})
model.load_state_dict({k: v for k, v in read(src).items()})
with torch.no_grad():
    x = torch.nn.functional.one_hot(torch.tensor(tokens), I).to(torch.float32).reshape(len(tokens), 1, I)
    out, _ = model["rnn"](x)
    p = torch.softmax(model["head"](out[-1]), dim=-1)[0]
    # Move part of the bias into bias_hh: PyTorch's function is unchanged, bptt4j must load the sum.
    # (Not the GRU's n part: b_hn sits inside r*(...), so moving it would change the function.)
    shift = torch.linspace(-0.5, 0.5, G * H)
    if cell == "gru":
        shift[2 * H:] = 0
    model["rnn"].bias_ih_l0 -= shift
    model["rnn"].bias_hh_l0 += shift
state = dict(model.state_dict())
state["probabilities"] = p
write(dst, state)
