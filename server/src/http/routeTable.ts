import type { Express } from 'express';

/**
 * The routes an express app serves, for the OpenAPI coverage test (tests/integration/openapi.test.ts).
 * Express 5 keeps no mount path on a router's layer, so createHttpApp calls recordMounts(app) first:
 * each `app.use(prefix, router)` is remembered, and listRoutes walks the app's and the routers'
 * stacks. A router mounted inside a router is not seen: listRoutes throws rather than miss its routes.
 */
const mounts = new WeakMap<Express, Map<unknown, string>>();
let latest: WeakRef<Express> | undefined;

/** The app recordMounts saw last in this process (the tests start the server in process). */
export function latestApp(): Express | undefined {
  return latest?.deref();
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

export function recordMounts(app: Express): void {
  const prefixes = new Map<unknown, string>();
  mounts.set(app, prefixes);
  latest = new WeakRef(app);
  const use = app.use.bind(app) as (...args: unknown[]) => Express;
  (app as { use: unknown }).use = (...args: unknown[]) => {
    const prefix = typeof args[0] === 'string' ? args[0] : '';
    for (const handler of args.flat()) {
      if (typeof handler === 'function' && Array.isArray((handler as { stack?: unknown }).stack)) prefixes.set(handler, prefix === '/' ? '' : prefix);
    }
    return use(...args);
  };
}

export interface RouteEntry {
  method: string;
  /** Express syntax: `/api/rooms/:id`. */
  path: string;
}

export function listRoutes(app: Express): RouteEntry[] {
  const prefixes = mounts.get(app);
  if (!prefixes) throw new Error('listRoutes: the app was not made with recordMounts(app)');
  const out: RouteEntry[] = [];
  const walk = (stack: Layer[], prefix: string, nested: boolean) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const path of [layer.route.path].flat()) {
          for (const [method, on] of Object.entries(layer.route.methods)) {
            if (on && method !== '_all') out.push({ method, path: `${prefix}${path === '/' && prefix ? '' : path}` });
          }
        }
      } else if (Array.isArray(layer.handle?.stack)) {
        const inner = prefixes.get(layer.handle);
        if (inner === undefined || nested) throw new Error('listRoutes: a router mounted without app.use(prefix, router) at the top level');
        walk(layer.handle.stack, inner, true);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '', false);
  return out;
}
