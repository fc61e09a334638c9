// Data loading: datasets, samplers, the DataLoader, collation, and the MNIST-family datasets.
export { Dataset, TensorDataset, Subset, ConcatDataset, randomSplit } from './dataset.js';
export {
  SequentialSampler,
  RandomSampler,
  SubsetRandomSampler,
  BatchSampler,
  type Sampler,
  type RandomSamplerOptions,
} from './sampler.js';
export { DistributedSampler, type DistributedSamplerOptions } from './distributed_sampler.js';
export { DataLoader, gatherRows, type DataLoaderOptions } from './dataloader.js';
export { defaultCollate, type Collated } from './collate.js';
export {
  loadMNIST,
  loadFashionMNIST,
  resolveFashionMNIST,
  ImageClassificationDataset,
  FASHION_MNIST_CLASSES,
  MNIST_CLASSES,
  FASHION_MNIST_MEAN_STD,
  MNIST_MEAN_STD,
  DEBIAN_FASHION_MNIST_DIR,
  EMBEDDED_FASHION_MNIST_DIR,
  type MnistOptions,
  type FashionMnistOptions,
  type DatasetSource,
} from './datasets/mnist.js';
