#!/usr/bin/env python3
"""Golden values for myelin's fused optimizer steps, from PyTorch's own optimizers.

Writes test/fixtures/optim_steps.json: one small parameter, a fixed sequence of gradients,
and for every optimizer configuration the parameter after each of the steps and the state
after the last one, from torch.optim.{SGD, Adam, AdamW, RMSprop, Adagrad} (single-tensor
code path: foreach=False).

Run with a Python that has PyTorch 1.13 (Debian's python3-torch):
    python3 scripts/gen_fixtures_optim.py
"""
import itertools
import json
import os

import numpy as np
import torch

SIZE = 37  # four AVX2 vectors and a tail
STEPS = 5


def floats(t):
    # The shortest decimal that reads back (through Math.fround) as the same float32.
    return [float(str(x)) for x in t.detach().reshape(-1).numpy().astype(np.float32)]


def make_inputs():
    g = torch.Generator().manual_seed(1234)
    param = torch.randn(SIZE, generator=g)
    grads = [torch.randn(SIZE, generator=g) * scale for scale in (1.0, 0.5, 2.0, 0.01, 1.0)]
    grads[2][3] = 0.0  # a zero gradient
    return param, grads


def configs():
    for momentum, dampening, nesterov in ((0, 0, False), (0.9, 0, False), (0.9, 0.3, False), (0.9, 0, True)):
        for weight_decay, maximize in itertools.product((0, 0.01), (False, True)):
            yield 'sgd', dict(lr=0.1, momentum=momentum, dampening=dampening, nesterov=nesterov,
                              weight_decay=weight_decay, maximize=maximize)
    for name in ('adam', 'adamw'):
        for amsgrad, weight_decay, maximize, betas in itertools.product(
                (False, True), (0, 0.1), (False, True), ((0.9, 0.999), (0.8, 0.95))):
            yield name, dict(lr=0.01, betas=betas, eps=1e-8, weight_decay=weight_decay, amsgrad=amsgrad,
                             maximize=maximize)
    for centered, momentum, weight_decay, maximize in itertools.product(
            (False, True), (0, 0.9), (0, 0.1), (False, True)):
        yield 'rmsprop', dict(lr=0.01, alpha=0.9, eps=1e-8, weight_decay=weight_decay, momentum=momentum,
                              centered=centered, maximize=maximize)
    for lr_decay, weight_decay, initial, maximize in itertools.product(
            (0, 0.1), (0, 0.1), (0, 0.5), (False, True)):
        yield 'adagrad', dict(lr=0.1, lr_decay=lr_decay, weight_decay=weight_decay,
                              initial_accumulator_value=initial, eps=1e-10, maximize=maximize)


OPTIMIZERS = {
    'sgd': torch.optim.SGD,
    'adam': torch.optim.Adam,
    'adamw': torch.optim.AdamW,
    'rmsprop': torch.optim.RMSprop,
    'adagrad': torch.optim.Adagrad,
}


def run(name, options, param0, grads):
    p = param0.clone().requires_grad_(True)
    opt = OPTIMIZERS[name]([p], foreach=False, **options)
    params = []
    for g in grads:
        p.grad = g.clone()
        opt.step()
        params.append(floats(p.detach()))
    state = {k: floats(v) for k, v in opt.state[p].items() if torch.is_tensor(v) and v.numel() == SIZE}
    return params, state


def main():
    torch.set_num_threads(1)
    param0, grads = make_inputs()
    cases = []
    for name, options in configs():
        params, state = run(name, options, param0, grads)
        cases.append({'optimizer': name, 'options': options, 'params': params, 'state': state})
    out = {
        'generator': 'scripts/gen_fixtures_optim.py',
        'torch': torch.__version__,
        'param': floats(param0),
        'grads': [floats(g) for g in grads],
        'cases': cases,
    }
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, 'test', 'fixtures', 'optim_steps.json')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(out, f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {len(cases)} cases to {os.path.relpath(path, root)}')


if __name__ == '__main__':
    main()
