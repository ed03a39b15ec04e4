import { buildSchema, parse, validate, specifiedRules } from 'graphql';
import { typeDefs } from './server/app';
import { precheck, structureRules, DEFAULT_LIMITS } from './server/schema/limits';
const schema = buildSchema(typeDefs());
const pre = precheck(schema, DEFAULT_LIMITS);
const frag = (k: number, r: number) => `{ protocols { ${Array.from({ length: k }, (_, i) => `...R${i}`).join(' ')} } } ${Array.from({ length: k }, (_, i) => `fragment R${i} on Protocol { ${'id '.repeat(r)}}`).join(' ')}`;
const qs = { f30x10: frag(30, 10), f10x10: frag(10, 10), f60x5: frag(60, 5), p200: `{ ${Array.from({ length: 200 }, (_, i) => `protocols(block: ${i}) { id }`).join(' ')} }`, p100: `{ ${Array.from({ length: 100 }, (_, i) => `protocols(block: ${i}) { id }`).join(' ')} }` };
for (let rep = 0; rep < 2; rep++) for (const [name, q] of Object.entries(qs)) {
  let t = performance.now();
  const errs = pre(q);
  const a = performance.now() - t;
  t = performance.now();
  const e2 = errs.length ? [] : validate(schema, parse(q), [...specifiedRules, ...structureRules(DEFAULT_LIMITS)]);
  console.log(name, q.length, errs.map((e) => e.extensions.code).join(','), Math.round(a), 'ms pre;', Math.round(performance.now() - t), 'ms validate', e2.length);
}
