"""Quickstart: fit a linear model y = X @ w + b with plain tensors and gradient descent."""

import tensorgrad as tg

tg.manual_seed(0)
true_w = tg.tensor([[2.0], [-3.0], [0.5]])
X = tg.randn(256, 3)
y = X @ true_w + 1.0 + 0.01 * tg.randn(256, 1)

w = tg.zeros(3, 1, requires_grad=True)
b = tg.zeros(1, requires_grad=True)
lr = 0.1
for step in range(101):
    loss = ((X @ w + b - y) ** 2).mean()
    loss.backward()
    with tg.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad = None
    b.grad = None
    if step % 20 == 0:
        print(f"step {step:3d}  loss {loss.item():.5f}")

print("learned w:", [round(v, 3) for v in w.detach().reshape(-1).tolist()], "b:", round(b.item(), 3))
