// GET /openapi.json is a valid OpenAPI 3.1 document, by two independent
// validators: @apidevtools/swagger-parser (schema validation and $ref
// resolution) and Redocly's CLI linter (error-free under its recommended
// rules; warnings are printed). Schemas are generated from the route table's
// Go types; the harness checks every JSON answer of every suite against
// them (openapi_check.mjs).

import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import { describeEachBackend } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

describeEachBackend('openapi.json validity', (seam) => {
  let text;
  before(async () => {
    const r = await seam.request('GET', '/openapi.json', { auth: false });
    assert.equal(r.status, 200);
    text = r.text;
  });

  it('validates with @apidevtools/swagger-parser', async () => {
    const api = await SwaggerParser.validate(JSON.parse(text));
    assert.equal(api.openapi, '3.1.0');
    // Every POST and PUT JSON operation has a request body schema, and every
    // JSON success a response schema.
    for (const [p, ops] of Object.entries(api.paths)) {
      for (const [m, op] of Object.entries(ops)) {
        const ok = op.responses['200'];
        if (!ok) continue;
        assert.ok(ok.content?.['application/json']?.schema || ok.content, `${m} ${p}: 200 without content`);
        if (['post', 'put'].includes(m)) assert.ok(Object.values(op.requestBody?.content || {})[0]?.schema, `${m} ${p}: no request schema`);
      }
    }
  });

  it('lints error-free with @redocly/cli', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'seam-openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      writeFileSync(file, text);
      const bin = path.join(here, 'node_modules', '.bin', 'redocly');
      const r = spawnSync(bin, ['lint', '--format', 'json', file], { encoding: 'utf8', timeout: 120000, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } });
      let report;
      try {
        report = JSON.parse(r.stdout);
      } catch {
        assert.fail(`redocly lint gave no JSON report (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
      }
      const errors = report.problems.filter((p) => p.severity === 'error');
      const warnings = report.problems.filter((p) => p.severity !== 'error');
      if (warnings.length) console.log(`redocly: ${warnings.length} warnings: ${[...new Set(warnings.map((w) => w.ruleId))].join(', ')}`);
      assert.deepEqual(errors.map((e) => `${e.ruleId}: ${e.message} at ${e.location?.[0]?.pointer}`), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
