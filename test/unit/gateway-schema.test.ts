import { buildSchema, parse, validate } from 'graphql';
import { typeDefs } from '../../server/app';
import { EXAMPLE_QUERIES } from '../../server/landing';

// The landing page's examples are what a newcomer runs first: each must be valid against the SDL.
describe('landing page examples', () => {
  const schema = buildSchema(typeDefs());
  it.each(EXAMPLE_QUERIES.map((e) => [e.title, e.query]))('%s is a valid query', (_title, query) => {
    expect(validate(schema, parse(query)).map((e) => e.message)).toEqual([]);
  });
});
