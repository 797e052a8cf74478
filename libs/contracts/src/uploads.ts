export type UploadStatus = 'pending' | 'processing' | 'done' | 'failed';

/** An uploaded log file and its progress. */
export interface UploadProgress {
  id: string;
  filename: string;
  source: string;
  status: UploadStatus;
  totalBytes: number;
  bytesDone: number;
  linesDone: number;
  linesTotal: number | null;
  /** 0–100, from the bytes read (100 once done). */
  percent: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}
