/**
 * The dashboard's files (issue 14): its page, script and style from this folder and uPlot's from
 * node_modules, read once at first use and served from memory, so the page works offline (no CDN).
 */
import fs from 'node:fs';
import path from 'node:path';

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.html': 'text/html; charset=utf-8' };

/** URL path -> file on disk. A fixed list: nothing a request names reaches the file system. */
const FILES: Record<string, () => string> = {
  '/dashboard/app.js': () => path.join(__dirname, 'app.js'),
  '/dashboard/app.css': () => path.join(__dirname, 'app.css'),
  '/dashboard/figures.js': () => path.join(__dirname, 'figures.js'),
  '/dashboard/uplot.js': () => require.resolve('uplot/dist/uPlot.iife.min.js'),
  '/dashboard/uplot.css': () => require.resolve('uplot/dist/uPlot.min.css'),
};

const cache = new Map<string, { body: Buffer; type: string }>();

function load(key: string, file: string): { body: Buffer; type: string } {
  let hit = cache.get(key);
  if (!hit) cache.set(key, (hit = { body: fs.readFileSync(file), type: TYPES[path.extname(file)] ?? 'application/octet-stream' }));
  return hit;
}

/** The asset at a `/dashboard/...` path, or null when it names none. */
export function dashboardAsset(pathname: string): { body: Buffer; type: string } | null {
  const file = FILES[pathname];
  return file ? load(pathname, file()) : null;
}

/** The page browsers get at `/` (Apollo's landing page slot: GET with Accept text/html). */
export function dashboardPage(): string {
  return load('/', path.join(__dirname, 'index.html')).body.toString('utf8');
}
