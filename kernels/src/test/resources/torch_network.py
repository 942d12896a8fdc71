"""Loads a bptt4j network checkpoint (token input, head on the final states) into
torch.nn.RNN/LSTM/GRU(I, H, num_layers=L, bidirectional=D==2) + torch.nn.Linear(D*H, V), classifies
a batch of rows of their own lengths, and saves the modules back.

Usage: python3 torch_network.py IN.safetensors OUT.safetensors TOKENS LENGTHS
TOKENS: T*B ids, time-major, comma separated; LENGTHS: B lengths, comma separated.
Writes OUT with the state_dict (bias_hh moved to a non-zero split on purpose), IN's metadata, and
"probabilities" (B x V): softmax(head(cat of the top layer's h_n of each direction)).
"""
import json, struct, sys
import torch
from torch.nn.utils.rnn import pack_padded_sequence

def read(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        b, e = entry["data_offsets"]
        out[name] = torch.frombuffer(bytearray(raw[8 + n + b:8 + n + e]), dtype=torch.float32).reshape(entry["shape"])
    return out, header.get("__metadata__", {})

def write(path, tensors, metadata):
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

src, dst = sys.argv[1], sys.argv[2]
tensors, meta = read(src)
I, H, L, D, V = (int(meta[k]) for k in ("inputSize", "hiddenSize", "layers", "directions", "outputs"))
cell = meta["cell"]
make = {"vanilla": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
extra = {"nonlinearity": meta["activation"]} if cell == "vanilla" else {}  # tanh or relu, as PyTorch names them
rnn = make(I, H, num_layers=L, bidirectional=D == 2, **extra)
model = torch.nn.ModuleDict({"rnn": rnn, "head": torch.nn.Linear(D * H, V)})
model.load_state_dict(tensors)
lengths = [int(t) for t in sys.argv[4].split(",")]
B = len(lengths)
tokens = torch.tensor([int(t) for t in sys.argv[3].split(",")]).reshape(-1, B)
with torch.no_grad():
    x = torch.nn.functional.one_hot(tokens, I).to(torch.float32)
    _, state = model["rnn"](pack_padded_sequence(x, torch.tensor(lengths), enforce_sorted=False))
    h_n = state[0] if cell == "lstm" else state
    top = torch.cat([h_n[(L - 1) * D + d] for d in range(D)], dim=-1)
    p = torch.softmax(model["head"](top), dim=-1)
    G = {"vanilla": 1, "lstm": 4, "gru": 3}[cell]
    for name, param in model["rnn"].named_parameters():
        if name.startswith("bias_ih"):
            shift = torch.linspace(-0.5, 0.5, G * H)
            if cell == "gru":
                shift[2 * H:] = 0  # b_hn sits inside r*(...): moving it would change the function
            param -= shift
            getattr(model["rnn"], name.replace("bias_ih", "bias_hh")).add_(shift)
state = dict(model.state_dict())
state["probabilities"] = p
write(dst, state, meta)
