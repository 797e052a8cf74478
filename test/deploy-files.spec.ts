import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fg from 'fast-glob';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '@app/config';

const root = join(__dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The files under docker/ (compose, Kubernetes, Prometheus, Grafana) pass their schemas. */
describe('deployment files', () => {
  it('validate against the Compose, Kubernetes and KEDA schemas (npm run check:deploy)', () => {
    const run = spawnSync(process.execPath, [join(__dirname, '../scripts/check-deploy.mjs')], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('ok   compose.yml');
    expect(run.stdout).toContain('ok   k8s/worker-autoscaling.yaml: ScaledObject');
  });

  it('name only metrics that the api or the worker defines', () => {
    const defined = new Set<string>();
    for (const file of fg.sync(['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'], {
      cwd: root,
      ignore: ['**/*spec.ts'],
    })) {
      for (const [, name] of read(file).matchAll(/['"](lookout_[a-z0-9_]+)['"]/g))
        defined.add(name);
    }
    const queries = [
      read('docker/prometheus/lookout-alerts.yml'),
      read('docker/grafana/dashboards/lookout.json'),
      read('docker/k8s/worker-autoscaling.yaml'),
    ].join('\n');
    const named = new Set(queries.match(/lookout_[a-z0-9_]+/g));
    // A histogram is defined by its name; queries read its _bucket, _sum and _count series.
    const unknown = [...named].filter(
      (name) => !defined.has(name) && !defined.has(name.replace(/_(bucket|sum|count)$/, '')),
    );
    expect(named.size).toBeGreaterThan(10);
    expect(unknown).toEqual([]);
  });

  it('scrape each worker on the port it listens on by default (WORKER_METRICS_PORT)', () => {
    const port = loadConfig({}).workerMetricsPort;
    const prometheus = parse(read('docker/prometheus/prometheus.yml'));
    const workerJob = prometheus.scrape_configs.find(
      (job: { job_name: string }) => job.job_name === 'lookout-worker',
    );
    expect(workerJob.dns_sd_configs[0]).toMatchObject({ names: ['worker'], port });

    const compose = parse(read('docker/compose.yml'));
    expect(compose.services.worker.expose).toEqual([String(port)]);
    expect(compose.services.worker.ports).toBeUndefined();

    const [deployment] = parseAllDocuments(read('docker/k8s/worker.yaml')).map((document) =>
      document.toJSON(),
    );
    const pod = deployment.spec.template;
    expect(pod.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(port),
    });
    expect(pod.spec.containers[0].ports).toContainEqual(
      expect.objectContaining({ name: 'metrics', containerPort: port }),
    );
  });
});
