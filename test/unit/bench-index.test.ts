import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { floorStub, manifestMappings, writeFloorMappings } from '../../bench/floor';
import { deploymentProfile, parsePrometheus } from '../../bench/graph-node-metrics';
import { processCpuSeconds, processTreeCpuSeconds } from '../../devnet/stack/process-cpu';

const root = path.resolve(__dirname, '..', '..');

describe('graph-node metrics for the indexing benchmark', () => {
  const A = '/w/build-a/subgraph.yaml';
  const B = '/w/build-b/subgraph.yaml';
  const text = [
    '# HELP deployment_handler_execution_time Measures the execution time for handlers',
    `deployment_handler_execution_time_sum{deployment="${A}",handler="handleSupply"} 0.5`,
    `deployment_handler_execution_time_count{deployment="${A}",handler="handleSupply"} 10`,
    `deployment_handler_execution_time_sum{deployment="${B}",handler="handleSupply"} 0.25`,
    `deployment_handler_execution_time_count{deployment="${B}",handler="handleSupply"} 5`,
    `deployment_handler_execution_time_count{deployment="/other/subgraph.yaml",handler="handleSupply"} 99`,
    `deployment_host_fn_execution_time_sum{deployment="${A}",host_fn_name="store_get"} 0.1`,
    `deployment_host_fn_execution_time_count{deployment="${A}",host_fn_name="store_get"} 40`,
    `deployment_eth_call_execution_time_count{contract_name="AaveV3Oracle",deployment="${A}",method="getAssetPrice"} 3`,
    `deployment_sync_secs{deployment="${A}",section="host_export_store_set",shard="primary",stage="process"} 1.5`,
    `deployment_sync_secs{deployment="${A}",section="queue_idle",shard="primary",stage="writer"} 9`,
    `deployment_block_processing_duration_sum{deployment="${A}"} 2`,
  ].join('\n');

  it('parses the Prometheus text format with its labels', () => {
    const samples = parsePrometheus(text);
    expect(samples).toHaveLength(11);
    expect(samples[0]).toEqual({ name: 'deployment_handler_execution_time_sum', labels: { deployment: A, handler: 'handleSupply' }, value: 0.5 });
  });

  it('sums the deployments of one variant and leaves the others out', () => {
    const p = deploymentProfile(parsePrometheus(text), [A, B]);
    expect(p.handlerCalls).toBe(15);
    expect(p.handlerSeconds).toBeCloseTo(0.75);
    expect(p.byHandler.handleSupply).toEqual({ calls: 15, seconds: 0.75 });
    expect(p.hostFns.store_get).toEqual({ calls: 40, seconds: 0.1 });
    expect(p.ethCalls['AaveV3Oracle.getAssetPrice']).toEqual({ calls: 3, seconds: 0 });
    // Only the processing stage: the writer's idle time is not handler work.
    expect(p.sections).toEqual({ host_export_store_set: 1.5 });
    expect(p.blockProcessingSeconds).toBe(2);
  });
});

describe('the floor build', () => {
  const aave = path.join(root, 'subgraph', 'aave-v3.yaml');
  const morpho = path.join(root, 'subgraph', 'morpho-blue.yaml');

  it('reads every data source and template of a manifest with its mapping file and handlers', () => {
    const text = fs.readFileSync(aave, 'utf8');
    const mappings = manifestMappings(text);
    expect(mappings.map((m) => m.name)).toEqual(['Pool', 'PoolConfigurator', 'AaveOracle', 'AToken', 'VariableDebtToken', 'Aggregator']);
    expect(mappings.find((m) => m.name === 'AToken')!.file).toBe('./src/aave-v3/atoken.ts');
    const handlers = mappings.flatMap((m) => m.handlers);
    expect(handlers).toHaveLength((text.match(/^\s+handler: /gm) ?? []).length);
    expect(handlers).toContain('handleReserveInitialized');
  });

  it('exports every handler; only template-creating ones get a body', () => {
    const stub = floorStub({ name: 'X', file: './x.ts', handlers: ['handleA', 'handleB'] }, { helpers: 'function helper(): void {}', handlers: { handleB: '\n  helper()' } });
    expect(stub).toContain('export function handleA(event: ethereum.Event): void {}');
    expect(stub).toContain('export function handleB(event: ethereum.Event): void {\n  helper()\n}');
    expect(stub).toContain('function helper(): void {}');
    const plain = floorStub({ name: 'X', file: './x.ts', handlers: ['handleA'] }, { helpers: 'function helper(): void {}', handlers: {} });
    expect(plain).not.toContain('helper');
  });

  it('writes one stub per mapping file; the Aave configurator and oracle stubs create the templates', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'floor-'));
    try {
      const aaveStubs = writeFloorMappings(aave, dir);
      expect(Object.keys(aaveStubs).sort()).toEqual(
        ['./src/aave-v3/aggregator.ts', './src/aave-v3/atoken.ts', './src/aave-v3/configurator.ts', './src/aave-v3/debt-token.ts', './src/aave-v3/oracle.ts', './src/aave-v3/pool.ts'].sort(),
      );
      const configurator = fs.readFileSync(aaveStubs['./src/aave-v3/configurator.ts'], 'utf8');
      expect(configurator).toMatch(/DataSourceTemplate\.create\('AToken'/);
      expect(configurator).toMatch(/DataSourceTemplate\.create\('VariableDebtToken'/);
      expect(fs.readFileSync(aaveStubs['./src/aave-v3/oracle.ts'], 'utf8')).toMatch(/DataSourceTemplate\.create\('Aggregator'/);
      expect(fs.readFileSync(aaveStubs['./src/aave-v3/pool.ts'], 'utf8')).not.toMatch(/DataSourceTemplate/);
      const morphoStubs = writeFloorMappings(morpho, dir);
      expect(Object.keys(morphoStubs)).toEqual(['./src/morpho-blue/morpho.ts']);
      expect(() => writeFloorMappings(path.join(dir, 'unknown.yaml'), dir)).toThrow(/no floor code/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('process CPU time from /proc', () => {
  it('grows with the work a process does; the tree includes the process itself', () => {
    const before = processCpuSeconds(process.pid)!;
    const until = Date.now() + 150;
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);
    const after = processCpuSeconds(process.pid)!;
    expect(after).toBeGreaterThan(before);
    expect(processTreeCpuSeconds(process.pid)!).toBeGreaterThanOrEqual(after);
    expect(processCpuSeconds(2 ** 22 + 12345)).toBeNull();
  });
});
