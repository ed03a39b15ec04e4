// An independent Parquet reader for the export tests: hyparquet (ESM, hence its own process).
// Prints {"rows": [...], "metadata": {key: value}} with INT64 values as decimal strings.
import fs from 'node:fs';
import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';

const buf = fs.readFileSync(process.argv[2]);
const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
const metadata = Object.fromEntries(((await parquetMetadataAsync(file)).key_value_metadata ?? []).map((kv) => [kv.key, kv.value]));
const rows = await parquetReadObjects({ file });
process.stdout.write(JSON.stringify({ rows, metadata }, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
