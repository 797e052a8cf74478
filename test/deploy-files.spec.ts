import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

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
});
