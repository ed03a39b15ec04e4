import fs from 'node:fs';
import path from 'node:path';

/** A family's SDL fragment, kept beside its code as `schema.graphql`. */
export function familySdl(folder: string): string {
  return fs.readFileSync(path.join(folder, 'schema.graphql'), 'utf8');
}
