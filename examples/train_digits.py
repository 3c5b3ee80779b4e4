"""Train a classifier on the bundled handwritten digits: the first thing to run after installing.

    python examples/train_digits.py                  # MLP
    python examples/train_digits.py --model cnn      # small CNN
    python examples/train_digits.py --epochs 30 --resume   # continue the saved run to epoch 30

The code is plain PyTorch with `import tensorgrad as torch`. The data are the 1,797 8x8 images
of the UCI optical handwritten digits (CC BY 4.0) that ship inside tensorgrad, split into 1,437
training and 360 test images. After every epoch the model, the optimizer and the history are
saved to a checkpoint that `--resume` continues from; each epoch reseeds the shuffling from
`--seed` and the epoch number, so a resumed run repeats an uninterrupted one exactly. With
matplotlib installed the loss and accuracy curves are written to a PNG (`--plot`), and with tqdm
installed the progress bar is tqdm's.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import tensorgrad as torch
from tensorgrad import nn, optim
from tensorgrad.data import DataLoader, load_digits


def build_model(kind: str) -> nn.Module:
    if kind == "mlp":
        return nn.Sequential(
            nn.Flatten(),
            nn.Linear(64, 256),
            nn.ReLU(),
            nn.Linear(256, 10),
        )
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 32, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 4 * 4, 10),
    )


def build_optimizer(name: str, model: nn.Module, lr: float) -> optim.Optimizer:
    if name == "sgd":
        return optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True)
    return optim.Adam(model.parameters(), lr=lr)


class Progress:
    """A live progress bar with the running loss while an epoch trains (tqdm's when installed,
    else a plain one-line bar on a terminal); it is erased at the end, leaving the epoch summary."""

    def __init__(self, total: int, desc: str) -> None:
        self.total, self.desc, self.done, self.width = total, desc, 0, 0
        self.live = sys.stderr.isatty()
        try:
            from tqdm import tqdm
        except ImportError:
            self.bar = None
        else:
            self.bar = tqdm(total=total, desc=desc, leave=False, file=sys.stderr, disable=None)

    def update(self, loss: float) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
            self.bar.update(1)
        elif self.live:
            filled = 24 * self.done // self.total
            line = (
                f"{self.desc} [{'#' * filled}{'.' * (24 - filled)}] {self.done}/{self.total} loss {loss:.4f}"
            )
            self.width = len(line)
            print(f"\r{line}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.live:
            print("\r" + " " * self.width + "\r", end="", file=sys.stderr, flush=True)


def train_one_epoch(model, loader, loss_fn, optimizer, desc: str) -> float:
    """One pass over the training data; returns the mean training loss."""
    model.train()
    progress = Progress(len(loader), desc)
    total, count = 0.0, 0
    for images, labels in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        count += len(labels)
        progress.update(total / count)
    progress.close()
    return total / count


def accuracy(model, images, labels) -> float:
    model.eval()
    with torch.no_grad():
        predictions = model(images).argmax(dim=1)
    return (predictions == labels).float().mean().item()


def save_plot(history: dict, path: Path, title: str) -> bool:
    """Write the loss and accuracy curves to `path`; False when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    epochs = range(1, len(history["train_loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.5))
    ax_loss.plot(epochs, history["train_loss"], marker="o", markersize=3)
    ax_loss.set(xlabel="epoch", ylabel="training loss", yscale="log", title="loss")
    ax_acc.plot(epochs, [100 * a for a in history["train_acc"]], marker="o", markersize=3, label="train")
    ax_acc.plot(epochs, [100 * a for a in history["test_acc"]], marker="o", markersize=3, label="test")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    ax_acc.legend()
    fig.suptitle(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


DEFAULT_EPOCHS = {"mlp": 30, "cnn": 20}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    parser.add_argument("--epochs", type=int, help="total epochs (default: mlp 30, cnn 20)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3, help="initial learning rate (cosine-annealed)")
    parser.add_argument(
        "--optimizer",
        choices=["adam", "sgd"],
        default="adam",
        help="sgd: Nesterov momentum 0.9 (try --lr 0.05)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checkpoint", type=Path, help="default: runs/digits-<model>.ckpt")
    parser.add_argument("--resume", action="store_true", help="continue from --checkpoint")
    parser.add_argument("--plot", type=Path, help="PNG of the curves (default: runs/digits-<model>.png)")
    args = parser.parse_args(argv)
    if args.epochs is None:
        args.epochs = DEFAULT_EPOCHS[args.model]
    if args.checkpoint is None:
        args.checkpoint = Path("runs") / f"digits-{args.model}.ckpt"
    if args.plot is None:
        args.plot = args.checkpoint.with_suffix(".png")
    return args


def save_checkpoint(path: Path, kind: str, model, optimizer, scheduler, epoch: int, history: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "model_kind": kind,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "epoch": epoch,
        "history": history,
    }
    torch.save(state, path)  # atomic: an interrupted save leaves the previous checkpoint intact


def resume(path: Path, kind: str, epochs: int, model, optimizer, scheduler) -> tuple[int, dict]:
    """Restore a run from its checkpoint; returns (last finished epoch, history)."""
    checkpoint = torch.load(path)
    if checkpoint["model_kind"] != kind:
        raise SystemExit(f"{path} holds a {checkpoint['model_kind']} model, not {kind}")
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    scheduler.T_max = epochs  # asked for more epochs than before: anneal from here to the new end
    print(f"resumed from {path} after epoch {checkpoint['epoch']}")
    return checkpoint["epoch"], checkpoint["history"]


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    started = time.perf_counter()
    torch.manual_seed(args.seed)
    train_set, test_set = load_digits(train=True), load_digits(train=False)
    loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)

    model = build_model(args.model)
    optimizer = build_optimizer(args.optimizer, model, args.lr)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs, eta_min=args.lr / 20)
    loss_fn = nn.CrossEntropyLoss()
    done, history = 0, {"train_loss": [], "train_acc": [], "test_acc": []}
    if args.resume:
        done, history = resume(args.checkpoint, args.model, args.epochs, model, optimizer, scheduler)

    n_params = sum(p.numel() for p in model.parameters())
    print(
        f"digits: {len(train_set)} training / {len(test_set)} test images; {args.model} with "
        f"{n_params:,} parameters; {type(optimizer).__name__}, lr {args.lr} cosine-annealed"
    )
    for epoch in range(done + 1, args.epochs + 1):
        torch.manual_seed(args.seed * 1000 + epoch)  # the epoch's shuffle, the same after --resume
        desc = f"epoch {epoch:2d}/{args.epochs}"
        loss = train_one_epoch(model, loader, loss_fn, optimizer, desc)
        scheduler.step()
        history["train_loss"].append(loss)
        history["train_acc"].append(accuracy(model, *train_set.tensors))
        history["test_acc"].append(accuracy(model, *test_set.tensors))
        print(
            f"{desc}  loss {loss:.4f}  train acc {history['train_acc'][-1]:.2%}  "
            f"test acc {history['test_acc'][-1]:.2%}"
        )
        save_checkpoint(args.checkpoint, args.model, model, optimizer, scheduler, epoch, history)

    test_acc = accuracy(model, *test_set.tensors)
    print(f"test accuracy: {test_acc:.2%} ({round(test_acc * len(test_set))}/{len(test_set)})")
    print(f"checkpoint: {args.checkpoint} (continue with --resume --epochs N)")
    if save_plot(history, args.plot, f"tensorgrad: {args.model} on the UCI digits"):
        print(f"plot: {args.plot}")
    else:
        print("plot: pip install matplotlib to draw the loss and accuracy curves")
    print(f"wall time: {time.perf_counter() - started:.1f} s")
    return {"test_acc": test_acc, "history": history, "model": model}


if __name__ == "__main__":
    main()
