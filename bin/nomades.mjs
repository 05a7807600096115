#!/usr/bin/env node
// The `nomades` command (cli/README.md): runs the CLI's TypeScript through tsx's loader, no build.
import { register } from 'tsx/esm/api';

register();
await import('../cli/src/main.ts');
