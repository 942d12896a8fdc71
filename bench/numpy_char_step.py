# Times a numpy character-RNN training step (min-char-rnn's math: H=100, V=80, T=25, Adagrad, clip 5), to compare with TrainStepBenchmark.
# Usage: OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/python3 bench/numpy_char_step.py
import numpy as np, time
H, V, T = 100, 80, 25
rng = np.random.default_rng(1)
Wxh = rng.standard_normal((H, V)) * 0.01; Whh = rng.standard_normal((H, H)) * 0.01; Why = rng.standard_normal((V, H)) * 0.01
bh = np.zeros((H, 1)); by = np.zeros((V, 1))
params = [Wxh, Whh, Why, bh, by]; mems = [np.zeros_like(p) for p in params]
data = rng.integers(0, V, 100000)
def step(inputs, targets, hprev):
    xs, hs, ys, ps = {}, {-1: np.copy(hprev)}, {}, {}
    loss = 0
    for t in range(len(inputs)):
        xs[t] = np.zeros((V, 1)); xs[t][inputs[t]] = 1
        hs[t] = np.tanh(Wxh @ xs[t] + Whh @ hs[t - 1] + bh)
        ys[t] = Why @ hs[t] + by
        ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t]))
        loss += -np.log(ps[t][targets[t], 0])
    dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    dbh, dby = np.zeros_like(bh), np.zeros_like(by)
    dhnext = np.zeros_like(hs[0])
    for t in reversed(range(len(inputs))):
        dy = np.copy(ps[t]); dy[targets[t]] -= 1
        dWhy += dy @ hs[t].T; dby += dy
        dh = Why.T @ dy + dhnext
        dhraw = (1 - hs[t] * hs[t]) * dh
        dbh += dhraw; dWxh += dhraw @ xs[t].T; dWhh += dhraw @ hs[t - 1].T
        dhnext = Whh.T @ dhraw
    grads = [dWxh, dWhh, dWhy, dbh, dby]
    for g in grads: np.clip(g, -5, 5, out=g)
    for p, g, m in zip(params, grads, mems):
        m += g * g; p += -0.1 * g / np.sqrt(m + 1e-8)
    return loss, hs[len(inputs) - 1]
h = np.zeros((H, 1)); p = 0
def run(n):
    global h, p
    for _ in range(n):
        if p + T + 1 >= len(data): p = 0; h = np.zeros((H, 1))
        _, h = step(data[p:p + T], data[p + 1:p + T + 1], h); p += T
run(200)
rates = []
for _ in range(5):
    t0 = time.perf_counter(); run(1000); rates.append(1000 / (time.perf_counter() - t0))
print("numpy", np.__version__, "iterations/s, 5 runs of 1000:", ["%.0f" % r for r in rates], "median %.0f" % sorted(rates)[2])
