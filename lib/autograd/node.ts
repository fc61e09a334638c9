// Graph nodes (a tensor's gradFn). Each node has one output; `next` holds, per differentiable
// input, the node its gradient flows to (the input's gradFn, or a leaf's AccumulateGrad).
import type { GradHook, Tensor } from '../tensor.js';

export interface SavedTensor {
  tensor: Tensor;
  version: number;
}

export abstract class Node {
  /** Per input: where its gradient goes, or null when it needs none. */
  next: (Node | null)[] = [];
  /** Hooks registered on the output tensor (registerHook / retainGrad of a non-leaf). */
  outputHooks: GradHook[] = [];
  released = false;

  abstract get name(): string;
  /**
   * Gradients for each input, given the gradient of the output. ownsGrad: nothing else holds
   * gradOutput, so the backward may write its result there (see OpContextBase.ownsGrad).
   */
  abstract apply(gradOutput: Tensor, ownsGrad?: boolean): (Tensor | null | undefined)[];
  /** Whether every gradient apply returns is fresh: allocated by it and kept by no one else. */
  get returnsFreshGrads(): boolean {
    return false;
  }
  /** Drops what the backward needed (after backward without retainGraph). */
  release(): void {
    this.released = true;
  }
  toString(): string {
    return `<${this.name}>`;
  }
}

/** The sink of a leaf tensor's gradient: runs the leaf's hooks, then accumulates into .grad. */
export class AccumulateGrad extends Node {
  constructor(readonly variable: Tensor) {
    super();
  }
  get name(): string {
    return 'AccumulateGrad';
  }
  apply(): (Tensor | null)[] {
    return [];
  }
}
