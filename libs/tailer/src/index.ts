export { FileTailer } from './file-tailer';
export { CheckpointMap, type CheckpointUpdate } from './checkpoint-map';
export type {
  Checkpoint,
  FileTailerOptions,
  MultilineRule,
  TailBatch,
  TailedLine,
} from './tailer.types';
