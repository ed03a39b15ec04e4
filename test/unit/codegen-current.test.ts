import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { RESOLVER_TYPES_FILE } from '../../server/schema/codegen';

const ROOT = path.join(__dirname, '..', '..');

// What `npm run codegen` would write, generated in memory: the CLI's own `generate` on the same
// config, not writing. In a child node, because the CLI and its plugins require ES-only packages,
// which node loads and jest's module system does not.
const GENERATE = `
const { generate } = require('@graphql-codegen/cli');
const { codegenConfig } = require('./server/schema/codegen');
generate(codegenConfig(), false).then((outputs) => process.stdout.write(JSON.stringify(outputs.map((o) => ({ filename: o.filename, content: o.content })))));
`;

// The resolver types come from the SDL the gateway serves (core + every registered family's
// fragment): an SDL change committed without `npm run codegen` fails here.
describe('generated resolver types', () => {
  it(`${RESOLVER_TYPES_FILE} is what npm run codegen generates from the SDL`, () => {
    const text = execFileSync(process.execPath, ['--import', 'tsx', '-e', GENERATE], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
    const outputs = JSON.parse(text) as { filename: string; content: string }[];
    expect(outputs.map((o) => o.filename)).toEqual([RESOLVER_TYPES_FILE]);
    const committed = fs.readFileSync(path.join(ROOT, RESOLVER_TYPES_FILE), 'utf8');
    // Not toEqual: a diff of 95 KB of generated text says less than the way to fix it.
    if (outputs[0].content !== committed) throw new Error(`${RESOLVER_TYPES_FILE} is out of date with the SDL: run \`npm run codegen\` and commit the result`);
  });
});
