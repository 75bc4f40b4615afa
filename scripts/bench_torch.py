"""PyTorch twin of `cv-lab bench`: the same models, batch, optimizer and loss, on one CPU thread.

Prints one JSON object per line with model, backend ("torch"), trainImagesPerSec,
inferImagesPerSec, msPerStep and cpuMsPerStep (the best CPU time of one training step, which load
from other processes on a shared machine disturbs far less), so that the CLI can print the ratios
tfjs / torch.
Usage: /usr/bin/python3 scripts/bench_torch.py --model cnn --batch 64 --warmup 3 --steps 20
"""
import argparse
import json
import time

import torch
from torch import nn


def reference_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def mobilenet_v1(alpha=0.25, classes=10):
    def width(f):
        return max(1, round(f * alpha))

    def conv_bn(cin, cout, k, stride, groups=1):
        return [nn.Conv2d(cin, cout, k, stride, padding=k // 2, groups=groups, bias=False),
                nn.BatchNorm2d(cout), nn.ReLU6()]

    blocks = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    layers = conv_bn(3, width(32), 3, 2)
    cin = width(32)
    for filters, stride in blocks:
        layers += conv_bn(cin, cin, 3, stride, groups=cin)
        layers += conv_bn(cin, width(filters), 1, 1)
        cin = width(filters)
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes)]
    return nn.Sequential(*layers)


def make_divisible(value, divisor=8):
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


class InvertedResidual(nn.Module):
    """Expand 1x1 (not in block 0), depthwise 3x3, linear project 1x1; residual where shapes match."""

    def __init__(self, cin, cout, stride, expansion):
        super().__init__()
        hidden = cin * expansion
        layers = []
        if expansion != 1:
            layers += [nn.Conv2d(cin, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6()]
        layers += [nn.Conv2d(hidden, hidden, 3, stride, padding=1, groups=hidden, bias=False),
                   nn.BatchNorm2d(hidden), nn.ReLU6(),
                   nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


def mobilenet_v2(alpha=0.35, classes=10):
    """The layout of src/core/models/mobilenet.ts (keras.applications.MobileNetV2)."""
    stages = [(16, 1, 1, 1), (24, 2, 2, 6), (32, 2, 3, 6), (64, 2, 4, 6), (96, 1, 3, 6), (160, 2, 3, 6), (320, 1, 1, 6)]
    cin = make_divisible(32 * alpha)
    layers = [nn.Conv2d(3, cin, 3, 2, padding=1, bias=False), nn.BatchNorm2d(cin), nn.ReLU6()]
    for channels, first_stride, repeats, expansion in stages:
        for r in range(repeats):
            cout = make_divisible(int(channels * alpha))
            layers.append(InvertedResidual(cin, cout, first_stride if r == 0 else 1, expansion))
            cin = cout
    last = make_divisible(1280 * alpha) if alpha > 1 else 1280
    layers += [nn.Conv2d(cin, last, 1, bias=False), nn.BatchNorm2d(last), nn.ReLU6(),
               nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(last, classes)]
    return nn.Sequential(*layers)


def bench(name, batch, warmup, steps):
    torch.manual_seed(0)
    if name == "cnn":
        model, shape = reference_cnn(), (batch, 1, 28, 28)
    elif name == "mobilenet":
        model, shape = mobilenet_v1(), (batch, 3, 96, 96)
    else:
        model, shape = mobilenet_v2(), (batch, 3, 96, 96)
    xs = torch.rand(shape)
    ys = torch.randint(0, 10, (batch,))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()  # softmax + categorical cross-entropy, as in the tfjs model

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(xs), ys)
        loss.backward()
        optimizer.step()
        return loss.item()

    model.train()
    for _ in range(warmup):
        step()
    start = time.perf_counter()
    best_cpu = float("inf")
    for _ in range(steps):
        cpu_start = time.process_time()
        step()
        best_cpu = min(best_cpu, time.process_time() - cpu_start)
    ms_per_step = (time.perf_counter() - start) * 1000 / steps
    model.eval()
    with torch.no_grad():
        model(xs)
        start = time.perf_counter()
        for _ in range(steps):
            model(xs)
        ms_per_inference = (time.perf_counter() - start) * 1000 / steps
    return {
        "model": name,
        "backend": "torch",
        "batchSize": batch,
        "steps": steps,
        "trainImagesPerSec": 1000 * batch / ms_per_step,
        "inferImagesPerSec": 1000 * batch / ms_per_inference,
        "msPerStep": ms_per_step,
        "cpuMsPerStep": best_cpu * 1000,
        "torchVersion": torch.__version__,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["cnn", "mobilenet", "mobilenet-v2"], default="cnn")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(json.dumps(bench(args.model, args.batch, args.warmup, args.steps)), flush=True)


if __name__ == "__main__":
    main()
