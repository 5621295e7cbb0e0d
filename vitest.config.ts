// Unit tests sit beside their modules; e2e tests cross packages and drive real processes.
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const alias = {
  '@telltale/proto': here('./proto/src/index.ts'),
  '@telltale/agent-bridge/client': here('./agent-bridge/src/client.ts'),
  '@telltale/agent-bridge': here('./agent-bridge/src/index.ts'),
  '@telltale/server': here('./server/src/index.ts'),
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: 'unit', include: ['{proto,agent-bridge,server,cli,web}/src/**/*.test.ts'], testTimeout: 20000 },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 240000, hookTimeout: 240000,
          fileParallelism: false,
        },
      },
    ],
  },
});
